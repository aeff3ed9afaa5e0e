"""National layers and kind-aware resolution.

The build script's name rules and the vendored layers are checked directly; the
resolution rules on a small synthetic gazetteer (made-up coordinates and codes,
two provinces side by side) so that each rule is seen failing on its own.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point, box

from geoplan import paths
from geoplan.gazetteer import Gazetteer
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.national import dictionary_names
from geoplan.geocode import Entity, Resolver, kinds
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Mention

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("build_national_layers", ROOT / "scripts" / "build_national_layers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


# --------------------------------------------------------------- build script
def test_station_names_add_zhan_and_keep_the_bare_name_as_alias():
    build = _script()
    assert build.station_names("南京南") == ("南京南站", ["南京南"])
    assert build.station_names("火车站") == ("火车站", [])
    assert build.station_names("新疆大学 شىنجاڭ داشۆ") == ("新疆大学站", ["新疆大学"])
    assert build.station_names("A") is None


def test_a_railway_station_named_after_its_city_is_also_written_without_it():
    build = _script()
    assert build.city_dropped("广州白云站", "广州") == "白云站"
    assert build.city_dropped("南京南站", "南京") is None  # 南站 alone says nothing
    assert build.city_dropped("白云站", "广州") is None and build.city_dropped("广州白云站", None) is None
    assert build.city_dropped("承德县北站", "承德") is None  # 县北站 would cut the county's name
    assert build.city_dropped("贵港南（预留）站", "贵港") is None
    assert build.city_dropped("钦州港东站", "钦州") is None and build.city_dropped("福州南站甬广场站", "福州") is None


def test_rail_aliases_follow_how_plans_write_lines():
    build = _script()
    names = {"沪苏湖高速线", "京沪线", "京沪高速线"}
    assert set(build.rail_aliases("沪苏湖高速线", names)) == {"沪苏湖高速铁路", "沪苏湖高铁", "沪苏湖铁路"}
    # 京沪铁路 is the conventional line: the high-speed one does not take it
    assert "京沪铁路" not in build.rail_aliases("京沪高速线", names)
    assert "京沪铁路" in build.rail_aliases("京沪线", names)


def test_metro_line_names_are_relative_to_their_city():
    build = _script()
    name, aliases = build.metro_line_names("上海", "上海地铁17号线")
    assert name == "上海地铁17号线"
    assert {"17号线", "上海轨道交通17号线", "上海市轨道交通17号线", "轨道交通17号线"} <= set(aliases)
    name, aliases = build.metro_line_names("北京", "北京地铁4号线/大兴线")
    assert name == "北京地铁4号线" and "大兴线" in aliases


def test_name_table_tells_two_rivers_of_one_spelling_apart_by_longitude():
    build = _script()
    table = build.read_names()
    assert build.name_row(table, "river", "Min", LineString([(103.5, 29), (104.5, 30)]))["name"] == "岷江"
    assert build.name_row(table, "river", "Min", LineString([(117.5, 26), (118.5, 27)]))["name"] == "闽江"
    assert build.name_row(table, "river", "Nowhere", LineString([(117.5, 26), (118.5, 27)])) is None


# ------------------------------------------------------------ vendored layers
def _layer(name: str) -> dict:
    return json.loads((paths.layers_dir() / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "name, licence",
    [("national_osm_stations.geojson", "ODbL-1.0"), ("national_osm_lines.geojson", "ODbL-1.0"),
     ("national_naturalearth.geojson", "public domain (Natural Earth)")],
)
def test_national_layers_carry_licence_source_and_rounded_coordinates(name, licence):
    layer = _layer(name)
    head = layer["geoplan"]
    assert head["origin"] == "national" and head["default_license"] == licence
    if licence.startswith("ODbL"):
        assert "© OpenStreetMap contributors" in head["default_source"]
    ids = [f["properties"]["id"] for f in layer["features"]]
    assert len(ids) == len(set(ids))
    for f in layer["features"][::97]:
        p = f["properties"]
        assert p["name"] and p["kind"] and p["precision_m"] > 0 and p.get("admin_code")
        coords = json.dumps(f["geometry"]["coordinates"])
        assert all(len(c.split(".")[1]) <= 5 for c in coords.replace("[", " ").replace("]", " ").replace(",", " ").split()
                   if "." in c)


def test_line_extents_are_not_lines_at_feature_precision():
    for f in _layer("national_osm_lines.geojson")["features"]:
        p = f["properties"]
        assert p["precision_class"] in ("town", "district", "city"), p["name"]
        assert "extent" in p["note"]


def test_natural_earth_features_have_chinese_names():
    names = {f["properties"]["name"] for f in _layer("national_naturalearth.geojson")["features"]}
    assert {"太湖", "巢湖", "长江", "黄河", "杭州湾", "上海浦东国际机场", "南京港", "永定河"} <= names
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)


# ------------------------------------------------------- synthetic gazetteer
P, Q = "980101", "990101"  # a county of province 98 (the plan's) and one of province 99


def _chain(code: str) -> tuple[str, ...]:
    return {"98": ("本省", "本市", "本县"), "99": ("外省", "外市", "外县")}[code[:2]]


def _f(fid, name, kind, geom, code, *, origin="national", aliases=(), precision_m=300.0, **extra):
    return GazetteerFeature(id=fid, name=name, kind=kind, geometry=geom, precision_m=precision_m, source="test fixture",
                            license="CC0-1.0", aliases=tuple(aliases), admin_code=code, admin_names=_chain(code),
                            origin=origin, extra=dict(extra))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer([
        _f("d98", "本县", "district", box(120.0, 30.0, 120.5, 30.5), P, origin="admin", aliases=("本",)),
        _f("d99", "外县", "district", box(121.0, 30.0, 121.5, 30.5), Q, origin="admin"),
        # a township and a lake sharing a stem; a district whose short form is a lake's name
        _f("t-yq", "雁栖镇", "town", Point(120.1, 30.1), P, origin="admin", aliases=("雁栖",)),
        _f("d-ch", "巢湖市", "district", box(120.2, 30.2, 120.3, 30.3), P, origin="admin", aliases=("巢湖",)),
        _f("lake-ch", "巢湖", "lake", box(120.35, 30.35, 120.45, 30.45), P, precision_m=2000.0),
        # a station named after a river, and the river
        _f("st-qt", "钱塘江站", "station", Point(120.2, 30.4), P, aliases=("钱塘江",)),
        _f("rv-qt", "钱塘江", "river", LineString([(120.0, 30.3), (120.5, 30.35)]), P, precision_m=2000.0),
        # numbered lines
        _f("ml-5", "本市地铁5号线", "metro_line", box(120.0, 30.0, 120.2, 30.2), P, aliases=("5号线",),
           precision_m=15000.0, precision_class="district"),
        # a homonym only in the other province
        _f("far-hx", "河西区", "district", box(121.1, 30.1, 121.2, 30.2), Q, origin="admin", aliases=("河西",)),
        # a national lake only in the other province
        _f("far-lake", "远湖", "lake", box(121.3, 30.3, 121.4, 30.4), Q, precision_m=2000.0),
    ])


HERE = Jurisdiction(code="980100", name="本市", level="city", feature_id="c9801")


def _ent(name: str, kind: str, sentence: str = "") -> Entity:
    sentence = sentence or f"推进{name}建设。"
    m = Mention(surface=name, name=name, kind=kind, span=(0, len(name)), raw_span=(0, len(name)), sentence=sentence,
                task_id="一", task_path="一、任务", theme="其他", origin="discovery")
    return Entity(name=name, kind=kind, doc="t", mentions=[m])


def test_a_lake_never_becomes_the_town_of_its_stem(gaz):
    loc = Resolver(gaz, HERE).resolve(_ent("雁栖湖", "lake"))
    assert not loc.located  # 雁栖湖 is in no layer: unresolved, not 雁栖镇


def test_a_lake_name_that_is_a_units_short_form_is_the_lake(gaz):
    loc = Resolver(gaz, HERE).resolve(_ent("巢湖", "lake"))
    assert loc.gazetteer_id == "lake-ch"
    assert Resolver(gaz, HERE).resolve(_ent("巢湖市", "district")).gazetteer_id == "d-ch"


def test_a_station_named_after_a_river_needs_zhan(gaz):
    assert Resolver(gaz, HERE).resolve(_ent("钱塘江", "river")).gazetteer_id == "rv-qt"
    assert Resolver(gaz, HERE).resolve(_ent("钱塘江站", "station")).gazetteer_id == "st-qt"


def test_numbers_in_names_match_whole(gaz):
    loc = Resolver(gaz, HERE).resolve(_ent("15号线西延伸", "metro_line"))
    assert loc.gazetteer_id != "ml-5"
    loc = Resolver(gaz, HERE).resolve(_ent("5号线西延伸", "metro_line"))
    assert loc.gazetteer_id == "ml-5"
    assert kinds.whole_at("S15号线", 2, 3) is False and kinds.whole_at("地铁5号线", 2, 3) is True


def test_an_extent_is_reported_at_its_declared_class(gaz):
    loc = Resolver(gaz, HERE).resolve(_ent("5号线", "metro_line"))
    assert loc.gazetteer_id == "ml-5" and loc.precision == "district"


def test_a_homonym_in_another_province_needs_evidence(gaz):
    # a short form of a far unit, or a national feature far away: the sentence must say where
    for name, kind, fid in (("河西", "district", "far-hx"), ("远湖", "lake", "far-lake")):
        loc = Resolver(gaz, HERE).resolve(_ent(name, kind))
        assert not loc.located and loc.unresolved_reason == "ambiguous", name
        loc = Resolver(gaz, HERE).resolve(_ent(name, kind, f"学习外市{name}经验。"))
        assert loc.gazetteer_id == fid
    # a unit written out in full is the unit the plan names, wherever it is
    assert Resolver(gaz, HERE).resolve(_ent("河西区", "district")).gazetteer_id == "far-hx"


def test_dictionary_leaves_out_bare_station_names_and_far_line_numbers(gaz):
    st = gaz.get("st-qt")
    assert dictionary_names(st, near=True) == ("钱塘江站",)
    assert dictionary_names(st, near=False) == ()
    line = gaz.get("ml-5")
    assert dictionary_names(line, near=True) == ("本市地铁5号线", "5号线")
    assert dictionary_names(line, near=False) == ("本市地铁5号线",)


# ------------------------------------------------------------ real gazetteer
NANJING = Jurisdiction(code="320100", name="南京市", level="city", feature_id="cn-320100")


@pytest.mark.parametrize(
    "name, kind, want_kind",
    [("南京南站", "station", "station"), ("长江", "river", "river"), ("禄口国际机场", "hub", "hub"),
     ("4号线", "metro_line", "metro_line")],
)
def test_real_national_names_resolve_in_a_nanjing_plan(gazetteer, name, kind, want_kind):
    loc = Resolver(gazetteer, NANJING).resolve(_ent(name, kind))
    assert loc.located, loc.reason
    f = gazetteer.get(loc.gazetteer_id)
    codes = [f.admin_code, *f.extra.get("admin_codes", ())]
    assert f.kind == want_kind and any(c.startswith("3201") for c in codes)
    if kind == "metro_line":
        assert loc.precision != "feature"  # an extent, not the line's course
    assert not math.isnan(loc.geometry.representative_point().x)
