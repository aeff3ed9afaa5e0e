"""Reproducers of issue 19 about what a build is given: equal stems, run-on plans, override sheets.

- two plans with the same file stem (``a/plan.txt``, ``b/plan.txt``) shared feature ids;
- a plan without line breaks gave 0 features and no warning;
- conflicting override rows were resolved silently (first wins);
- every unused override was warned twice, each of a million rows.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import corpus_file
from geoplan.cli import MAX_LISTED_WARNINGS, main
from geoplan.errors import OverrideError
from geoplan.geocode.overrides import Overrides
from geoplan.normalize import Tracked, normalize
from geoplan.normalize.runon import split_run_on
from geoplan.pipeline import Context, plan_ids, process_plan
from geoplan.read import read_plan

PLAN = """上海市青浦区生态建设要点
一、主要任务
(一)水环境
1.推进淀山湖和元荡岸线修复。
"""


# ------------------------------------------------------------------ plan ids
def test_plan_ids_unique_for_equal_stems(tmp_path):
    paths = [tmp_path / "a" / "plan.txt", tmp_path / "b" / "plan.txt", tmp_path / "plan_2.txt", tmp_path / "c" / "plan.txt"]
    assert plan_ids(paths) == ["plan", "plan_3", "plan_2", "plan_4"]
    assert plan_ids([tmp_path / "x.txt", tmp_path / "y.docx"]) == ["x", "y"]


def test_build_of_equal_stems_has_distinct_ids(tmp_path, gazetteer):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "plan.txt").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(tmp_path / "a" / "plan.txt"), str(tmp_path / "b" / "plan.txt"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    feats = json.loads((out / "layers" / "features.geojson").read_text(encoding="utf-8"))["features"]
    ids = [f["properties"]["id"] for f in feats]
    assert len(ids) == len(set(ids))
    assert {f["properties"]["doc"] for f in feats} == {"plan", "plan_2"}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(p["doc"], p["file"].split("/")[-2]) for p in report["plans"]] == [("plan", "a"), ("plan_2", "b")]


# ------------------------------------------------------------- run-on plans
@pytest.fixture(scope="module")
def ctx(gazetteer):
    return Context(gazetteer=gazetteer)


@pytest.mark.corpus
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_one_line_plan_is_extracted_like_the_original(tmp_path, ctx, prefix):
    src = corpus_file(prefix)
    flat = tmp_path / f"{src.stem}.txt"
    flat.write_text(src.read_text(encoding="utf-8").replace("\r", "").replace("\n", ""), encoding="utf-8")
    lined = {(f.name, f.location.located) for f in process_plan(src, ctx).features}
    one = process_plan(flat, ctx)
    got = {(f.name, f.location.located) for f in one.features}
    assert len(got & lined) >= 0.9 * len(lined), sorted(lined - got)[:20]
    # the spans still point at what was written, in the one-line text
    norm = normalize(one.raw)
    for m in one.mentions:
        assert norm.text[m.span[0]:m.span[1]] == m.surface
        assert "\n" not in one.raw.text[m.raw_span[0]:m.raw_span[1]]


@pytest.mark.corpus
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_plans_with_line_breaks_are_left_alone(prefix):
    text = read_plan(corpus_file(prefix)).text
    assert split_run_on(Tracked(text)).text == text


# ---------------------------------------------------------------- overrides
def test_conflicting_override_rows_name_both(tmp_path):
    sheet = tmp_path / "ov.csv"
    sheet.write_text("name,doc,lon,lat\n淀山湖,,121.0,31.1\n元荡,,121.0,31.1\n淀山湖,,120.9,31.0\n", encoding="utf-8")
    with pytest.raises(OverrideError, match=r"row 4: rows 2 and 4 decide '淀山湖' differently"):
        Overrides.load(sheet)


def test_repeated_or_differently_scoped_rows_are_fine(tmp_path):
    sheet = tmp_path / "ov.csv"
    sheet.write_text("name,doc,lon,lat\n淀山湖,,121.0,31.1\n淀山湖,,121.0,31.1\n淀山湖,other,120.9,31.0\n", encoding="utf-8")
    assert len(Overrides.load(sheet)) == 3


def test_each_unused_override_warned_once_then_a_count(tmp_path, gazetteer):
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    sheet = tmp_path / "ov.csv"
    rows = "".join(f"无此地{i}号,,121.0,31.1\n" for i in range(MAX_LISTED_WARNINGS + 5))
    sheet.write_text("name,doc,lon,lat\n" + rows, encoding="utf-8")
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(tmp_path / "out"), "--overrides", str(sheet)])
    assert res.exit_code == 0, res.output
    listed = [ln for ln in res.output.splitlines() if "no plan names" in ln]
    assert len(listed) == MAX_LISTED_WARNINGS == len(set(listed))
    assert sum("5 more override row(s)" in ln for ln in res.output.splitlines()) == 1
    assert not any("matches no name" in ln for ln in res.output.splitlines())
