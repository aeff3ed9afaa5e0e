"""The offline resolver: a plan's entity → a gazetteer feature, honestly.

Order of decisions, each recorded as ``method`` with a ``reason`` in words:

1. ``override``: the planner's review file says where it is;
2. ``exact`` / ``alias``: gazetteer features named so, narrowed by the plan's
   jurisdiction, by the kind the mention asks for, and by the places named
   beside it in the same sentences; several far-apart survivors make the name
   *ambiguous* (unresolved, with candidates), never a coin toss;
3. ``derived``: an extension (17号线西延伸) drawn through the stations the plan
   names for it;
4. ``contained-name``: the name holds a place the gazetteer knows
   (朱家角镇卫生服务中心 → 朱家角镇), placed there at that place's precision;
5. ``admin-fallback``: a township the national layer lists without a point is
   placed at its county, at district precision;
6. otherwise unresolved with the reason (not-found, ambiguous,
   outside-jurisdiction).  No point is ever made up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode.overrides import Overrides
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Location, Mention

#: candidates further apart than this (metres) are different places
_SAME_PLACE_M = 3000.0
_M_PER_DEG = 111_320.0

#: precision class of a feature standing for itself as a point, by kind
_POINT_PRECISION = {"province": "city", "city": "city", "district": "district", "town": "town", "street": "town"}

#: kinds a head word asks for, when a mention's kind and a candidate's differ
_COMPATIBLE = {
    "station": {"station", "hub"},
    "metro_line": {"metro_line", "rail"},
    "rail": {"rail", "metro_line"},
    "road": {"road", "bridge"},
    "town": {"town", "street"},
    "street": {"street", "town"},
    "district": {"district", "city"},
    "city": {"city", "district", "province"},
}


@dataclass
class Entity:
    """What the resolver needs to know of one plan entity."""

    name: str
    kind: str
    doc: str
    mentions: Sequence[Mention]

    @property
    def gazetteer_ids(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for m in self.mentions:
            for i in m.gazetteer_ids:
                seen.setdefault(i, None)
        return tuple(seen)

    @property
    def surfaces(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.surface for m in self.mentions))

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.sentence for m in self.mentions))


class Resolver:
    """Resolves entities of one plan against a gazetteer."""

    def __init__(
        self,
        gazetteer,  # geoplan.gazetteer.Gazetteer (duck-typed: lookup, get, features)
        jurisdiction: Jurisdiction | None = None,
        overrides: Overrides | None = None,
        scoped_features: Iterable[GazetteerFeature] | None = None,
    ) -> None:
        self.gaz = gazetteer
        self.jurisdiction = jurisdiction
        self.overrides = overrides or Overrides.empty()
        feats = list(scoped_features) if scoped_features is not None else list(gazetteer.features)
        # names that may be contained in a longer name: long enough to be distinctive
        self._contained: dict[str, list[GazetteerFeature]] = {}
        for f in feats:
            if f.geometry is None:
                continue
            for n in f.all_names:
                if len(n) >= 2:
                    self._contained.setdefault(n, []).append(f)
        self._contained_by_len = sorted(self._contained, key=len, reverse=True)

    # ----------------------------------------------------------------- public
    def resolve(self, entity: Entity, resolved_so_far: dict[str, Location] | None = None) -> Location:
        ov = self.overrides.match(entity.name, entity.doc, self.jurisdiction)
        if ov is not None:
            return ov.to_location(self.gaz)
        cands = self._candidates(entity)
        if cands:
            return self._choose(entity, cands)
        derived = self._derive_extension(entity, resolved_so_far or {})
        if derived is not None:
            return derived
        contained = self._contained_name(entity)
        if contained is not None:
            return contained
        return Location(
            geometry=None,
            precision="none",
            precision_m=None,
            method="none",
            confidence=0.0,
            reason=f"{entity.name!r} is in no gazetteer layer and holds no place geoplan knows",
            unresolved_reason="not-found",
        )

    # ------------------------------------------------------------- candidates
    def _candidates(self, entity: Entity) -> list[GazetteerFeature]:
        found: dict[str, GazetteerFeature] = {}
        for fid in entity.gazetteer_ids:
            f = self.gaz.get(fid)
            if f is not None:
                found[f.id] = f
        for name in (entity.name, *entity.surfaces):
            for f in self.gaz.lookup(name):
                found.setdefault(f.id, f)
        return list(found.values())

    def _choose(self, entity: Entity, cands: list[GazetteerFeature]) -> Location:
        j = self.jurisdiction
        notes: list[str] = []
        pool = cands
        if j is not None:
            inside = [f for f in pool if self._in_jurisdiction(f)]
            if inside:
                if len(inside) < len(pool):
                    notes.append(f"{len(pool) - len(inside)} candidate(s) outside {j.name} set aside")
                pool = inside
            else:
                # outside the plan's area: fine for a named unit or a curated
                # feature with a unique name; not for a township name that repeats
                towns = [f for f in pool if f.kind in ("town", "street", "village") and f.origin == "admin"]
                if towns and len(pool) == len(towns):
                    return self._unresolved(
                        entity,
                        "outside-jurisdiction",
                        f"{entity.name!r}: only townships outside {j.name} carry this name",
                        pool,
                    )
        located = [f for f in pool if f.geometry is not None]
        if not located:
            return self._admin_fallback(entity, pool)
        pool = located
        # prefer user layers over curated over the generated national layer
        best_origin = max(_origin_rank(f) for f in pool)
        if best_origin > 0:
            pool = [f for f in pool if _origin_rank(f) == best_origin]
        # the kind the head word asks for
        kind_ok = [f for f in pool if _kind_fits(entity.kind, f.kind)]
        if kind_ok and len(kind_ok) < len(pool):
            notes.append(f"kind {entity.kind} preferred")
            pool = kind_ok
        if len(pool) > 1:
            pool = self._by_context(entity, pool, notes)
        if len(pool) > 1 and _spread_m(pool) > _SAME_PLACE_M:
            return self._unresolved(
                entity, "ambiguous", f"{entity.name!r} names {len(pool)} places; context does not decide", pool
            )
        f = pool[0]
        method = "exact" if f.name in (entity.name, *entity.surfaces) else "alias"
        precision, precision_m = _precision_of(f)
        confidence = 0.95 if method == "exact" else 0.85
        if len(cands) > 1:
            confidence -= 0.1
        if f.origin == "admin" and f.kind in ("town", "street"):
            confidence -= 0.05
        reason = f"{method} match on {f.name!r} ({f.kind}, {f.origin} layer)"
        if notes:
            reason += "; " + "; ".join(notes)
        return Location(
            geometry=f.geometry,
            precision=precision,
            precision_m=precision_m,
            method=method,
            confidence=round(max(0.0, confidence), 2),
            reason=reason,
            source=_source_text(f),
            source_crs=f.source_crs,
            gazetteer_id=f.id,
            candidates=tuple(c.id for c in cands),
        )

    def _in_jurisdiction(self, f: GazetteerFeature) -> bool:
        j = self.jurisdiction
        assert j is not None
        codes = [f.admin_code or ""] + list(f.extra.get("admin_codes", []) or [])
        if any(j.contains_code(c) for c in codes if c):
            return True
        # a unit that contains the jurisdiction (上海市 for a 青浦 plan) is not "outside"
        if f.is_admin and f.admin_code and j.code.startswith(_significant(f.admin_code)):
            return True
        return False

    def _by_context(self, entity: Entity, pool: list[GazetteerFeature], notes: list[str]) -> list[GazetteerFeature]:
        """Keep the candidates whose county or town is named in the same sentences."""
        text = "".join(entity.sentences)
        scored = []
        for f in pool:
            score = sum(1 for n in f.admin_names[1:] if n and n in text)
            score += sum(1 for n in f.admin_names[1:] if n and len(n) > 2 and n[:-1] in text)
            scored.append((score, f))
        top = max(s for s, _ in scored)
        if top > 0:
            keep = [f for s, f in scored if s == top]
            if len(keep) < len(pool):
                notes.append("decided by places named in the same sentence")
            return keep
        return pool

    # -------------------------------------------------------------- fallbacks
    def _admin_fallback(self, entity: Entity, pool: list[GazetteerFeature]) -> Location:
        counties = {f.county_code for f in pool if f.county_code}
        if len(counties) == 1:
            code = counties.pop()
            county = self.gaz.admin(code) if hasattr(self.gaz, "admin") else None
            if county is not None and county.geometry is not None:
                f = pool[0]
                return Location(
                    geometry=county.geometry.representative_point(),
                    precision="district",
                    precision_m=_extent_m(county.geometry),
                    method="admin-fallback",
                    confidence=0.4,
                    reason=f"{f.name!r} is listed in {county.name} without a position; placed at the county",
                    source=_source_text(county),
                    source_crs=county.source_crs,
                    gazetteer_id=county.id,
                    candidates=tuple(c.id for c in pool),
                )
        return self._unresolved(entity, "not-found", f"{entity.name!r} is listed but has no position", pool)

    def _derive_extension(self, entity: Entity, done: dict[str, Location]) -> Location | None:
        """An extension (…西延伸) drawn through the stations named with it."""
        base = next((b for b in self._contained_by_len if entity.name.startswith(b) and len(b) < len(entity.name)), None)
        if base is None:
            return None
        lines = [f for f in self._contained[base] if f.kind in ("metro_line", "rail", "road")]
        if not lines:
            return None
        pts: list[Point] = []
        names: list[str] = []
        for m in entity.mentions:
            for sent_name, loc in done.items():
                if (
                    loc.geometry is not None
                    and loc.geometry.geom_type == "Point"
                    and loc.precision == "feature"
                    and sent_name in m.sentence
                    and sent_name.endswith("站")
                    and sent_name not in names
                ):
                    names.append(sent_name)
                    pts.append(loc.geometry)
        if len(pts) < 2:
            return None
        line = LineString([(p.x, p.y) for p in _order_along(pts)])
        return Location(
            geometry=line,
            precision="feature",
            precision_m=1000.0,
            method="derived",
            confidence=0.6,
            reason=f"drawn through the stations the plan names with it: {', '.join(names)}",
            source="derived from gazetteer stations",
            source_crs="EPSG:4326",
            gazetteer_id=None,
        )

    def _contained_name(self, entity: Entity) -> Location | None:
        for n in self._contained_by_len:
            if len(n) >= len(entity.name) or n not in entity.name:
                continue
            # only places the plan can mean: curated and user features, and
            # administrative units of the plan's own jurisdiction (江南水乡 holds
            # the name of a county in 广西; that is no reason to put it there)
            feats = [
                f
                for f in self._contained[n]
                if f.origin != "admin" or (self.jurisdiction is not None and self._in_jurisdiction(f))
            ]
            if self.jurisdiction is not None and len(feats) > 1:
                feats = [f for f in feats if self._in_jurisdiction(f)] or feats
            if not feats:
                continue
            if len(feats) > 1 and _spread_m(feats) > _SAME_PLACE_M:
                continue
            f = feats[0]
            precision, precision_m = _precision_of(f, as_area=True)
            geom = f.geometry
            if geom.geom_type != "Point":
                geom = geom.representative_point() if f.kind not in ("metro_line", "rail", "road", "river") else geom
            return Location(
                geometry=geom,
                precision=precision if precision != "feature" else "district" if f.kind in ("metro_line", "rail", "road", "river", "lake", "corridor", "zone") else "town",
                precision_m=max(precision_m or 0.0, _extent_m(f.geometry), 500.0),
                method="contained-name",
                confidence=0.5,
                reason=f"{entity.name!r} is not in the gazetteer; it names {f.name!r}, where it is placed at that place's precision",
                source=_source_text(f),
                source_crs=f.source_crs,
                gazetteer_id=f.id,
            )
        return None

    def _unresolved(self, entity: Entity, why: str, reason: str, pool: Iterable[GazetteerFeature]) -> Location:
        return Location(
            geometry=None,
            precision="none",
            precision_m=None,
            method="none",
            confidence=0.0,
            reason=reason,
            candidates=tuple(_describe(f) for f in pool),
            unresolved_reason=why,
        )


# ---------------------------------------------------------------------- helpers
def _origin_rank(f: GazetteerFeature) -> int:
    return {"admin": 0, "curated": 1, "user": 2}.get(f.origin, 0)


def _kind_fits(wanted: str, have: str) -> bool:
    return have == wanted or have in _COMPATIBLE.get(wanted, ())


def _significant(code: str) -> str:
    code = code.rstrip("0")
    return code if len(code) % 2 == 0 else code + "0"


def _precision_of(f: GazetteerFeature, as_area: bool = False) -> tuple[str, float]:
    """Precision class and radius of a feature's geometry standing for itself."""
    geom = f.geometry
    if geom is not None and geom.geom_type == "Point" and f.kind in _POINT_PRECISION:
        return _POINT_PRECISION[f.kind], float(f.precision_m)
    if as_area and f.kind in _POINT_PRECISION:
        return _POINT_PRECISION[f.kind], float(f.precision_m)
    return "feature", float(f.precision_m)


