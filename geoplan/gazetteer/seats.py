"""Seats of government for city- and county-level units, from GeoNames.

Where geoplan draws one point for a whole city or county (a project placed "in"
it, a township listed without a point), the polygon's inner point is a poor
stand-in: for a large or elongated unit it lies tens of kilometres from the
town people mean (北京市's lies in the hills of 怀柔, 重庆市's east of 涪陵).
The seat of government is the honest point.

GeoNames' cities500 extract (vendored as ``layers/sources/geonames_cn.tsv.gz``)
holds only populated places; the one that carries a unit's own name as one of
its Chinese names, *and* lies inside that unit's polygon, is the town the unit
is named after and governed from (GeoNames records a prefecture's or county's
name on its seat: 湖州市 and 吴兴区 are both names of the place "Huzhou").  The
vendored file keeps no feature codes or admin codes, so the polygon test is what
makes a name match trustworthy, as for townships.  A full name beats a short
form; candidates of the best name more than :data:`SAME_SEAT_M` apart make the
seat unknown rather than a guess, and the unit keeps its inner point with a
note saying so.

Provinces are left out except the municipalities (北京市, 上海市…), which are
cities: a province's short name is often that of another city inside it
(吉林省 ↔ 吉林市), not its capital.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from geoplan.datum import metres

#: two candidate seats of one unit closer than this (metres) are the same town
SAME_SEAT_M = 5000.0
#: what ``extra["point_source"]`` says when a unit has no known seat
NO_SEAT = "polygon inner point (no seat known in GeoNames)"


@dataclass(frozen=True)
class SeatPlace:
    """A populated place of GeoNames: its id, point and Chinese names."""

    geonameid: int
    lon: float
    lat: float
    names: tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    """A city- or county-level unit to find the seat of: code, name, short forms, polygon."""

    code: str
    name: str
    short_forms: tuple[str, ...]
    geometry: BaseGeometry


@dataclass(frozen=True)
class Seat:
    """The seat found for a unit, and the name it was matched by."""

    place: SeatPlace
    matched: str

    @property
    def point(self) -> Point:
        return Point(self.place.lon, self.place.lat)


def find_seats(units: Iterable[Unit], places: Iterable[SeatPlace]) -> dict[str, Seat]:
    """``{unit code: Seat}`` for every unit whose seat GeoNames names unambiguously.

    For each unit the full name is tried first, then its short forms; the first
    name that has places inside the polygon decides.  Several such places must
    agree within :data:`SAME_SEAT_M` (GeoNames has a county seat and, now and
    then, an older record of the same town); the one carrying the most Chinese
    names (the better-known record) is kept.
    """
    by_name: dict[str, list[SeatPlace]] = defaultdict(list)
    for place in places:
        for n in place.names:
            by_name[n].append(place)
    out: dict[str, Seat] = {}
    for unit in units:
        pg = None
        for key in (unit.name, *unit.short_forms):
            cands = by_name.get(key)
            if not cands:
                continue
            if pg is None:
                pg = prep(unit.geometry)
            inside = [p for p in cands if pg.contains(Point(p.lon, p.lat))]
            if not inside:
                continue
            if _spread_m(inside) <= SAME_SEAT_M:
                best = max(inside, key=lambda p: (len(p.names), -p.geonameid))
                out[unit.code] = Seat(best, key)
            break  # the best name decides, found or ambiguous
    return out


def _spread_m(places: list[SeatPlace]) -> float:
    best = 0.0
    for i, a in enumerate(places):
        for b in places[i + 1 :]:
            best = max(best, metres(a.lon - b.lon, a.lat - b.lat, (a.lat + b.lat) / 2))
    return best


def seat_extra(seat: Seat | None, source: str) -> Mapping[str, object]:
    """The ``extra`` fields an administrative feature carries about its point.

    ``seat`` is ``(lon, lat)`` or None; ``point_source`` says where the point a
    map draws for the unit comes from, so the reason of a fallback can say it.
    """
    if seat is None:
        return {"seat": None, "point_source": NO_SEAT}
    return {
        "seat": (seat.place.lon, seat.place.lat),
        "point_source": f"seat of government: {source}, geonameid {seat.place.geonameid} ({seat.matched})",
    }
