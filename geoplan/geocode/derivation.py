"""Derivation: a line drawn through the stations the plan names with it.

Two cases, one idea.  An extension of a line (17号线西延伸): no gazetteer
holds a planned extension; the plan's own sentences name its stations, and the
line's end says where it starts.  A whole line (宁淮城际, 广州站至广州南站联络线)
that no layer draws, or only as its extent: the stations the plan names in the
same clause, already placed at feature precision, are its anchors.  With too
few anchors, nothing is derived and the name keeps what it had (its line, its
extent, or unresolved).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geoplan.datum import distance_m
from geoplan.gazetteer.codes import city_prefix
from geoplan.geocode import kinds
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode.index import NameIndex
from geoplan.geocode.placement import (
    CLASS_BY_RADIUS,
    SAME_PLACE_M,
    in_jurisdiction,
    is_linear,
    kind_fits,
    origin_rank,
    spread_m,
)
from geoplan.geocode.protocol import GazetteerLike
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Entity, Location


class Extensions:
    """Derives the extensions of one plan's lines."""

    def __init__(
        self,
        gazetteer: GazetteerLike,
        jurisdiction: Jurisdiction | None,
        index: NameIndex,
        extensions: tuple[str, ...],
        city_relative: Callable[[str], bool] = lambda name: False,
    ) -> None:
        self.gaz = gazetteer
        self.jurisdiction = jurisdiction
        self._contained = index.contained
        self._stations = index.stations
        self._extensions = extensions  # longest first
        #: a line name every city reuses (12号线): only the plan's own city's line is meant
        self._city_relative = city_relative

    def derive(self, entity: Entity, done: dict[str, Location]) -> Location | None:
        """An extension (17号线西延伸) drawn through the stations the plan names with it.

        The extension starts where its line ends (the end nearest the named
        stations) unless the first station is itself on the line, and runs
        through the stations in order of distance from there.  With no station
        named, nothing is derived: the name falls back to its line honestly.
        """
        base = next(
            (
                entity.name[: -len(ext)]
                for ext in self._extensions
                if entity.name.endswith(ext) and entity.name[: -len(ext)] in self._contained
            ),
            None,
        )
        if base is None:
            return None
        lines = kinds.top_origin([f for f in self._contained[base] if is_linear(f.kind)])
        if self.jurisdiction is not None and self._city_relative(base):  # 12号线 of this city only
            lines = [f for f in lines if city_prefix(f.admin_code or "") == city_prefix(self.jurisdiction.code)]
        if self.jurisdiction is not None and len(lines) > 1:
            lines = [f for f in lines if in_jurisdiction(f, self.jurisdiction)] or lines
        if not lines or (len(lines) > 1 and spread_m(lines) > SAME_PLACE_M):
            return None
        line = max(lines, key=origin_rank)
        stations = self._stations_named_with(entity, done, line)
        if not stations:
            return None
        pts = [pt for _, pt, _ in stations]
        ends = [Point(c) for c in _line_ends(line.geometry)]
        centre = Point(sum(p.x for p in pts) / len(pts), sum(p.y for p in pts) / len(pts))
        start = min(ends, key=centre.distance) if ends else None
        if start is not None:
            # stations on the existing line belong to it, save the one at its end
            tol = max(line.precision_m, 200.0)
            stations = [
                s
                for s in stations
                if distance_m(line.geometry, s[1]) > tol or distance_m(start, s[1]) <= tol
            ]
            pts = [pt for _, pt, _ in stations]
            if not pts:
                return None
        ordered = _chain_from(start if start is not None else pts[0], pts)
        on_line = start is not None and distance_m(line.geometry, ordered[0]) <= max(line.precision_m, 200.0)
        coords = [(p.x, p.y) for p in ordered]
        if start is not None and not on_line:
            coords.insert(0, (start.x, start.y))
        if len(coords) < 2:
            return None
        names = [n for n, _, _ in sorted(stations, key=lambda s: ordered.index(s[1]))]
        radius = max([line.precision_m, *(r for _, _, r in stations), 1000.0])
        how = "from the end of " + repr(line.name) + " " if start is not None and not on_line else ""
        return Location(
            geometry=LineString(coords),
            precision="feature",
            precision_m=float(radius),
            method="derived",
            confidence=0.6 if len(stations) >= 2 else 0.5,
            reason=f"extension of {line.name!r}, drawn {how}through the stations the plan names with it: {', '.join(names)}",
            source=f"derived from {line.id} and stations " + ", ".join(n for n in names),
            source_crs="EPSG:4326",
            gazetteer_id=None,
            candidates=(line.id,),
        )

    def _stations_named_with(
        self, entity: Entity, done: dict[str, Location], line: GazetteerFeature
    ) -> list[tuple[str, Point, float]]:
        """Stations named in the entity's sentences: placed ones of this plan, then the gazetteer's.

        Stations of another city sharing a name are kept out by distance from
        the line (a metro extension runs tens of kilometres, not hundreds).
        """
        reach = 50_000.0
        out: dict[str, tuple[str, Point, float]] = {}
        for sentence in entity.sentences:
            for name, loc in done.items():
                g = loc.geometry
                if g is None or g.geom_type != "Point" or loc.precision != "feature" or name not in sentence:
                    continue
                f = self.gaz.get(loc.gazetteer_id) if loc.gazetteer_id else None
                if f is not None and not kind_fits("station", f.kind):
                    continue
                if f is None and loc.method != "override":
                    continue
                if distance_m(line.geometry, g) <= reach:
                    out.setdefault(name, (name, g, float(loc.precision_m or 0.0)))
            for f in self._stations:
                if f.name in out or not any(n in sentence for n in f.all_names if kinds.may_contain(f, n)):
                    continue
                if distance_m(line.geometry, f.geometry) <= reach:
                    out.setdefault(f.name, (f.name, f.geometry, float(f.precision_m)))
        # a station named inside a longer station name (西岑 in 西岑站) is not a second one
        return [s for s in out.values() if not any(s[0] != o and s[0] in o for o in out)]


