"""Placement helpers shared by every strategy of the resolver and by the overrides.

How precise a feature is standing for itself (:func:`precision_of`) or as the
place something else lies in (:func:`placement`), the provenance text written
beside it (:func:`source_text`), rough distances, layer ranking, kind tests and
the honest "not placed" record.  The radii and confidence steps below are the
resolver's tuning; they sit on this floor so that the resolver's strategies and
the overrides read one copy and import nothing from each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from shapely.geometry.base import BaseGeometry

from geoplan.datum import distance_m, metres
from geoplan.extract.vocab import load_kinds
from geoplan.gazetteer.model import ORIGINS, GazetteerFeature
from geoplan.geocode import kinds
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Location

#: candidates further apart than this (metres) are different places
SAME_PLACE_M = 3000.0

#: the words a located feature's reason carries when it lies outside the plan's jurisdiction
#: a village placed at its township's point lies within this radius (metres):
#: a suburban township covers 50–150 km², so its villages lie up to ~6 km from its seat
VILLAGE_IN_TOWN_M = 6000.0
#: a contained-name placement is never finer than this radius (metres)
MIN_CONTAINED_M = 500.0
#: upper radius (metres) of each precision class, for places that are not
#: administrative units (a 28 km lake shore is not "town" precision)
CLASS_BY_RADIUS = (("town", 5000.0), ("district", 50000.0), ("city", float("inf")))


def origin_rank(f: GazetteerFeature) -> int:
    return ORIGINS.index(f.origin) if f.origin in ORIGINS else 0


def top_layer_per_county(feats: list[GazetteerFeature]) -> list[GazetteerFeature]:
    best: dict[str | None, int] = {}
    for f in feats:
        key = f.county_code or f.admin_code
        best[key] = max(best.get(key, -1), origin_rank(f))
    return [f for f in feats if origin_rank(f) == best[f.county_code or f.admin_code]]


def kind_fits(wanted: str, have: str) -> bool:
    # kinds.toml says which other kinds a head word may turn out to be (站 → hub)
    info = load_kinds().get(wanted)
    return have == wanted or (info is not None and have in info.accepts)


@lru_cache(maxsize=1)
def _kind_table() -> dict[str, tuple[str, str]]:
    """kind → (precision class, expected geometry), from ``layers/vocab/kinds.toml``."""
    return {k: (info.precision, info.geometry) for k, info in load_kinds().items()}


def is_linear(kind: str) -> bool:
    return _kind_table().get(kind, ("feature", "point"))[1] == "line"


def significant(code: str) -> str:
    if len(code) > 6:  # a township's 9-digit code is significant as it is
        return code
    code = code.rstrip("0")
    return code if len(code) % 2 == 0 else code + "0"


def precision_of(f: GazetteerFeature, as_area: bool = False) -> tuple[str, float]:
    """Precision class and radius of a feature's geometry standing for itself.

    An administrative unit drawn as a point (a township's seat) is only as
    precise as the unit (``town``); drawn as its outline, or any other feature
    with its own geometry, it is the ``feature`` itself.  ``as_area``: the
    unit's class whatever its geometry (used when something else is placed
    *in* it).
    """
    declared = kinds.declared_class(f)
    if declared:  # an extent standing for a line is no line at feature precision
        return declared, float(f.precision_m)
    geom = f.geometry
    unit_class = _kind_table().get(f.kind, ("feature", ""))[0]
    if unit_class != "feature" and (as_area or (geom is not None and geom.geom_type == "Point")):
        return unit_class, float(f.precision_m)
    return "feature", float(f.precision_m)


def placement(f: GazetteerFeature) -> tuple[str, float]:
    """Class and radius of something placed *at* ``f`` (it is not ``f`` itself)."""
    radius = max(float(f.precision_m), extent_m(f.geometry), MIN_CONTAINED_M)
    unit_class, _ = precision_of(f, as_area=True)
    if unit_class != "feature":
        return unit_class, radius
    return next(c for c, upto in CLASS_BY_RADIUS if radius <= upto), radius


def extent_m(geom: BaseGeometry) -> float:
    """Half the diagonal of a geometry's bounds, in metres (rough, for radii)."""
    minx, miny, maxx, maxy = geom.bounds
    return round(metres(maxx - minx, maxy - miny, (miny + maxy) / 2) / 2, 0)


def spread_m(feats: Sequence[GazetteerFeature]) -> float:
    pts = [f.geometry.representative_point() for f in feats if f.geometry is not None]
    best = 0.0
    for i, a in enumerate(pts):
        for b in pts[i + 1 :]:
            d = metres(a.x - b.x, a.y - b.y, (a.y + b.y) / 2)
            best = max(best, d)
    return best


def lies_near(geom: BaseGeometry, loc: Location) -> bool:
    """Does a candidate lie in or beside a place already placed?"""
    other = loc.geometry
    if other is None:
        return False
    if other.geom_type in ("Polygon", "MultiPolygon") and other.intersects(geom):
        return True
    return distance_m(other, geom) <= max(float(loc.precision_m or 0.0), SAME_PLACE_M)


def source_text(f: GazetteerFeature) -> str:
    """The provenance written beside every located feature: source and licence."""
    return f"{f.source} ({f.license})" if f.license else f.source


def describe(f: GazetteerFeature) -> str:
    chain = "/".join(n for n in f.admin_names if n)
    return f"{f.id} {f.name} [{f.kind}; {chain}]"


def in_jurisdiction(f: GazetteerFeature, j: Jurisdiction) -> bool:
    """Does the feature lie in the plan's jurisdiction (or is it a unit containing it)?"""
    codes = [f.admin_code or ""] + list(f.extra.get("admin_codes", []) or [])
    if any(j.contains_code(c) for c in codes if c):
        return True
    # a unit that contains the jurisdiction (上海市 for a 青浦 plan) is not "outside"
    if f.is_admin and f.admin_code and j.code.startswith(significant(f.admin_code)):
        return True
    return False


def unresolved(why: str, reason: str, pool: Iterable[GazetteerFeature]) -> Location:
    """An honest "not placed": the reason in words and the candidates a planner may choose from."""
    return Location(
        geometry=None,
        precision="none",
        precision_m=None,
        method="none",
        confidence=0.0,
        reason=reason,
        candidates=tuple(describe(f) for f in pool),
        unresolved_reason=why,
    )
