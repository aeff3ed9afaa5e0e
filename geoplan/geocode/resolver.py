"""The offline resolver: a plan's entity → a gazetteer feature, honestly.

Order of decisions, each recorded as ``method`` with a ``reason`` in words:

1. ``override``: the planner's review file says where it is;
2. ``exact`` / ``alias``: gazetteer features named so, narrowed by the plan's
   jurisdiction, by the kind the mention asks for (before the layer: a
   bureau's road never hides the station asked for), and by the places named
   beside it in the same sentences and section; several far-apart survivors
   make the name *ambiguous* (unresolved, with candidates), never a coin toss;
3. ``derived``: an extension (17号线西延伸) drawn through the stations the plan
   names for it;
4. ``admin-fallback`` for a village: a village-level name the national
   village list puts in one township of the plan's jurisdiction (东庄村 →
   练塘镇) is placed at that township, at town precision (at its county when
   the township has no position); in two townships of one county, at the
   county; in several counties, ambiguous;
5. ``contained-name``: the name holds a place the gazetteer knows
   (朱家角镇卫生服务中心 → 朱家角镇), placed there at that place's precision;
6. ``admin-fallback``: a township the national layer lists without a point is
   placed at its county, at district precision;
7. otherwise unresolved with the reason (not-found, ambiguous,
   outside-jurisdiction).  No point is ever made up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from weakref import WeakKeyDictionary

from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geoplan.extract.vocab import load_kinds, load_vocab
from geoplan.gazetteer.model import ORIGINS, GazetteerFeature
from geoplan.geocode import kinds
from geoplan.geocode.overrides import Overrides
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Location, Mention

#: candidates further apart than this (metres) are different places
_SAME_PLACE_M = 3000.0
_M_PER_DEG = 111_320.0

#: the words a located feature's reason carries when it lies outside the plan's jurisdiction
OUTSIDE_NOTE = "lies outside"
#: a village placed at its township's point lies within this radius (metres):
#: a suburban township covers 50–150 km², so its villages lie up to ~6 km from its seat
_VILLAGE_IN_TOWN_M = 6000.0
#: a contained-name placement is never finer than this radius (metres)
_MIN_CONTAINED_M = 500.0
#: upper radius (metres) of each precision class, for places that are not
#: administrative units (a 28 km lake shore is not "town" precision)
_CLASS_BY_RADIUS = (("town", 5000.0), ("district", 50000.0), ("city", float("inf")))



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


class _NameIndex:
    """The resolver's own name maps over a gazetteer's features.

    ``by_name``: every feature by name and alias, whatever its layer.  The
    gazetteer's own lookup keeps only the highest layer per county, which
    would let a bureau's road hide the curated station the plan asks for; the
    resolver ranks layers after the kind has been chosen.  ``contained``: the
    names (two characters or more) of features with a position, for names that
    hold a place.  ``stations``: point features an extension may be drawn through.
    """

    def __init__(self, features: Iterable[GazetteerFeature]) -> None:
        feats = list(features)
        self.size = len(feats)
        self.by_name: dict[str, list[GazetteerFeature]] = {}
        self.contained: dict[str, list[GazetteerFeature]] = {}
        for f in feats:
            for n in dict.fromkeys(f.all_names):
                self.by_name.setdefault(n, []).append(f)
                if f.geometry is not None and len(n) >= 2 and kinds.may_contain(f, n):
                    self.contained.setdefault(n, []).append(f)
        self.longest = max((len(n) for n in self.contained), default=0)
        #: group unions by member ids: 长三角's four provinces are merged once per gazetteer
        self.unions: dict[tuple[str, ...], BaseGeometry] = {}
        self.stations = [
            f for f in feats if f.geometry is not None and f.geometry.geom_type == "Point" and _kind_fits("station", f.kind)
        ]


#: one index per gazetteer object, dropped with it
_INDEXES: WeakKeyDictionary = WeakKeyDictionary()


class Resolver:
    """Resolves entities of one plan against a gazetteer.

    One resolver serves one plan: the plan's jurisdiction decides between
    features of the same name, and the overrides file is checked against the
    gazetteer once, up front, so that a mistyped id stops the run before any
    point is drawn instead of when (or if) its name comes up.
    """

    def __init__(
        self,
        gazetteer,  # geoplan.gazetteer.Gazetteer (duck-typed: lookup, get, features, admin)
        jurisdiction: Jurisdiction | None = None,
        overrides: Overrides | None = None,
        scoped_features: Iterable[GazetteerFeature] | None = None,
    ) -> None:
        self.gaz = gazetteer
        self.jurisdiction = jurisdiction
        self.overrides = overrides or Overrides.empty()
        self.overrides.validate(gazetteer)
        if scoped_features is not None:
            index = _NameIndex(scoped_features)
        else:
            # one index per gazetteer, shared by the resolvers of every plan of a run
            index = _INDEXES.get(gazetteer)
            if index is None or index.size != len(gazetteer):
                index = _INDEXES[gazetteer] = _NameIndex(gazetteer.features)
        self._by_name = index.by_name
        self._contained = index.contained
        self._longest = index.longest
        self._stations = index.stations
        self._unions = index.unions
        self._vocab = load_vocab()
        self._towns_here: dict[str, tuple[str, ...]] | None = None
        self._extensions = self._vocab.extensions  # longest first

    # ----------------------------------------------------------------- public
    def resolve(self, entity: Entity, resolved_so_far: dict[str, Location] | None = None) -> Location:
        """Place one entity; ``resolved_so_far`` maps names of this plan already placed to their locations."""
        done = resolved_so_far or {}
        ov = self.overrides.match(entity.name, entity.doc, self.jurisdiction)
        if ov is not None:
            return ov.to_location(self.gaz)
        cands = self._candidates(entity)
        if cands:
            return self._choose(entity, cands, done)
        group = self._group(entity)
        if group is not None:
            return group
        derived = self._derive_extension(entity, done)
        if derived is not None:
            return derived
        village = self._village(entity)
        if village is not None:
            return village
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

    def _group(self, entity: Entity) -> Location | None:
        """A group name (青西三镇, 长三角) drawn as the union of its members.

        Members come from ``layers/vocab/groups.toml``; each is resolved like any
        name of the plan.  The group is only placed when every member is: a
        union missing a member would misstate the area.
        """
        members = load_vocab().group_members(entity.name)
        if not members:
            return None
        parts: list[Location] = []
        for member in members:
            loc = self.resolve(Entity(name=member, kind="", doc=entity.doc, mentions=()), {})
            if not loc.located or loc.method not in ("exact", "alias", "override"):
                return None
            parts.append(loc)
        ids = tuple(p.gazetteer_id or "" for p in parts)
        geom = self._unions.get(ids) if all(ids) else None
        if geom is None:
            geom = _union([p.geometry for p in parts])
            if all(ids):  # the same members are the same union for every plan of the run
                self._unions[ids] = geom
        order = ["feature", "town", "district", "city"]
        worst = max((p.precision for p in parts), key=order.index)
        return Location(
            geometry=geom,
            precision=worst,
            precision_m=max(float(p.precision_m or 0.0) for p in parts),
            method="group",
            confidence=round(min(p.confidence for p in parts) * 0.95, 2),
            reason=f"{entity.name!r} stands for {'、'.join(members)} (layers/vocab/groups.toml); drawn as their union",
            source="; ".join(dict.fromkeys(p.source for p in parts)),
            source_crs=parts[0].source_crs,
            gazetteer_id=None,
            candidates=tuple(p.gazetteer_id or "" for p in parts),
        )

    # ------------------------------------------------------------- candidates
    def _candidates(self, entity: Entity) -> list[GazetteerFeature]:
        found: dict[str, GazetteerFeature] = {}
        for fid in entity.gazetteer_ids:
            f = self.gaz.get(fid)
            if f is not None:
                found[f.id] = f
        for f in self._by_name.get(entity.name.strip(), ()):
            found.setdefault(f.id, f)
        # a surface that differs from the name is often only its stem (迎祥 for
        # 迎祥文化创意产业园 in "迎祥、后塘文化创意产业园"): it names the entity
        # only where the place it names is of the entity's kind
        for surface in entity.surfaces:
            if surface.strip() == entity.name.strip():
                continue
            for f in self._by_name.get(surface.strip(), ()):
                if _kind_fits(entity.kind, f.kind):
                    found.setdefault(f.id, f)
        return kinds.filter_candidates(entity.name, entity.surfaces, entity.kind, list(found.values()))

    def _choose(self, entity: Entity, cands: list[GazetteerFeature], done: dict[str, Location]) -> Location:
        j = self.jurisdiction
        notes: list[str] = []
        pool = cands
        outside = False
        if j is not None and all(self._vocab.is_city_relative(n) for n in (entity.name, *entity.surfaces)):
            # 5号线 in a 杭州 plan is 杭州's line 5, never Shanghai's
            digits = 2 if j.level == "province" else 4
            own = [f for f in pool if (f.admin_code or "")[:digits] == j.code[:digits]]
            if not own:
                return self._unresolved(
                    entity,
                    "not-found",
                    f"{entity.name!r} names a line by its number, which every city reuses; "
                    f"no such line of {j.name} is in the gazetteer",
                    pool,
                )
            pool = own
        if j is not None:
            inside = [f for f in pool if self._in_jurisdiction(f)]
            if inside:
                if len(inside) < len(pool):
                    notes.append(f"{len(pool) - len(inside)} candidate(s) outside {j.name} set aside")
                pool = inside
            else:
                outside = True
                evident = kinds.outside_without_evidence(pool, entity.sentences, (entity.name, *entity.surfaces), j.province_prefix)
                if evident is not None and not evident:
                    return self._unresolved(entity, "ambiguous", f"{entity.name!r} names no place in {j.name}'s province, "
                                            f"and the sentence names none of the places of the {len(pool)} elsewhere", pool)
                pool = evident or pool
                # outside the plan's area: fine for a named unit or a curated
                # feature with a unique name; not for a township name that repeats
                towns = [f for f in pool if f.kind in ("town", "street", "village") and f.origin == "admin"]
                if towns and len(pool) == len(towns):
                    if len({f.county_code for f in towns}) > 1:
                        return self._unresolved(
                            entity,
                            "ambiguous",
                            f"{entity.name!r} names townships in {len({f.county_code for f in towns})} counties, "
                            f"none of them in {j.name}",
                            pool,
                        )
                    return self._unresolved(
                        entity,
                        "outside-jurisdiction",
                        f"{entity.name!r}: only a township outside {j.name} carries this name",
                        pool,
                    )
        located = [f for f in pool if f.geometry is not None]
        if not located:
            return self._admin_fallback(entity, pool)
        pool = located
        # the kind the head word asks for, before the layer it comes from: a
        # curated road must not beat the station the plan asks for
        kind_ok = [f for f in pool if _kind_fits(entity.kind, f.kind)]
        if kind_ok and len(kind_ok) < len(pool):
            notes.append(f"kind {entity.kind} preferred")
            pool = kind_ok
        # then, within one county, a bureau's layer over the curated one over the national
        pool = _top_layer_per_county(pool)
        if len(pool) > 1 and _spread_m(pool) > _SAME_PLACE_M:
            before = len(pool)
            pool = self._by_context(entity, pool, done)
            if len(pool) < before:
                notes.append("decided by places named in the same sentence or section")
        if len(pool) > 1 and _spread_m(pool) > _SAME_PLACE_M:
            return self._unresolved(
                entity, "ambiguous", f"{entity.name!r} names {len(pool)} places; context does not decide", pool
            )
        # the survivors are one place: the best-documented record of it
        f = min(pool, key=lambda c: (-_origin_rank(c), c.kind != entity.kind, c.precision_m, c.id))
        method = "exact" if f.name in (entity.name, *entity.surfaces) else "alias"
        precision, precision_m = precision_of(f)
        confidence = 0.95 if method == "exact" else 0.85
        located_cands = [c for c in cands if c.geometry is not None]
        if len(located_cands) > 1 and _spread_m(located_cands) > _SAME_PLACE_M:
            confidence -= 0.1  # other places carry the name too
            if any(n.startswith("decided by") for n in notes):
                confidence -= 0.1  # and only the context told them apart
        if outside:
            confidence -= 0.15
            notes.append(f"{OUTSIDE_NOTE} {j.name}")
        if f.origin == "admin" and f.kind in ("town", "street"):
            confidence -= 0.05  # a township point, not its outline
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
            source=source_text(f),
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

    def _by_context(
        self, entity: Entity, pool: list[GazetteerFeature], done: dict[str, Location]
    ) -> list[GazetteerFeature]:
        """Keep the candidates best supported by the places named beside the entity.

        A candidate scores for each of its administrative names (county, town,
        short forms too) that the entity's sentences name (2) or its sections'
        titles name (1), and for each place already placed in this plan and
        named in those sentences that it lies in or near (2).
        """
        own = {entity.name, *entity.surfaces}
        sentences = "".join(entity.sentences)
        sections = " ".join(dict.fromkeys(m.task_path for m in entity.mentions))
        near = [
            loc
            for name, loc in done.items()
            if loc.geometry is not None and name not in own and name in sentences and loc.precision != "city"
        ]
        scored = []
        for f in pool:
            score = 0
            for n in f.admin_names:
                if not n or n in own:
                    continue
                forms = [n] + ([n[:-1]] if len(n) > 2 else [])
                if any(x in sentences for x in forms):
                    score += 2
                elif any(x in sections for x in forms):
                    score += 1
            for loc in near:
                if _near(f.geometry, loc):
                    score += 2
            scored.append((score, f))
        top = max(s for s, _ in scored)
        if top > 0:
            return [f for s, f in scored if s == top]
        return pool

    # -------------------------------------------------------------- fallbacks
    def _admin_fallback(self, entity: Entity, pool: list[GazetteerFeature]) -> Location:
        """A township listed without a point: its county, when only one county lists it."""
        counties = sorted({f.county_code for f in pool if f.county_code})
        if len(counties) > 1:
            return self._unresolved(
                entity,
                "ambiguous",
                f"{entity.name!r} is listed without a position in {len(counties)} counties",
                pool,
            )
        if len(counties) == 1:
            county = self.gaz.admin(counties[0]) if hasattr(self.gaz, "admin") else None
            if county is not None and county.geometry is not None:
                f = pool[0]
                precision, _ = precision_of(county, as_area=True)
                return Location(
                    geometry=county.geometry.representative_point(),
                    precision=precision if precision != "feature" else "district",
                    precision_m=max(_extent_m(county.geometry), float(county.precision_m)),
                    method="admin-fallback",
                    confidence=0.4,
                    reason=f"{f.name!r} is listed in {county.name} without a position; placed at the county",
                    source=source_text(county),
                    source_crs=county.source_crs,
                    gazetteer_id=county.id,
                    candidates=tuple(c.id for c in pool),
                )
        return self._unresolved(entity, "not-found", f"{entity.name!r} is listed but has no position", pool)

    def _village(self, entity: Entity) -> Location | None:
        """A village the national village list places in the plan's jurisdiction: at its township.

        Only inside a jurisdiction: village names repeat by the hundred across
        China, and only the plan's own area makes one of them the one meant.
        """
        j = self.jurisdiction
        lookup = getattr(self.gaz, "villages", None)
        if j is None or lookup is None:
            return None
        records = lookup(entity.name, (j.prefix,))
        if not records:
            records = self._village_after_township(entity.name, lookup, j.prefix)
        if not records:
            return None
        source = getattr(self.gaz, "village_source", "national village list")
        towns = sorted({(r.county_code, r.town) for r in records})
        written = self._towns_written_before(entity, {t for _, t in towns} | set(self._township_forms()))
        conflict = ""
        if written:
            # the plan says which township (黎里镇高新村): it decides between listed ones,
            # and contradicts the list when it names another township
            chosen = [(c, t) for c, t in towns if t in written]
            if chosen:
                towns = chosen
            else:
                conflict = (f"; the plan writes it after {'、'.join(sorted(written))}, "
                            f"but the village list has it in {'、'.join(t for _, t in towns)}")
        counties = sorted({c for c, _ in towns})
        if len(counties) > 1:
            return replace(
                self._unresolved(
                    entity,
                    "ambiguous",
                    f"{entity.name!r} is a village in {len(counties)} counties of {j.name} ({source})",
                    [],
                ),
                candidates=tuple(f"{entity.name} in {t}, {self._county_name(c)}" for c, t in towns),
            )
        county_code = counties[0]
        county = self.gaz.admin(county_code)
        if len(towns) == 1:
            town = self._town_feature(county_code, towns[0][1])
            if town is not None:
                geom = town.geometry
                if geom.geom_type != "Point":
                    geom = geom.representative_point()
                radius = max(_extent_m(town.geometry), float(town.precision_m), _VILLAGE_IN_TOWN_M)
                return Location(
                    geometry=geom,
                    precision="town",
                    precision_m=radius,
                    method="admin-fallback",
                    confidence=0.3 if conflict else 0.45,
                    reason=(
                        f"{entity.name!r} is a village of {towns[0][1]} ({self._county_name(county_code)}) in the "
                        f"{source}, which gives no position for villages; placed at {town.name} ({town.origin} layer)"
                        + conflict
                    ),
                    source=f"{source}; {source_text(town)}",
                    source_crs=town.source_crs,
                    gazetteer_id=town.id,
                )
        if county is None or county.geometry is None:
            return None
        where = "、".join(t for _, t in towns)
        return Location(
            geometry=county.geometry.representative_point(),
            precision="district",
            precision_m=max(_extent_m(county.geometry), float(county.precision_m)),
            method="admin-fallback",
            confidence=0.35,
            reason=(
                f"{entity.name!r} is a village of {where} in {county.name} ({source}); "
                + ("no township has a position" if len(towns) == 1 else f"{len(towns)} townships carry the name")
                + "; placed at the county"
            ),
            source=f"{source}; {source_text(county)}",
            source_crs=county.source_crs,
            gazetteer_id=county.id,
        )

    def _township_forms(self) -> dict[str, tuple[str, ...]]:
        """Townships of the plan's jurisdiction: full name → every way of writing it (黎里镇, 黎里).

        The short forms are the gazetteer's own aliases (rules in layers/vocab/admin_names.toml).
        """
        j = self.jurisdiction
        if j is None:
            return {}
        if self._towns_here is None:
            forms: dict[str, set[str]] = {}
            for fs in self._by_name.values():
                for f in fs:
                    if f.kind in ("town", "street") and f.origin == "admin" and j.contains_code(f.admin_code):
                        forms.setdefault(f.name, set()).update(n for n in f.all_names if len(n) >= 2)
            self._towns_here = {name: tuple(sorted(v, key=len, reverse=True)) for name, v in forms.items()}
        return self._towns_here

    def _towns_written_before(self, entity: Entity, towns: Iterable[str]) -> set[str]:
        """Townships the plan writes right before the entity (黎里镇高新村, 黎里高新村)."""
        forms = self._township_forms()
        found: set[str] = set()
        for m in entity.mentions:
            at = m.sentence.find(m.surface)
            if at <= 0:
                continue
            before = m.sentence[:at]
            for t in towns:
                if any(before.endswith(w) for w in forms.get(t, (t,))):
                    found.add(t)
        return found

    def _village_after_township(self, name: str, lookup, prefix: str) -> list:
        """黎里镇高新村: the village 高新村 of the township the name opens with, if the list has it there."""
        for town, written in self._township_forms().items():
            for w in written:
                rest = name[len(w):]
                if name.startswith(w) and len(rest) >= 3:
                    found = [r for r in lookup(rest, (prefix,)) if r.town == town]
                    if found:
                        return found
        return []

    def _town_feature(self, county_code: str, town: str) -> GazetteerFeature | None:
        """The best-documented located feature of a township (a curated outline over a GeoNames point)."""
        feats = [
            f
            for f in self._by_name.get(town, ())
            if f.geometry is not None and f.county_code == county_code and f.kind in ("town", "street")
        ]
        return max(feats, key=lambda f: (_origin_rank(f), -f.precision_m), default=None)

    def _county_name(self, code: str) -> str:
        unit = self.gaz.admin(code) if hasattr(self.gaz, "admin") else None
        return unit.name if unit is not None else code

    def _derive_extension(self, entity: Entity, done: dict[str, Location]) -> Location | None:
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
        lines = kinds.top_origin([f for f in self._contained[base] if _is_linear(f.kind)])
        if self.jurisdiction is not None and self._vocab.is_city_relative(base):  # 12号线 of this city only
            lines = [f for f in lines if (f.admin_code or "")[:4] == self.jurisdiction.code[:4]]
        if self.jurisdiction is not None and len(lines) > 1:
            lines = [f for f in lines if self._in_jurisdiction(f)] or lines
        if not lines or (len(lines) > 1 and _spread_m(lines) > _SAME_PLACE_M):
            return None
        line = max(lines, key=_origin_rank)
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
                if _metres(line.geometry.distance(s[1])) > tol or _metres(start.distance(s[1])) <= tol
            ]
            pts = [pt for _, pt, _ in stations]
            if not pts:
                return None
        ordered = _chain_from(start if start is not None else pts[0], pts)
        on_line = start is not None and _metres(line.geometry.distance(ordered[0])) <= max(line.precision_m, 200.0)
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
                if f is not None and not _kind_fits("station", f.kind):
                    continue
                if f is None and loc.method != "override":
                    continue
                if _metres(line.geometry.distance(g)) <= reach:
                    out.setdefault(name, (name, g, float(loc.precision_m or 0.0)))
            for f in self._stations:
                if f.name in out or not any(n in sentence for n in f.all_names if kinds.may_contain(f, n)):
                    continue
                if _metres(line.geometry.distance(f.geometry)) <= reach:
                    out.setdefault(f.name, (f.name, f.geometry, float(f.precision_m)))
        # a station named inside a longer station name (西岑 in 西岑站) is not a second one
        return [s for s in out.values() if not any(s[0] != o and s[0] in o for o in out)]

    def _contained_name(self, entity: Entity) -> Location | None:
        """The longest place name held in the entity's name, placed at that place's precision.

        Only places the plan can mean: curated and user features, and
        administrative units of the plan's own jurisdiction (江南水乡 holds the
        name of a county in 广西; that is no reason to put it there).  A
        two-character short name of a curated place counts only at the start of
        the entity's name (金泽学区, not the 浦江 inside 黄浦江…).  Among names of one length
        the finest place wins (青浦 over 上海 in 上海儿童医院青浦分院).
        """
        name = entity.name
        for size in range(min(len(name) - 1, self._longest), 1, -1):
            found: list[tuple[str, GazetteerFeature]] = []
            for i in range(len(name) - size + 1):
                sub = name[i : i + size]
                if not kinds.whole_at(name, i, size):
                    continue
                feats = kinds.containable(name, self._eligible(self._contained.get(sub, ())), self._province())
                if size == 2 and i > 0:
                    feats = [f for f in feats if f.origin == "admin"]
                if not feats or (len(feats) > 1 and _spread_m(feats) > _SAME_PLACE_M):
                    continue
                found.append((sub, max(feats, key=_origin_rank)))
            if found:
                sub, f = min(found, key=lambda sf: (_placement(sf[1])[1], sf[1].id))
                return self._place_contained(entity, sub, f)
        return None

    def _province(self) -> str | None:
        return self.jurisdiction.province_prefix if self.jurisdiction is not None else None

    def _eligible(self, feats: Iterable[GazetteerFeature]) -> list[GazetteerFeature]:
        j = self.jurisdiction
        ok = [f for f in feats if f.origin != "admin" or (j is not None and self._in_jurisdiction(f))]
        if j is not None and len(ok) > 1:
            ok = [f for f in ok if self._in_jurisdiction(f)] or ok
        return ok

    def _place_contained(self, entity: Entity, sub: str, f: GazetteerFeature) -> Location:
        precision, precision_m = _placement(f)
        geom = f.geometry
        if geom.geom_type not in ("Point", "LineString", "MultiLineString"):
            geom = geom.representative_point()
        note = ""
        if any(entity.name == sub + ext for ext in self._extensions) and _is_linear(f.kind):
            note = "; no station named with it, so the extension is shown as its line"
        return Location(
            geometry=geom,
            precision=precision,
            precision_m=precision_m,
            method="contained-name",
            confidence=0.5,
            reason=(
                f"{entity.name!r} is not in the gazetteer; it names {f.name!r}"
                + (f" (as {sub!r})" if sub != f.name else "")
                + f", where it is placed at {precision} precision{note}"
            ),
            source=source_text(f),
            source_crs=f.source_crs,
            gazetteer_id=f.id,
        )

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
def _union(geoms: list[BaseGeometry]) -> BaseGeometry:
    """The members of a group as one geometry (points kept as points; areas simplified to ~200 m)."""
    from shapely.ops import unary_union

    if all(g.geom_type in ("Point", "MultiPoint") for g in geoms):
        return unary_union(geoms)
    return unary_union([g if g.geom_type not in ("Point",) else g.buffer(0.001) for g in geoms]).simplify(0.002)


def _origin_rank(f: GazetteerFeature) -> int:
    return ORIGINS.index(f.origin) if f.origin in ORIGINS else 0


def _top_layer_per_county(feats: list[GazetteerFeature]) -> list[GazetteerFeature]:
    best: dict[str | None, int] = {}
    for f in feats:
        key = f.county_code or f.admin_code
        best[key] = max(best.get(key, -1), _origin_rank(f))
    return [f for f in feats if _origin_rank(f) == best[f.county_code or f.admin_code]]


def _kind_fits(wanted: str, have: str) -> bool:
    # kinds.toml says which other kinds a head word may turn out to be (站 → hub)
    info = load_kinds().get(wanted)
    return have == wanted or (info is not None and have in info.accepts)


@lru_cache(maxsize=1)
def _kind_table() -> dict[str, tuple[str, str]]:
    """kind → (precision class, expected geometry), from ``layers/vocab/kinds.toml``."""
    return {k: (info.precision, info.geometry) for k, info in load_kinds().items()}


def _is_linear(kind: str) -> bool:
    return _kind_table().get(kind, ("feature", "point"))[1] == "line"


def _significant(code: str) -> str:
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
    if kinds.declared_class(f):  # an extent standing for a line is no line at feature precision
        return kinds.declared_class(f), float(f.precision_m)  # type: ignore[return-value]
    geom = f.geometry
    unit_class = _kind_table().get(f.kind, ("feature", ""))[0]
    if unit_class != "feature" and (as_area or (geom is not None and geom.geom_type == "Point")):
        return unit_class, float(f.precision_m)
    return "feature", float(f.precision_m)


def _placement(f: GazetteerFeature) -> tuple[str, float]:
    """Class and radius of something placed *at* ``f`` (it is not ``f`` itself)."""
    radius = max(float(f.precision_m), _extent_m(f.geometry), _MIN_CONTAINED_M)
    unit_class, _ = precision_of(f, as_area=True)
    if unit_class != "feature":
        return unit_class, radius
    return next(c for c, upto in _CLASS_BY_RADIUS if radius <= upto), radius


def _extent_m(geom: BaseGeometry) -> float:
    """Half the diagonal of a geometry's bounds, in metres (rough, for radii)."""
    minx, miny, maxx, maxy = geom.bounds
    dx = (maxx - minx) * _M_PER_DEG * 0.86  # cos(30°N)
    dy = (maxy - miny) * _M_PER_DEG
    return round(((dx**2 + dy**2) ** 0.5) / 2, 0)