def _line_ends(geom: BaseGeometry) -> list[tuple[float, float]]:
    if geom.geom_type == "LineString":
        return [geom.coords[0], geom.coords[-1]]
    if geom.geom_type == "MultiLineString":
        return [c for part in geom.geoms for c in (part.coords[0], part.coords[-1])]
    return []


def _chain_from(start: Point, pts: list[Point]) -> list[Point]:
    """Points in walking order from ``start``: always on to the nearest one left."""
    left = list(pts)
    out: list[Point] = []
    here = start
    while left:
        nxt = min(left, key=here.distance)
        left.remove(nxt)
        out.append(nxt)
        here = nxt
    return out


#: a clause: the stretch of a sentence a list of stations belongs to
_CLAUSE = re.compile(r"[，,；;。：:！？!?\n]")
#: a derived line is at feature precision only when its anchors are this close (metres):
#: between stations further apart the real course may bow far from the chord drawn
FEATURE_GAP_M = 20_000.0
#: share of the longest gap between anchors taken as the drawn line's radius
GAP_SHARE = 0.15
#: an extent (bounding box) holds an anchor within this margin (degrees, ~2 km)
EXTENT_MARGIN = 0.02


class Lines:
    """Draws a line the plan names through the stations it names with it (method ``derived``).

    Anchors are stations of this plan already placed at feature precision and
    named in the same clause as the line, in a clause that names no other
    line (no ``line_heads`` of ``layers/vocab/resolution.toml``, no 线 at all
    besides the line's own name), so that a list of several lines and
    stations lends no station to the wrong line.  When
    the gazetteer knows the line's extent, anchors outside it are not the
    line's.  Two anchors at least: a line through one point is no line.
    """

    def __init__(self, gazetteer: GazetteerLike) -> None:
        self.gaz = gazetteer

    @staticmethod
    def wanted(entity: Entity, loc: Location | None) -> bool:
        """A railway or metro line not drawn at feature precision (unplaced, or only its extent)."""
        if not kinds.line_name(entity.name) and entity.kind not in ("rail", "metro_line"):
            return False
        return loc is None or loc.precision != "feature"

    def derive(self, entity: Entity, done: dict[str, Location], extent: GazetteerFeature | None = None) -> Location | None:
        anchors = self._anchors(entity, done, extent)
        if len(anchors) < 2:
            return None
        pts = [pt for _, pt, _ in anchors]
        centre = Point(sum(p.x for p in pts) / len(pts), sum(p.y for p in pts) / len(pts))
        ordered = _chain_from(max(pts, key=centre.distance), pts)  # from one end, always to the nearest
        gaps = [distance_m(a, b) for a, b in zip(ordered, ordered[1:])]
        if max(gaps) < 300.0:
            return None  # one place named twice, not a line
        radius = max([*(r for _, _, r in anchors), GAP_SHARE * max(gaps), 500.0])
        if max(gaps) <= FEATURE_GAP_M:
            precision, why = "feature", "anchors close enough for the drawn course to stay near the real one"
        else:
            precision = next(c for c, upto in CLASS_BY_RADIUS if radius <= upto)
            why = f"anchors up to {max(gaps) / 1000:.0f} km apart: the real course may lie far from the drawn one"
        names = [n for n, _, _ in sorted(anchors, key=lambda a: ordered.index(a[1]))]
        inside = f" inside the extent of {extent.name!r}" if extent is not None else ""
        return Location(
            geometry=LineString([(p.x, p.y) for p in ordered]),
            precision=precision,
            precision_m=float(round(radius, -1)),
            method="derived",
            confidence=0.6 if len(anchors) >= 3 else 0.5,
            reason=(
                f"{entity.name!r} drawn through the {len(anchors)} stations the plan names with it{inside}: "
                f"{', '.join(names)}; {precision} precision ({why})"
            ),
            source="derived from the plan's stations " + ", ".join(names)
            + (f" and {extent.id}" if extent is not None else ""),
            source_crs="EPSG:4326",
            gazetteer_id=None,
            candidates=(extent.id,) if extent is not None else (),
        )

    def _anchors(
        self, entity: Entity, done: dict[str, Location], extent: GazetteerFeature | None
    ) -> list[tuple[str, Point, float]]:
        own = sorted({entity.name, *entity.surfaces}, key=len, reverse=True)
        box = extent.geometry.envelope.buffer(EXTENT_MARGIN) if extent is not None and extent.geometry is not None else None
        out: dict[str, tuple[str, Point, float]] = {}
        for sentence in entity.sentences:
            for clause in _CLAUSE.split(sentence):
                rest = clause
                for n in own:
                    rest = rest.replace(n, "")
                if rest == clause or kinds.line_name_in(rest) or "线" in rest:
                    continue  # the line is not named here, or another line may be (首都机场线望京南站)
                for name, loc in done.items():  # in the clause, the line's own name too (A站至B站联络线)
                    if name not in clause or name in own or not self._is_station(loc):
                        continue
                    g = loc.geometry
                    if box is not None and not box.contains(g):
                        continue
                    out.setdefault(name, (name, g, float(loc.precision_m or 0.0)))
        # a station named inside a longer station name (广州 in 广州南站) is not a second one
        return [a for a in out.values() if not any(a[0] != o and a[0] in o for o in out)]

    def _is_station(self, loc: Location) -> bool:
        g = loc.geometry
        if g is None or g.geom_type != "Point" or loc.precision != "feature":
            return False
        if loc.method == "override":
            return True
        f = self.gaz.get(loc.gazetteer_id) if loc.gazetteer_id else None
        return f is not None and f.kind == "station"  # an airport is no station a line is drawn through
