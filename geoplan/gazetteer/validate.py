"""Check a loaded gazetteer for the mistakes hand-made layers actually contain.

A curated point typed with lat/lon swapped, copied into the wrong county, or
given a kind the extractor does not know is not an error the loader can see;
it is a wrong pin on a planner's map.  :func:`validate` finds those and returns
them as :class:`Problem` records (it never raises), so a CI job or the
``geoplan gazetteer check`` command can print them all at once.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geoplan import vocab
from geoplan.gazetteer.codes import county_prefix
from geoplan.gazetteer.index import Gazetteer
from geoplan.gazetteer.model import GazetteerFeature

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one feature (or a pair of features)."""

    code: str  # duplicate-id, invalid-geometry, out-of-range, outside-county, unknown-county, alias-clash, unknown-kind, bad-part-of
    feature_id: str
    message: str
    severity: str = "error"  # "error" or "warning"
    layer: str = ""
    index: int | None = None

    def __str__(self) -> str:
        where = self.layer + (f"#{self.index}" if self.index is not None else "")
        return f"{self.severity}: {where or '-'} {self.feature_id}: [{self.code}] {self.message}"


def load_kinds(path: Path | None = None) -> set[str]:
    """The controlled vocabulary (``layers/vocab/kinds.toml``)."""
    return set(vocab.kinds(path))


def validate(
    gazetteer: Gazetteer,
    kinds: Iterable[str] | None = None,
    include_admin: bool = False,
) -> list[Problem]:
    """Every problem found in the curated and user features (and, optionally, the admin layer)."""
    vocab = set(kinds) if kinds is not None else load_kinds()
    problems: list[Problem] = []
    feats = [f for f in gazetteer.features if include_admin or f.origin != "admin"]

    counts = Counter(f.id for f in gazetteer.features)
    reported: set[str] = set()
    for f in feats:
        if counts[f.id] > 1 and f.id not in reported:
            reported.add(f.id)
            problems.append(_p(f, "duplicate-id", f"id used by {counts[f.id]} features"))

    for f in feats:
        problems.extend(_check_feature(gazetteer, f, vocab))
    problems.extend(_alias_clashes([f for f in feats if f.origin != "admin"]))
    return problems


def _p(f: GazetteerFeature, code: str, message: str, severity: str = "error") -> Problem:
    return Problem(code, f.id, message, severity, str(f.extra.get("layer", "")), f.extra.get("index"))


def _check_feature(gaz: Gazetteer, f: GazetteerFeature, vocab: set[str]) -> list[Problem]:
    out: list[Problem] = []
    if f.kind not in vocab:
        out.append(_p(f, "unknown-kind", f"kind {f.kind!r} is not in the vocabulary"))
    if f.part_of and gaz.get(f.part_of) is None:
        out.append(_p(f, "bad-part-of", f"part_of {f.part_of!r} is no feature's id", "warning"))
    g = f.geometry
    if g is None:
        if f.origin != "admin":
            out.append(_p(f, "invalid-geometry", "no geometry"))
        return out
    if not g.is_valid:
        out.append(_p(f, "invalid-geometry", shapely.is_valid_reason(g)))
    minx, miny, maxx, maxy = g.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90) or any(map(math.isnan, g.bounds)):
        out.append(_p(f, "out-of-range", f"bounds {g.bounds} are not WGS-84 lon/lat (swapped or projected?)"))
        return out
    if f.origin != "admin" and f.admin_code:
        out.extend(_check_county(gaz, f, g))
    return out


def _check_county(gaz: Gazetteer, f: GazetteerFeature, g: BaseGeometry) -> list[Problem]:
    codes = [f.admin_code or "", *(f.extra.get("admin_codes", ()) or ())]
    for code in codes:
        if len(code) == 9 and gaz.get(f"cn-{code}") is None:
            return [_p(f, "unknown-township", f"admin_code {code} is no township in the official list")]
    polys = []
    for code in dict.fromkeys(county_prefix(c) for c in codes if c):
        unit = gaz.admin(code)
        if unit is None or unit.geometry is None:
            return [_p(f, "unknown-county", f"admin_code {code} is no county in the national layer")]
        polys.append(unit.geometry)
    if not polys:
        return []
    # inside any of its counties is inside their union, and the union's nearest point is its nearest
    # part's: no union built (a union per feature was most of validating the shipped layers)
    if any(poly.intersects(g) for poly in polys):
        return []
    dist = distance_m(g, min(polys, key=g.distance))
    if dist <= f.precision_m:
        return []
    found = gaz.county_of(g.representative_point())
    actually = f" (it lies in {found.name} {found.admin_code})" if found else ""
    return [
        _p(
            f,
            "outside-county",
            f"{dist:,.0f} m outside {'/'.join(county_prefix(c) for c in codes if c)}, more than its precision "
            f"{f.precision_m:,.0f} m{actually}",
        )
    ]


def distance_m(a: BaseGeometry, b: BaseGeometry) -> float:
    """Geodesic distance in metres between the closest points of two lon/lat geometries.

    The closest pair is found in degrees (off by a few % in which pair, never by
    much in distance at these scales) and measured on the ellipsoid.
    """
    pa, pb = nearest_points(a, b)
    _, _, d = _GEOD.inv(pa.x, pa.y, pb.x, pb.y)
    return float(d)


def _alias_clashes(feats: list[GazetteerFeature]) -> list[Problem]:
    """The same name for two features of one county, with no rule to pick one.

    A rule exists when the kinds differ (a station and its line may share a name)
    or when the features carry different ``priority`` properties.
    """
    by_key: dict[tuple[str, str], list[GazetteerFeature]] = defaultdict(list)
    for f in feats:
        for n in f.all_names:
            by_key[(f.county_code or "", n)].append(f)
    out: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for (county, name), group in by_key.items():
        if len(group) < 2:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.id == b.id or a.kind != b.kind or a.origin != b.origin:
                    continue
                if a.extra.get("priority") != b.extra.get("priority"):
                    continue
                key = (name, *sorted((a.id, b.id)))
                if key in seen:
                    continue
                seen.add(key)  # type: ignore[arg-type]
                out.append(
                    _p(a, "alias-clash", f"name {name!r} also names {b.id} ({b.kind}) in county {county or '?'}; "
                       "set a 'priority' property or drop one alias")
                )
    return out