def _metres(deg: float) -> float:
    """A distance in degrees as metres (rough, mid-latitude China)."""
    return deg * _M_PER_DEG * 0.93


def _spread_m(feats: Sequence[GazetteerFeature]) -> float:
    pts = [f.geometry.representative_point() for f in feats if f.geometry is not None]
    best = 0.0
    for i, a in enumerate(pts):
        for b in pts[i + 1 :]:
            d = (((a.x - b.x) * _M_PER_DEG * 0.86) ** 2 + ((a.y - b.y) * _M_PER_DEG) ** 2) ** 0.5
            best = max(best, d)
    return best


def _near(geom: BaseGeometry, loc: Location) -> bool:
    """Does a candidate lie in or beside a place already placed?"""
    other = loc.geometry
    if other is None:
        return False
    if other.geom_type in ("Polygon", "MultiPolygon") and other.intersects(geom):
        return True
    return _metres(other.distance(geom)) <= max(float(loc.precision_m or 0.0), _SAME_PLACE_M)


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


def source_text(f: GazetteerFeature) -> str:
    """The provenance written beside every located feature: source and licence."""
    return f"{f.source} ({f.license})" if f.license else f.source


def _describe(f: GazetteerFeature) -> str:
    chain = "/".join(n for n in f.admin_names if n)
    return f"{f.id} {f.name} [{f.kind}; {chain}]"