def _extent_m(geom: BaseGeometry) -> float:
    """Half the diagonal of a geometry's bounds, in metres (rough, for radii)."""
    minx, miny, maxx, maxy = geom.bounds
    dx = (maxx - minx) * _M_PER_DEG * 0.86  # cos(30°N)
    dy = (maxy - miny) * _M_PER_DEG
    return round(((dx**2 + dy**2) ** 0.5) / 2, 0)


def _spread_m(feats: Sequence[GazetteerFeature]) -> float:
    pts = [f.geometry.representative_point() for f in feats if f.geometry is not None]
    best = 0.0
    for i, a in enumerate(pts):
        for b in pts[i + 1 :]:
            d = (((a.x - b.x) * _M_PER_DEG * 0.86) ** 2 + ((a.y - b.y) * _M_PER_DEG) ** 2) ** 0.5
            best = max(best, d)
    return best


def _order_along(pts: list[Point]) -> list[Point]:
    """Order points along their main direction (west→east or south→north)."""
    xs = [p.x for p in pts]
    ys = [p.y for p in pts]
    if max(xs) - min(xs) >= max(ys) - min(ys):
        return sorted(pts, key=lambda p: p.x)
    return sorted(pts, key=lambda p: p.y)


def _source_text(f: GazetteerFeature) -> str:
    return f"{f.source} ({f.license})" if f.license else f.source


def _describe(f: GazetteerFeature) -> str:
    chain = "/".join(n for n in f.admin_names if n)
    return f"{f.id} {f.name} [{f.kind}; {chain}]"
