"""Formula injection: no CSV geoplan writes starts a cell with = + - @ tab or CR, and its own sheets read back unchanged.

Reproducer (issue 19): a plan file named ``=1+2.txt`` and a heading
``一、=1+1交通建设`` reached ``mentions.csv``, ``unresolved.csv`` and the review
sheet as live formulas.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import cli_build
from geoplan.cli import main
from geoplan.geocode.overrides import Overrides, decided_rows
from geoplan.io.cells import TRIGGERS, escape_cell, unescape_cell

PLAN = """上海市青浦区建设要点
一、=1+1交通建设
(一)交通
1.建设朱家角站周边接驳道路，推进淀山湖岸线修复，推进蓝湾产业园建设。
"""


def _cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _unsafe(cells: list[str]) -> list[str]:
    return [c for c in cells if c.startswith(TRIGGERS)]


@pytest.mark.parametrize("value", ["=1+2", "+86", "-3", "@SUM(A1)", "\tx", "\rx", "'", "'=1", "''", "淀山湖", "", "a'b"])
def test_escape_round_trips(value):
    cell = escape_cell(value)
    assert not cell.startswith(TRIGGERS)
    assert unescape_cell(cell) == value


def test_numbers_are_left_alone():
    assert escape_cell(-3.5) == -3.5


@pytest.fixture(scope="module")
def injected_build(tmp_path_factory, gazetteer):
    tmp = tmp_path_factory.mktemp("inject")
    plan, out = cli_build(tmp, "=1+2.txt", PLAN)
    return tmp, plan, out


def test_build_csvs_are_neutralised(injected_build):
    _, _, out = injected_build
    for name in ("mentions.csv", "unresolved.csv"):
        cells = _cells(out / name)
        assert "'=1+2" in cells, name  # the doc column, escaped
        assert not _unsafe(cells), name
    assert any(c.startswith("'=1+1") for c in _cells(out / "mentions.csv"))  # the task path


def test_exported_csv_is_neutralised_and_reads_back(injected_build, tmp_path):
    from geoplan.io import export, read_layers

    _, _, out = injected_build
    layers = read_layers(out)
    assert set(layers.mentions["doc"]) == {"=1+2"}  # read back unescaped
    target = tmp_path / "plan.csv"
    export(layers, target)
    for p in tmp_path.glob("*.csv"):
        assert not _unsafe(_cells(p)), p.name
    again = read_layers(target)
    assert list(again.features["doc"]) == list(layers.features["doc"])
    assert list(again.mentions["task_path"]) == list(layers.mentions["task_path"])


def test_extract_csv_is_neutralised(injected_build):
    _, plan, _ = injected_build
    res = CliRunner().invoke(main, ["extract", str(plan), "--csv"])
    assert res.exit_code == 0, res.output
    cells = [c for row in csv.reader(io.StringIO(res.stdout)) for c in row]
    assert not _unsafe(cells)
    assert any(c.startswith("'=1+1") for c in cells)


def test_review_sheet_round_trips(injected_build, tmp_path):
    tmp, plan, _ = injected_build
    decided = tmp_path / "decided.csv"
    decided.write_text(
        "name,doc,gazetteer_id,lon,lat,crs,note\n"
        "'=淀山湖,'=1+2,,121.0,31.1,EPSG:4326,'@checked\n",
        encoding="utf-8",
    )
    ov = Overrides.load(decided)
    assert [(o.name, o.doc, o.note) for o in ov.rows] == [("=淀山湖", "=1+2", "@checked")]
    sheet = tmp_path / "review.csv"
    res = CliRunner().invoke(main, ["review", str(plan), "-o", str(sheet), "--overrides", str(decided)])
    assert res.exit_code == 0, res.output
    assert not _unsafe(_cells(sheet))
    first = sheet.read_bytes()
    rows = decided_rows(sheet)
    assert rows[0]["name"] == "=淀山湖" and rows[0]["note"] == "@checked"
    assert [(o.name, o.doc) for o in Overrides.load(sheet).rows] == [("=淀山湖", "=1+2")]
    # reviewing again into the same sheet changes nothing: no escape is doubled
    res = CliRunner().invoke(main, ["review", str(plan), "-o", str(sheet), "--overrides", str(sheet)])
    assert res.exit_code == 0, res.output
    assert sheet.read_bytes() == first
