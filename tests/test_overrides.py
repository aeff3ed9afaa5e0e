"""The review loop: overrides files, their errors, and `geoplan review` → edit → `geoplan build`.

The plan used end to end is written here, in the test's own words, naming real
places of 青浦 (and 双林镇, which 青浦 does not have) so that the real
gazetteer decides.
"""

from __future__ import annotations

import csv
import json
import io
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point

from geoplan.cli import main
from geoplan.errors import OverrideError
from geoplan.geocode import Entity, Overrides, Resolver
from geoplan.geocode.review import COLUMNS, review_rows
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Mention
from geoplan.datum import wgs84_to_bd09, wgs84_to_gcj02

QINGPU = Jurisdiction(code="310118", name="青浦区", level="district", feature_id="cn-310118")
HUZHOU = Jurisdiction(code="330500", name="湖州市", level="city", feature_id="cn-330500")
#: a point in 青浦's 淀山湖 area, WGS-84
LON, LAT = 120.95, 31.12


def _write(tmp_path: Path, text: str, name: str = "o.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _ent(name: str, kind: str = "village", doc: str = "000_test") -> Entity:
    m = Mention(surface=name, name=name, kind=kind, span=(0, len(name)), raw_span=(0, len(name)),
                sentence=f"推进{name}建设。", task_id="一", task_path="一、任务", theme="其他", origin="discovery",
                doc=doc)
    return Entity(name=name, kind=kind, doc=doc, mentions=[m])


# ------------------------------------------------------------------ decisions
def test_override_by_gazetteer_id(tmp_path, gazetteer):
    p = _write(tmp_path, "name,gazetteer_id,note\n淀湾村,qingpu-village-xicen,planner: same place\n")
    loc = Resolver(gazetteer, QINGPU, Overrides.load(p)).resolve(_ent("淀湾村"))
    assert loc.method == "override" and loc.confidence == 1.0
    assert loc.gazetteer_id == "qingpu-village-xicen"
    assert loc.geometry.equals(gazetteer.get("qingpu-village-xicen").geometry)
    assert loc.source and "row 2" in loc.reason and "planner: same place" in loc.reason


def test_override_by_gazetteer_id_keeps_the_unit_precision(tmp_path, gazetteer):
    p = _write(tmp_path, "name,gazetteer_id\n某村,cn-310118110\n")  # 白鹤镇, a township point
    loc = Resolver(gazetteer, QINGPU, Overrides.load(p)).resolve(_ent("某村"))
    assert loc.method == "override" and loc.precision == "town" and loc.gazetteer_id == "cn-310118110"


def test_override_written_with_a_pre_code_township_id_still_resolves(tmp_path, gazetteer):
    """Review sheets from before townships had official codes used a hash id."""
    p = _write(tmp_path, "name,gazetteer_id\n某村,cn-310118-t3dec9983\n")  # 白鹤镇's old id
    loc = Resolver(gazetteer, QINGPU, Overrides.load(p)).resolve(_ent("某村"))
    assert loc.method == "override" and loc.gazetteer_id == "cn-310118110"


@pytest.mark.parametrize("crs, convert", [("EPSG:4326", None), ("GCJ-02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_override_by_coordinates_in_each_datum(tmp_path, gazetteer, crs, convert):
    lon, lat = convert(LON, LAT) if convert else (LON, LAT)
    if convert:
        assert abs(lon - LON) > 1e-3  # the datums really differ here
    p = _write(tmp_path, f"name,lon,lat,crs,precision_m\n淀湾村,{lon!r},{lat!r},{crs},50\n")
    loc = Resolver(gazetteer, QINGPU, Overrides.load(p)).resolve(_ent("淀湾村"))
    assert loc.method == "override"
    # the stored point is WGS-84, within a metre of the true one
    assert loc.geometry.distance(Point(LON, LAT)) * 111_320 < 1.0
    assert loc.precision_m == 50.0
    assert loc.source_crs in ("EPSG:4326", "GCJ-02", "BD-09")
    assert loc.source_crs == {"EPSG:4326": "EPSG:4326", "GCJ-02": "GCJ-02", "bd09": "BD-09"}[crs]
    assert loc.source


def test_default_crs_and_radius(tmp_path, gazetteer):
    p = _write(tmp_path, f"name,lon,lat\n淀湾村,{LON},{LAT}\n")
    loc = Resolver(gazetteer, QINGPU, Overrides.load(p)).resolve(_ent("淀湾村"))
    assert (loc.geometry.x, loc.geometry.y) == (LON, LAT)
    assert loc.source_crs == "EPSG:4326" and loc.precision_m > 0


# ------------------------------------------------------------------- scoping
SCOPED = (
    "name,doc,jurisdiction,gazetteer_id\n"
    "西岑,,,qingpu-station-xicen\n"
    "西岑,000,,qingpu-village-xicen\n"
    "西岑,,湖州,huzhou-town-zhili\n"
    "西岑,003_other,,huzhou-town-qianyuan\n"
)


def test_scope_by_doc_beats_unscoped(tmp_path, gazetteer):
    ov = Overrides.load(_write(tmp_path, SCOPED))
    assert ov.match("西岑", "000_72d84e", QINGPU).gazetteer_id == "qingpu-village-xicen"
    assert ov.match("西岑", "001_abc", QINGPU).gazetteer_id == "qingpu-station-xicen"
    # "000" is a plan id, not a prefix of any string: 0001 is another plan
    assert ov.match("西岑", "0001_x", QINGPU).gazetteer_id == "qingpu-station-xicen"
    assert ov.match("西岑", "003_other", HUZHOU).gazetteer_id == "huzhou-town-qianyuan"


def test_scope_by_jurisdiction(tmp_path, gazetteer):
    ov = Overrides.load(_write(tmp_path, SCOPED))
    assert ov.match("西岑", "001_abc", HUZHOU).gazetteer_id == "huzhou-town-zhili"  # short form 湖州
    assert ov.match("西岑", "001_abc", None).gazetteer_id == "qingpu-station-xicen"
    assert ov.match("东岑", "000_x", QINGPU) is None
    by_code = Overrides.load(_write(tmp_path, "name,jurisdiction,gazetteer_id\n西岑,330500,huzhou-town-zhili\n", "c.csv"))
    assert by_code.match("西岑", "x", HUZHOU).gazetteer_id == "huzhou-town-zhili"
    assert by_code.match("西岑", "x", QINGPU) is None
    # the resolver applies only the decision of its own plan
    loc = Resolver(gazetteer, QINGPU, by_code).resolve(_ent("西岑"))
    assert loc.method == "alias" and loc.gazetteer_id == "qingpu-village-xicen"


def test_undecided_rows_are_ignored(tmp_path, gazetteer):
    text = "name,doc,gazetteer_id,lon,lat,crs,status\n西岑,000,,,,EPSG:4326,ambiguous\n,,,,,,\n淀湾村,,,1,2,,\n"
    ov = Overrides.load(_write(tmp_path, text))
    assert len(ov) == 1
    assert ov.match("西岑", "000_x", QINGPU) is None


def test_gb18030_file(tmp_path, gazetteer):
    p = _write(tmp_path, "name,gazetteer_id\n淀湾村,qingpu-village-xicen\n", encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        p.read_bytes().decode("utf-8")
    ov = Overrides.load(p)
    assert ov.match("淀湾村", "x", None).gazetteer_id == "qingpu-village-xicen"


def test_review_sheet_with_bom_reads_back(tmp_path):
    p = _write(tmp_path, "\ufeffname,gazetteer_id\n淀湾村,qingpu-village-xicen\n")
    assert len(Overrides.load(p)) == 1


# -------------------------------------------------------------- bad files
@pytest.mark.parametrize(
    "text, row, words",
    [
        ("nom,gazetteer_id\n西岑,qingpu-village-xicen\n", None, "name"),
        ("name,lon,lat\n西岑,121.0,31.1\n淀湾村,东经121,31.1\n", 3, "number"),
        ("name,lon,lat\n西岑,,31.1\n", 2, "number"),
        ("name,lon,lat\n西岑,200,31.1\n", 2, "out of range"),
        ("name,lon,lat\n西岑,31.1,121.0\n", 2, "out of range"),
        ("name,lon,lat\n西岑,nan,31\n", 2, "out of range"),
        ("name,lon,lat,crs\n西岑,121,31,EPSG:2385\n", 2, "EPSG:2385"),
        ("name,gazetteer_id,precision_m\n西岑,qingpu-village-xicen,about 50\n", 2, "precision_m"),
        ("name,gazetteer_id,precision_m\n西岑,qingpu-village-xicen,-5\n", 2, "precision_m"),
        ("name,gazetteer_id\n,qingpu-village-xicen\n", 2, "without a name"),
    ],
)
def test_malformed_rows_name_file_and_row(tmp_path, text, row, words):
    p = _write(tmp_path, text)
    with pytest.raises(OverrideError) as err:
        Overrides.load(p)
    assert err.value.path == str(p)
    assert err.value.row == row
    assert str(p) in str(err.value)
    assert words in str(err.value)
    if row is not None:
        assert f"row {row}" in str(err.value)


@pytest.mark.parametrize("gid, words", [("no-such-id", "unknown gazetteer id"), ("cn-330523111", "no position")])
def test_unknown_gazetteer_id_fails_before_any_point(tmp_path, gazetteer, gid, words):
    # the row names a place the plan may not even mention: it still fails, up front
    p = _write(tmp_path, f"name,gazetteer_id\n西岑,qingpu-village-xicen\n别处,{gid}\n")
    ov = Overrides.load(p)
    with pytest.raises(OverrideError) as err:
        Resolver(gazetteer, QINGPU, ov)
    assert err.value.row == 3 and str(p) in str(err.value) and words in str(err.value)


def test_binary_and_missing_files(tmp_path):
    png = tmp_path / "sheet.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(OverrideError, match="binary") as err:
        Overrides.load(png)
    assert str(png) in str(err.value)
    with pytest.raises(OverrideError, match="cannot read"):
        Overrides.load(tmp_path / "nope.csv")
    undecodable = tmp_path / "latin.csv"
    undecodable.write_bytes(b"name,lon\n\xff\xfe\xfd\xfc,1\n")
    with pytest.raises(OverrideError):
        Overrides.load(undecodable)


# ------------------------------------------------------------ the review loop
PLAN = """上海市青浦区乡村振兴专项规划(测试稿)

一、总体要求
坚持生态优先,推动青浦区协调发展。

二、主要任务
(一)优化村庄布局
1.建设特色村庄
推进金泽镇西岑社区更新,完善西岑社区公共服务。推进蔡泖村、淀湾村人居环境整治。与双林镇开展结对合作。
2.完善公共服务
建设练塘镇社区卫生服务中心,提升基层医疗水平。
"""


def _sheet(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_review_then_build_with_the_edited_sheet(tmp_path, gazetteer):
    plan = tmp_path / "qingpu_test.txt"
    plan.write_text(PLAN, encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    runner = CliRunner()

    res = runner.invoke(main, ["review", str(plan), "-o", str(sheet)])
    assert res.exit_code == 0, res.output
    rows = _sheet(sheet)
    assert list(rows[0]) == list(COLUMNS)
    by_name = {r["name"]: r for r in rows}
    assert by_name["淀湾村"]["status"] == "not-found"
    assert by_name["双林镇"]["status"] == "ambiguous"
    assert "cn-330503102" in by_name["双林镇"]["candidates"]  # the planner can pick it from here
    assert by_name["练塘镇社区卫生服务中心"]["status"] == "fallback-town"  # placed at its township only
    assert by_name["练塘镇社区卫生服务中心"]["current_method"] == "contained-name"
    assert "西岑社区" not in by_name  # confidently placed: nothing to decide
    assert all(r["doc"] == "qingpu_test" and r["jurisdiction"] == "青浦区" for r in rows)
    assert f"{len(rows)} feature(s)" in res.output

    # the planner decides two rows and leaves the others blank
    gcj = wgs84_to_gcj02(LON, LAT)
    for r in rows:
        if r["name"] == "淀湾村":
            r.update(lon=f"{gcj[0]:.7f}", lat=f"{gcj[1]:.7f}", crs="GCJ-02", note="surveyed")
        if r["name"] == "双林镇":
            r["gazetteer_id"] = "cn-330503102"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    w.writeheader()
    w.writerows(rows)
    sheet.write_text(buf.getvalue(), encoding="gb18030")  # saved by Excel on a Chinese Windows

    out = tmp_path / "out"
    res = runner.invoke(main, ["build", str(plan), "--out", str(out), "--overrides", str(sheet)])
    assert res.exit_code == 0, res.output
    feats = gpd.read_file(out / "layers" / "features.geojson").set_index("name")
    assert feats.loc["淀湾村", "method"] == "override"
    assert feats.loc["淀湾村", "geometry"].distance(Point(LON, LAT)) * 111_320 < 1.0
    assert feats.loc["淀湾村", "source_crs"] == "GCJ-02"
    assert feats.loc["双林镇", "method"] == "override"
    assert feats.loc["双林镇", "gazetteer_id"] == "cn-330503102"
    assert feats.loc["练塘镇社区卫生服务中心", "method"] == "contained-name"  # left blank: unchanged
    assert not feats.loc["蔡泖村", "located"]

    # reviewing again with the decisions: only the undecided remain
    again = tmp_path / "again.csv"
    res = runner.invoke(main, ["review", str(plan), "-o", str(again), "--overrides", str(sheet)])
    assert res.exit_code == 0, res.output
    rows = _sheet(again)
    left = {r["name"] for r in rows if r["status"] != "decided"}
    assert "淀湾村" not in left and "双林镇" not in left
    assert {"蔡泖村", "练塘镇社区卫生服务中心"} <= left
    # ...and the decisions travel with the new sheet, first and unchanged
    decided = {r["name"]: r for r in rows if r["status"] == "decided"}
    assert set(decided) == {"淀湾村", "双林镇"} and [r["status"] for r in rows[:2]] == ["decided"] * 2
    assert decided["双林镇"]["gazetteer_id"] == "cn-330503102" and decided["淀湾村"]["crs"] == "GCJ-02"
    assert f"{len(left)} feature(s)" in res.output

    # reviewing into the very sheet that holds the decisions loses none of them
    res = runner.invoke(main, ["review", str(plan), "-o", str(sheet), "--overrides", str(sheet)])
    assert res.exit_code == 0, res.output
    assert {r["name"] for r in _sheet(sheet) if r["status"] == "decided"} == {"淀湾村", "双林镇"}
    res = runner.invoke(main, ["build", str(plan), "--out", str(tmp_path / "out2"), "--overrides", str(sheet)])
    assert res.exit_code == 0, res.output
    feats = gpd.read_file(tmp_path / "out2" / "layers" / "features.geojson").set_index("name")
    assert feats.loc["淀湾村", "method"] == "override" and feats.loc["双林镇", "method"] == "override"


def test_review_does_not_overwrite_a_sheet_it_cannot_read(tmp_path, gazetteer):
    plan = tmp_path / "qingpu_test.txt"
    plan.write_text(PLAN, encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    broken = b"name,lon,lat\n\xe6\xb7\x80,121.0,north\n"  # a decision a build would reject
    sheet.write_bytes(broken)
    res = CliRunner().invoke(main, ["review", str(plan), "-o", str(sheet)])
    assert res.exit_code == OverrideError.exit_code and "row 2" in res.output
    assert sheet.read_bytes() == broken


def test_build_stops_on_a_broken_sheet(tmp_path, gazetteer):
    plan = tmp_path / "qingpu_test.txt"
    plan.write_text(PLAN, encoding="utf-8")
    sheet = _write(tmp_path, "name,lon,lat\n淀湾村,121.0,north\n")
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(tmp_path / "o"), "--overrides", str(sheet)])
    assert res.exit_code == OverrideError.exit_code
    assert "row 2" in res.output and str(sheet) in res.output
    assert not (tmp_path / "o" / "layers" / "features.geojson").exists()


def test_review_threshold(tmp_path, gazetteer):
    from geoplan.pipeline import build

    plan = tmp_path / "qingpu_test.txt"
    plan.write_text(PLAN, encoding="utf-8")
    result = build([plan], None, gazetteer=gazetteer)
    low = {r["name"] for r in review_rows(result, below=0.6)}
    high = {r["name"] for r in review_rows(result, below=0.99)}
    assert low < high  # a stricter threshold lists confidently placed features too
    assert all(not f.location.located or f.location.confidence < 0.6 for p in result.plans for f in p.features
               if f.name in low)


def test_unclosed_quote_is_an_error_not_a_silent_no_op(tmp_path):
    p = _write(tmp_path, 'name,lon,lat\n"淀湾村,121.0,31.1\n西岑,121.1,31.1\n')
    with pytest.raises(OverrideError, match="not a readable CSV"):
        Overrides.load(p)


def test_review_lists_confident_placements_outside_the_jurisdiction(tmp_path, gazetteer):
    from geoplan.pipeline import build

    plan = tmp_path / "huzhou_test.txt"
    plan.write_text("湖州市生态建设要点(测试稿)\n一、主要任务\n1.学习淀山湖水环境治理经验,推进太湖南岸生态修复。\n",
                    encoding="utf-8")
    result = build(plan, gazetteer=gazetteer)
    rows = {r["name"]: r for r in review_rows(result, below=0.6)}
    lake = next(f for f in result.plans[0].features if f.name == "淀山湖")
    assert lake.location.located and lake.location.confidence >= 0.6  # confident, yet outside 湖州
    assert rows["淀山湖"]["status"] == "placed-outside"
    assert rows["淀山湖"]["current_method"] in ("exact", "alias")


def test_a_decision_no_plan_names_is_reported(tmp_path, gazetteer):
    plan = tmp_path / "qingpu_test.txt"
    plan.write_text(PLAN, encoding="utf-8")
    sheet = _write(tmp_path, "name,lon,lat\n淀湾村,121.0,31.1\n淀弯村,121.0,31.1\n")  # the second is a typo
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(tmp_path / "o"), "--overrides", str(sheet)])
    assert res.exit_code == 0, res.output
    assert "row 3" in res.output and "淀弯村" in res.output and "not used" in res.output
    report = json.loads((tmp_path / "o" / "report.json").read_text("utf-8"))
    assert [u["name"] for u in report["unused_overrides"]] == ["淀弯村"]


def test_a_huge_stale_sheet_makes_a_short_report(tmp_path, gazetteer):
    """1,200 decisions no plan names: 20 warned one by one, then a count; report.json lists 1,000 and the total."""
    plan = tmp_path / "qingpu_test.txt"
    plan.write_text(PLAN, encoding="utf-8")
    rows = "".join(f"不存在村{i},121.0,31.1\n" for i in range(1200))
    sheet = _write(tmp_path, "name,lon,lat\n" + rows)
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(tmp_path / "o"), "--overrides", str(sheet)])
    assert res.exit_code == 0, res.output
    warned = [ln for ln in res.output.splitlines() if "不存在村" in ln]
    assert len(warned) == 20
    assert "1180 more" in res.output
    report = json.loads((tmp_path / "o" / "report.json").read_text("utf-8"))
    assert len(report["unused_overrides"]) == 1000 and report["unused_overrides_total"] == 1200


def test_an_unreadable_plan_is_reported_once(tmp_path):
    """The real command (its own logging, not pytest's): one line for the plan that could not be read."""
    import subprocess
    import sys

    good = tmp_path / "qingpu_test.txt"
    good.write_text(PLAN, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "build", str(good), str(empty), "--out", str(tmp_path / "o"),
                          "--jobs", "1"], capture_output=True, text=True)
    assert run.returncode == 3, run.stderr
    assert sum("empty.txt" in ln for ln in run.stderr.splitlines()) == 1, run.stderr
