"""Lines drawn through the stations a plan names, projects placed at the unit written before them,
and far homonyms (rivers through the province, curated features of another province) decided honestly.

A synthetic gazetteer (coordinates made up for the test) so that each rule is
seen alone: anchors in the same clause, no anchor lent by another line, the
extent as a check, honest precision by the distance between anchors; the
sentence fallback placed at one unit only, never for a lake; the review sheet
listing what needs a planner most first.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from shapely.geometry import LineString, Point, box

from geoplan.gazetteer import Gazetteer
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode import Resolver
from geoplan.geocode.review import review_rows
from geoplan.geocode.stage import locate
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Entity, Location, Mention, PlanFeature

P, N, Q = "980101", "980102", "990101"  # two counties of the plan's city, one of another province


def _chain(code: str, *below: str) -> tuple[str, ...]:
    return {"9801": ("本省", "本市"), "9802": ("本省", "他市"), "9901": ("外省", "外市")}[code[:4]] + (
        {"980101": "本县", "980102": "邻县", "980201": "他县", "990101": "外县"}[code[:6]], *below)


def _f(fid, name, kind, geom, code, *, origin="national", aliases=(), precision_m=300.0, below=(), **extra):
    return GazetteerFeature(id=fid, name=name, kind=kind, geometry=geom, precision_m=precision_m, source="test fixture",
                            license="CC0-1.0", aliases=tuple(aliases), admin_code=code,
                            admin_names=_chain(code[:6], *below), origin=origin, extra=dict(extra))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer([
        _f("d-ben", "本县", "district", box(120.0, 30.0, 120.5, 30.5), P, origin="admin", aliases=("本",)),
        _f("d-lin", "邻县", "district", box(120.5, 30.0, 121.0, 30.5), N, origin="admin", aliases=("邻城",)),
        _f("d-wai", "外县", "district", box(122.0, 30.0, 122.5, 30.5), Q, origin="admin"),
        _f("s-nan", "南湖街道", "street", Point(120.2, 30.2), P + "001", origin="admin", precision_m=2000.0,
           below=("南湖街道",)),
        _f("s-yj", "沿江街道", "street", Point(120.3, 30.3), P + "002", origin="admin", precision_m=2000.0,
           aliases=("沿江",), below=("沿江街道",)),
        # three stations 5–6 km apart along a made-up line, one far away
        _f("st-a", "甲站", "station", Point(120.10, 30.10), P),
        _f("st-b", "乙站", "station", Point(120.15, 30.14), P),
        _f("st-c", "丙站", "station", Point(120.20, 30.18), P),
        _f("st-far", "远站", "station", Point(120.90, 30.45), N),
        # a metro line known only by its extent (no course), around 甲乙丙
        _f("ml-1", "本市地铁1号线", "metro_line", box(120.08, 30.08, 120.22, 30.20), P, aliases=("1号线",),
           precision_m=9000.0, precision_class="district"),
        # hand-curated features of the other province: a generic short name, a long proper one
        _f("cur-ring", "外环高速", "road", LineString([(122.1, 30.1), (122.3, 30.2)]), Q, origin="curated",
           aliases=("外环",)),
        _f("cur-hub", "外市国际开放枢纽", "hub", Point(122.2, 30.3), Q, origin="curated", aliases=("开放枢纽",)),
        _f("cur-lake", "外山湖", "lake", box(122.3, 30.3, 122.4, 30.4), Q, origin="curated", precision_m=1000.0),
        _f("cur-town", "新桥镇", "town", Point(122.1, 30.45), Q, origin="curated", aliases=("新桥",), precision_m=2000.0),
        # a river whose own code is in another province, which runs through this province
        # (another city of it) but not through the plan's city
        _f("rv-long", "长河", "river", LineString([(121.1, 30.6), (122.4, 30.4)]), Q, precision_m=2000.0,
           admin_codes=["980201", Q]),
    ])


HERE = Jurisdiction(code="980100", name="本市", level="city", feature_id="c9801")


def _ent(name: str, kind: str, sentence: str = "") -> Entity:
    sentence = sentence or f"推进{name}建设。"
    at = max(0, sentence.find(name))
    m = Mention(surface=name, name=name, kind=kind, span=(at, at + len(name)), raw_span=(at, at + len(name)),
                sentence=sentence, task_id="一", task_path="一、任务", theme="其他", origin="discovery")
    return Entity(name=name, kind=kind, doc="t", mentions=[m])


def _placed(gaz, sentence: str, names: list[tuple[str, str]]) -> dict[str, Location]:
    return {p.entity.name: p.location for p in locate([_ent(n, k, sentence) for n, k in names], gaz, HERE)}


# ------------------------------------------------------------------ lines
def test_a_line_is_drawn_through_the_stations_named_in_its_clause(gaz):
    got = _placed(gaz, "建设本城际铁路，设甲站、乙站、丙站。", [("本城际铁路", "rail"), ("甲站", "station")])
    assert not got["本城际铁路"].located  # the stations are in another clause: no anchor
    got = _placed(gaz, "建设本城际铁路（甲站、乙站、丙站）。",
                  [("本城际铁路", "rail"), ("甲站", "station"), ("乙站", "station"), ("丙站", "station")])
    loc = got["本城际铁路"]
    assert loc.method == "derived" and loc.geometry.geom_type == "LineString"
    assert loc.precision == "feature"  # three anchors a few km apart
    assert [tuple(round(v, 2) for v in c) for c in loc.geometry.coords] in (
        [(120.1, 30.1), (120.15, 30.14), (120.2, 30.18)], [(120.2, 30.18), (120.15, 30.14), (120.1, 30.1)])
    assert "甲站" in loc.reason and "丙站" in loc.reason


def test_a_station_of_another_line_in_the_clause_is_no_anchor(gaz):
    got = _placed(gaz, "建设本城际铁路和2号线甲站、乙站。",
                  [("本城际铁路", "rail"), ("甲站", "station"), ("乙站", "station")])
    assert not got["本城际铁路"].located


def test_an_extent_is_replaced_only_by_anchors_inside_it(gaz):
    one = _placed(gaz, "1号线设甲站。", [("1号线", "metro_line"), ("甲站", "station")])["1号线"]
    assert one.gazetteer_id == "ml-1" and one.precision == "district"  # one anchor: the extent stays
    two = _placed(gaz, "1号线设甲站、丙站。", [("1号线", "metro_line"), ("甲站", "station"), ("丙站", "station")])
    assert two["1号线"].method == "derived" and two["1号线"].candidates == ("ml-1",)
    far = _placed(gaz, "1号线设甲站、远站。", [("1号线", "metro_line"), ("甲站", "station"), ("远站", "station")])
    assert far["1号线"].gazetteer_id == "ml-1"  # 远站 lies outside the line's extent
    other = _placed(gaz, "完成机场快线甲站、1号线丙站加站。",
                    [("1号线", "metro_line"), ("甲站", "station"), ("丙站", "station")])
    assert other["1号线"].gazetteer_id == "ml-1"  # 甲站 is the other line's


def test_far_apart_anchors_do_not_make_feature_precision(gaz):
    got = _placed(gaz, "建设甲站至远站联络线。", [("甲站至远站联络线", "rail"), ("甲站", "station"), ("远站", "station")])
    loc = got["甲站至远站联络线"]
    assert loc.method == "derived" and loc.precision != "feature"
    assert loc.precision_m >= 10_000 and "km apart" in loc.reason


def test_a_line_name_never_puts_the_line_at_a_township(gaz):
    loc = Resolver(gaz, HERE).resolve(_ent("沪渝沿江高铁", "rail"))
    assert loc.gazetteer_id != "s-yj"


def test_a_river_through_the_province_is_no_homonym_from_elsewhere(gaz):
    loc = Resolver(gaz, HERE).resolve(_ent("长河", "river"))
    assert loc.gazetteer_id == "rv-long" and loc.precision == "feature"
    assert "lies outside" in loc.reason  # placed, and said to be outside the plan's city


@pytest.mark.parametrize("name, kind, surface, sentence, fid", [
    ("外环高速", "road", "外环", "主城井字加外环快速路网闭合。", None),  # another city's ring road
    ("外环高速", "road", "外环高速", "推进外环高速建设。", None),  # a short, generic name: whose?
    ("外环高速", "road", "外环高速", "学习外市外环高速经验。", "cur-ring"),  # the sentence says whose
    ("外市国际开放枢纽", "hub", "外市国际开放枢纽", "联动外市国际开放枢纽。", "cur-hub"),  # a long proper name
    ("外市国际开放枢纽", "hub", "开放枢纽", "建设开放枢纽联动区。", None),  # only its short alias
    ("外山湖", "lake", "外山湖", "学习外山湖治理经验。", "cur-lake"),  # a water body written out
])
def test_a_curated_feature_of_another_province_needs_its_name_or_evidence(gaz, name, kind, surface, sentence, fid):
    ent = _ent(name, kind, sentence)
    m = ent.mentions[0]
    at = max(0, sentence.find(surface))
    ent = Entity(name=name, kind=kind, doc="t", mentions=[Mention(
        surface=surface, name=name, kind=kind, span=(at, at + len(surface)), raw_span=(at, at + len(surface)),
        sentence=sentence, task_id=m.task_id, task_path=m.task_path, theme=m.theme, origin="gazetteer")])
    loc = Resolver(gaz, HERE).resolve(ent)
    assert loc.gazetteer_id == fid, loc.reason
    if fid is None:
        assert loc.unresolved_reason == "ambiguous"


def test_a_curated_township_of_another_province_holds_no_name_of_this_one(gaz):
    loc = Resolver(gaz, HERE).resolve(_ent("新桥机场", "hub", "推进新桥机场建设。"))
    assert loc.gazetteer_id != "cur-town"
    loc = Resolver(gaz, HERE).resolve(_ent("新桥机场", "hub", "学习外市新桥机场经验。"))
    assert loc.gazetteer_id == "cur-town" and loc.method == "contained-name"  # the sentence says where


# --------------------------------------------------------- written before
def test_a_project_is_placed_at_the_one_unit_written_before_it(gaz):
    loc = Resolver(gaz, HERE).resolve(_ent("星河科技城", "innovation_center", "支持邻县建设星河科技城。"))
    assert loc.method == "admin-fallback" and loc.gazetteer_id == "d-lin" and loc.precision == "district"
    assert "邻县" in loc.reason
    # a county's short form too
    loc = Resolver(gaz, HERE).resolve(_ent("星河科技城", "innovation_center", "支持邻城建设星河科技城。"))
    assert loc.gazetteer_id == "d-lin"
    # the township inside the county is the smaller unit
    loc = Resolver(gaz, HERE).resolve(_ent("星河产业园", "industrial_park", "在本县南湖街道布局星河产业园。"))
    assert loc.gazetteer_id == "s-nan" and loc.precision == "town"


@pytest.mark.parametrize("name, kind, sentence", [
    ("星河科技城", "innovation_center", "推动本县与邻县共建星河科技城。"),  # two units: which one?
    ("星河科技城", "innovation_center", "本县加快发展，星河科技城提速。"),  # the unit is in another clause
    ("星河科技城", "innovation_center", "学习外县经验，外县星河科技城。"),  # outside the jurisdiction
    ("星河科技城", "innovation_center", "推动邻县、星河科技城建设。"),  # another item of a list
    ("星河科技城", "innovation_center", "打通本县科学城至星河科技城通道。"),  # the other end of a pair
    ("星河科技城", "innovation_center", "依托邻城河建设星河科技城。"),  # 邻城 of 邻城河 is a river's name
    ("星河湖", "lake", "支持邻县治理星河湖。"),  # a lake is not a district
    ("星河城际", "rail", "支持邻县建设星河城际。"),  # nor is a line
])
def test_no_unit_or_a_doubtful_one_places_nothing(gaz, name, kind, sentence):
    loc = Resolver(gaz, HERE).resolve(_ent(name, kind, sentence))
    assert not loc.located, loc.reason


# ----------------------------------------------------------------- review
def _feature(name: str, loc: Location) -> PlanFeature:
    m = _ent(name, "zone").mentions[0]
    return PlanFeature(id=name, name=name, kind="zone", doc="t", mentions=[m], location=loc)


def test_review_lists_unresolved_then_fallbacks_largest_uncertainty_first():
    def at(method: str, precision: str, radius: float, confidence: float = 0.4) -> Location:
        return Location(Point(120.0, 30.0), precision, radius, method, confidence, "test")

    feats = [
        _feature("低信", at("exact", "feature", 300.0, 0.5)),
        _feature("镇退", at("admin-fallback", "town", 3000.0)),
        _feature("未定", Location(None, "none", None, "none", 0.0, "test", unresolved_reason="not-found")),
        _feature("区退", at("contained-name", "district", 20000.0, 0.5)),
        _feature("确定", at("exact", "feature", 300.0, 0.95)),
    ]
    result = SimpleNamespace(plans=[SimpleNamespace(jurisdiction=HERE, features=feats)])
    rows = review_rows(result, below=0.6)
    assert [r["name"] for r in rows] == ["未定", "区退", "镇退", "低信"]
    assert [r["status"] for r in rows] == ["not-found", "fallback-district", "fallback-town", "low-confidence"]
