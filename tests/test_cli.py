"""The command line: help everywhere, exit codes scripts can rely on, partial failure loses nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geoplan.cli import main

EXAMPLE = """上海市青浦区生态建设要点
一、总体要求
统筹保护淀山湖生态环境。
二、主要任务
(一)水环境
1.推进淀山湖和元荡岸线修复。
(二)交通
1.建设朱家角站周边接驳道路。
"""


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("args", [(), *_commands(main)])
def test_help_on_every_command(args):
    res = CliRunner().invoke(main, [*args, "--help"])
    assert res.exit_code == 0, res.output
    assert "Usage:" in res.output


def test_build_reports_a_bad_file_and_still_writes_the_good_one(tmp_path, gazetteer):
    good = tmp_path / "good.txt"
    good.write_text(EXAMPLE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(good), str(empty), str(binary), "--out", str(out)])
    assert res.exit_code == 3, res.output
    assert "empty.txt" in res.output and "image.txt" in res.output
    gj = json.loads((out / "layers" / "features.geojson").read_text(encoding="utf-8"))
    names = {f["properties"]["name"] for f in gj["features"]}
    assert {"淀山湖", "元荡", "朱家角站"} <= names
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["errors"]) == 2
    assert (out / "maps" / "index.html").exists()


def test_build_gb18030_plan(tmp_path, gazetteer):
    plan = tmp_path / "gbk.txt"
    plan.write_bytes(EXAMPLE.encode("gb18030"))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(out)])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["plans"][0]["encoding"].lower().replace("-", "") in ("gb18030", "gbk", "gb2312")
    assert report["located"] >= 3


def test_missing_plan_exit_code(tmp_path):
    res = CliRunner().invoke(main, ["build", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 3
    assert "nope.txt" in res.output


def test_broken_overrides_exit_code(tmp_path, gazetteer):
    plan = tmp_path / "p.txt"
    plan.write_text(EXAMPLE, encoding="utf-8")
    ov = tmp_path / "ov.csv"
    ov.write_text("name,lon,lat\n淀山湖,abc,31\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(tmp_path / "o"), "--overrides", str(ov)])
    assert res.exit_code == 5
    assert "ov.csv" in res.output and "row 2" in res.output


def test_outline_and_extract_commands(tmp_path, gazetteer):
    plan = tmp_path / "p.txt"
    plan.write_text(EXAMPLE, encoding="utf-8")
    res = CliRunner().invoke(main, ["outline", str(plan), "--json"])
    assert res.exit_code == 0, res.output
    tree = json.loads(res.output)
    assert "二" in json.dumps(tree, ensure_ascii=False)
    res = CliRunner().invoke(main, ["extract", str(plan), "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert {"淀山湖", "元荡", "朱家角站"} <= {r["name"] for r in rows}
    for r in rows:
        assert EXAMPLE[r["raw_start"] : r["raw_end"]] == r["surface"]
        assert 0 < r["name_confidence"] <= 1


def test_extract_rejected_lists_what_is_not_a_place(tmp_path, gazetteer):
    from geoplan.extract.rejected import RULES

    plan = tmp_path / "p.txt"
    plan.write_text("一、生态\n完善淀山湖周边服务中心功能，推进城中村改造和开发区整合。\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["extract", str(plan), "--rejected", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and all(r["rule"] in RULES and r["reason"] == RULES[r["rule"]] for r in rows)
    assert "淀山湖" not in {r["surface"] for r in rows}
    res = CliRunner().invoke(main, ["extract", str(plan), "--rejected"])
    assert res.exit_code == 0 and rows[0]["surface"] in res.output


def test_gazetteer_search_stats_and_validate(gazetteer):
    runner = CliRunner()
    res = runner.invoke(main, ["gazetteer", "search", "练塘镇", "--within", "青浦区", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and all("青浦区" in r["admin"] for r in rows)
    # a village: no position anywhere, so it is listed with the township it would be placed at
    res = runner.invoke(main, ["gazetteer", "search", "东庄村", "--within", "青浦区"])
    assert res.exit_code == 0, res.output
    assert "练塘镇" in res.output and "village-list" in res.output and "placed at its township" in res.output
    res = runner.invoke(main, ["gazetteer", "search", "不存在的地名甲乙"])
    assert res.exit_code == 1 and "no feature named" in res.output
    res = runner.invoke(main, ["gazetteer", "search", "练塘镇", "--within", "不存在县"])
    assert res.exit_code != 0 and "不存在县" in res.output
    stats = json.loads(runner.invoke(main, ["gazetteer", "stats"]).output)
    assert stats["townships_with_code"] > 38000 and stats["townships"] >= stats["townships_with_code"]
    res = runner.invoke(main, ["gazetteer", "validate"])
    assert res.exit_code == 0, res.output
