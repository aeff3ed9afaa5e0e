"""City and county points at their seats of government (GeoNames), not at their polygons' inner points."""

from __future__ import annotations


import pytest
from shapely.geometry import Point, box

from geoplan.datum import distance_m
from geoplan.gazetteer import Gazetteer
from geoplan.gazetteer import sources as vendored
from geoplan.gazetteer.admin import read_geonames
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.seats import NO_SEAT, SeatPlace, Unit, find_seats
from geoplan.geocode import Entity, Resolver
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Mention

SQUARE = box(120.0, 30.0, 120.5, 30.5)


def _place(gid: int, lon: float, lat: float, *names: str) -> SeatPlace:
    return SeatPlace(gid, lon, lat, names)


# --------------------------------------------------------------- matching
def test_full_name_inside_the_polygon_is_the_seat() -> None:
    unit = Unit("990101", "甲县", ("甲",), SQUARE)
    seats = find_seats([unit], [_place(1, 120.4, 30.4, "甲"), _place(2, 120.1, 30.1, "甲县", "甲")])
    assert seats["990101"].place.geonameid == 2 and seats["990101"].matched == "甲县"


def test_short_form_is_used_when_no_place_carries_the_full_name() -> None:
    unit = Unit("990101", "甲县", ("甲",), SQUARE)
    seats = find_seats([unit], [_place(1, 120.4, 30.4, "甲")])
    assert seats["990101"].point.equals(Point(120.4, 30.4)) and seats["990101"].matched == "甲"


def test_a_place_of_the_name_outside_the_polygon_is_not_the_seat() -> None:
    unit = Unit("990101", "甲县", ("甲",), SQUARE)
    assert find_seats([unit], [_place(1, 121.4, 30.4, "甲县")]) == {}


def test_far_apart_candidates_leave_the_seat_unknown() -> None:
    unit = Unit("990101", "甲县", ("甲",), SQUARE)
    # two places named 甲县 30 km apart inside it: no guess; a short-form place does not break the tie either
    places = [_place(1, 120.1, 30.1, "甲县"), _place(2, 120.4, 30.3, "甲县"), _place(3, 120.2, 30.2, "甲")]
    assert find_seats([unit], places) == {}


def test_close_candidates_are_one_town_and_the_better_known_record_wins() -> None:
    unit = Unit("990101", "甲县", (), SQUARE)
    places = [_place(5, 120.20, 30.20, "甲县"), _place(9, 120.21, 30.20, "甲县", "甲城")]
    assert find_seats([unit], places)["990101"].place.geonameid == 9


# --------------------------------------------------------- national layer
@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    cache = tmp_path_factory.getbasetemp() / "gazetteer-cache"
    cache.mkdir(exist_ok=True)
    return Gazetteer.load(layers_dir=tmp_path_factory.mktemp("no-layers"), cache_dir=cache)


@pytest.fixture(scope="module")
def geonames() -> dict[int, Point]:
    """The vendored GeoNames points by geonameid: the truth the seats are checked against."""
    return {p.geonameid: Point(p.lon, p.lat) for p in read_geonames(vendored.sources_dir() / vendored.GEONAMES_FILE)}


# units whose polygon's inner point lies far from the city (a municipality with mountains to the north,
# a prefecture stretching 200 km west, another 400 km along the Yangtze), with GeoNames' record of the city
@pytest.mark.parametrize(
    ("code", "geonameid"),
    [("110000", 1816670), ("330100", 1808926), ("500000", 1814906), ("440100", 1809858)],
)
def test_unit_point_is_its_seat(national: Gazetteer, geonames: dict[int, Point], code: str, geonameid: int) -> None:
    unit = national.admin(code)
    assert unit is not None and unit.geometry is not None
    truth = geonames[geonameid]
    assert distance_m(unit.point, truth) < 3000
    # and the seat matters: the polygon's inner point is tens of kilometres away
    assert distance_m(unit.geometry.representative_point(), truth) > 20_000
    assert f"geonameid {geonameid}" in unit.point_note


def test_most_units_have_a_seat_and_the_rest_say_so(national: Gazetteer) -> None:
    stats = national.stats()
    with_seat, without = stats["units_with_seat"], stats["units_without_seat"]
    print(f"{with_seat} of {with_seat + without} cities and counties drawn at their seat")
    assert with_seat > (with_seat + without) / 2
    # a seat always lies inside its unit; a unit without one says where its point comes from
    units = [f for f in national if f.origin == "admin" and "seat" in f.extra]
    for f in units:
        if f.extra["seat"]:
            assert f.geometry.covers(f.point), f.name
        else:
            assert f.point_note == NO_SEAT and f.point.equals(f.geometry.representative_point())


# ------------------------------------------------------------- placement
def _gazetteer(seat: tuple[float, float] | None) -> Gazetteer:
    extra = {"seat": seat, "point_source": "seat of government: test" if seat else NO_SEAT}
    return Gazetteer([
        GazetteerFeature("d990101", "甲县", "district", SQUARE, 100.0, "test fixture", "CC0-1.0", aliases=("甲",),
                         admin_code="990101", admin_names=("测试省", "测试市", "甲县"), origin="admin", extra=extra),
        GazetteerFeature("t1", "无点镇", "town", None, 2500.0, "test fixture", "CC0-1.0", admin_code="990101",
                         admin_names=("测试省", "测试市", "甲县", "无点镇"), origin="admin"),
    ])


def _entity(name: str, kind: str) -> Entity:
    m = Mention(surface=name, name=name, kind=kind, span=(0, len(name)), raw_span=(0, len(name)),
                sentence=f"推进{name}建设。", task_id="一", task_path="一、任务", theme="其他", origin="gazetteer", doc="t")
    return Entity(name=name, kind=kind, doc="t", mentions=[m])


@pytest.mark.parametrize("name, kind", [("无点镇", "town"), ("甲县测试产业园", "industrial_park")])
def test_fallbacks_to_a_county_are_drawn_at_its_seat(name: str, kind: str) -> None:
    j = Jurisdiction(code="990101", name="甲县", level="district", feature_id="d990101")
    loc = Resolver(_gazetteer((120.45, 30.05)), j).resolve(_entity(name, kind))
    assert loc.located and loc.precision == "district"
    assert loc.geometry.equals(Point(120.45, 30.05))
    assert "seat of government" in loc.reason
    # without a known seat: the polygon's inner point, and the reason says so
    loc = Resolver(_gazetteer(None), j).resolve(_entity(name, kind))
    assert loc.geometry.equals(SQUARE.representative_point()) and NO_SEAT in loc.reason


def test_seats_keep_the_cache_key_honest() -> None:
    """The seat code is part of the national layer's builder: editing it rebuilds the cache."""
    from geoplan.gazetteer.admin import BUILDER_FILES

    assert any(p.name == "seats.py" for p in BUILDER_FILES)
