"""The offline resolver: a plan's entity → a gazetteer feature, honestly.

Order of decisions, each recorded as ``method`` with a ``reason`` in words:

1. ``override``: the planner's review file says where it is;
2. ``exact`` / ``alias``: gazetteer features named so, narrowed by the plan's
   jurisdiction, by the kind the mention asks for (before the layer: a
   bureau's road never hides the station asked for), and by the places named
   beside it in the same sentences and section; several far-apart survivors
   make the name *ambiguous* (unresolved, with candidates), never a coin toss;
3. ``derived``: an extension (17号线西延伸), or a line no layer draws at
   feature precision (only its extent, or nothing), drawn through the
   stations the plan names for it;
4. ``admin-fallback`` for a village: a village-level name the national
   village list puts in one township of the plan's jurisdiction (东庄村 →
   练塘镇) is placed at that township, at town precision (at its county when
   the township has no position); in two townships of one county, at the
   county; in several counties, ambiguous;
5. ``contained-name``: the name holds a place the gazetteer knows
   (朱家角镇卫生服务中心 → 朱家角镇), placed there at that place's precision;
6. ``admin-fallback``: a township the national layer lists without a point is
   placed at its county, at district precision; a zone or project no layer
   holds, at the one district or township its clause writes before it
   (:mod:`~geoplan.geocode.written_before`), at that unit's precision;
7. otherwise unresolved with the reason (not-found, ambiguous,
   outside-jurisdiction).  No point is ever made up.

Each strategy has its module: :mod:`~geoplan.geocode.choice` (2),
:mod:`~geoplan.geocode.derivation` (3), :mod:`~geoplan.geocode.villages` (4);
the helpers they share sit in :mod:`~geoplan.geocode.placement`.
"""

from __future__ import annotations

from collections.abc import Iterable

from shapely.geometry.base import BaseGeometry

from geoplan.extract.vocab import load_vocab
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode import kinds
from geoplan.geocode.choice import Choice
from geoplan.geocode.derivation import Extensions, Lines
from geoplan.geocode.index import index_for
from geoplan.geocode.overrides import Overrides
from geoplan.geocode.placement import (
    SAME_PLACE_M,
    in_jurisdiction,
    is_linear,
    origin_rank,
    placement,
    source_text,
    spread_m,
    top_layer_per_county,
    unresolved,
)
from geoplan.geocode.protocol import GazetteerLike
from geoplan.geocode.villages import Villages
from geoplan.geocode.written_before import WrittenBefore
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Entity, Location

__all__ = ["Resolver"]


class Resolver:
    """Resolves entities of one plan against a gazetteer.

    One resolver serves one plan: the plan's jurisdiction decides between
    features of the same name, and the overrides file is checked against the
    gazetteer once, up front, so that a mistyped id stops the run before any
    point is drawn instead of when (or if) its name comes up.
    """

    def __init__(
        self,
        gazetteer: GazetteerLike,
        jurisdiction: Jurisdiction | None = None,
        overrides: Overrides | None = None,
        scoped_features: Iterable[GazetteerFeature] | None = None,
    ) -> None:
        self.gaz = gazetteer
        self.jurisdiction = jurisdiction
        self.overrides = overrides or Overrides.empty()
        self.overrides.validate(gazetteer)
        # one index per gazetteer, shared by the resolvers of every plan of a run
        index = index_for(gazetteer, scoped_features)
        self._contained = index.contained
        self._longest = index.longest
        self._unions = index.unions
        self._vocab = load_vocab()
        self._extensions = self._vocab.extensions  # longest first
        self._choice = Choice(gazetteer, jurisdiction, index, self._vocab)
        self._derivation = Extensions(gazetteer, jurisdiction, index, self._extensions, self._vocab.is_city_relative)
        self._villages = Villages(gazetteer, jurisdiction, index)
        self._lines = Lines(gazetteer)
        self._written_before = WrittenBefore(jurisdiction, index)

    # ----------------------------------------------------------------- public
    def resolve(self, entity: Entity, resolved_so_far: dict[str, Location] | None = None) -> Location:
        """Place one entity; ``resolved_so_far`` maps names of this plan already placed to their locations."""
        done = resolved_so_far or {}
        ov = self.overrides.match(entity.name, entity.doc, self.jurisdiction)
        if ov is not None:
            return ov.to_location(self.gaz)
        cands = self._choice.candidates(entity)
        if cands:
            chosen = self._choice.choose(entity, cands, done)
            if self._lines.wanted(entity, chosen):  # only an extent of it, or ambiguous
                f = self.gaz.get(chosen.gazetteer_id) if chosen.gazetteer_id else None
                drawn = self._lines.derive(entity, done, f if f is not None and is_linear(f.kind) else None)
                if drawn is not None:
                    return drawn
            return chosen
        group = self._group(entity)
        if group is not None:
            return group
        derived = self._derivation.derive(entity, done)
        if derived is not None:
            return derived
        if self._lines.wanted(entity, None):
            drawn = self._lines.derive(entity, done)
            if drawn is not None:
                return drawn
        village = self._villages.place(entity)
        if village is not None:
            return village
        contained = self._contained_name(entity)
        if contained is not None:
            return contained
        before = self._written_before.place(entity)
        if before is not None:
            return before
        return unresolved("not-found", f"{entity.name!r} is in no gazetteer layer and holds no place geoplan knows", ())

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
                feats = kinds.containable(
                    name, self._eligible(self._contained.get(sub, ())), self._province(), entity.sentences
                )
                if size == 2 and i > 0:
                    feats = [f for f in feats if f.origin == "admin"]
                # within one county the better-documented layer's record of a name (a curated
                # station over the national point of it), as the choice of an exact name does
                feats = top_layer_per_county(feats)
                if not feats or (len(feats) > 1 and spread_m(feats) > SAME_PLACE_M):
                    continue
                found.append((sub, max(feats, key=origin_rank)))
            if found:
                sub, f = min(found, key=lambda sf: (placement(sf[1])[1], sf[1].id))
                return self._place_contained(entity, sub, f)
        return None

    def _province(self) -> str | None:
        return self.jurisdiction.province_prefix if self.jurisdiction is not None else None

    def _eligible(self, feats: Iterable[GazetteerFeature]) -> list[GazetteerFeature]:
        j = self.jurisdiction
        ok = [f for f in feats if f.origin != "admin" or (j is not None and in_jurisdiction(f, self.jurisdiction))]
        if j is not None and len(ok) > 1:
            ok = [f for f in ok if in_jurisdiction(f, self.jurisdiction)] or ok
        return ok

    def _place_contained(self, entity: Entity, sub: str, f: GazetteerFeature) -> Location:
        precision, precision_m = placement(f)
        geom = f.geometry
        if geom.geom_type not in ("Point", "LineString", "MultiLineString"):
            geom = f.point
        note = f"; {f.point_note}" if f.point_note else ""
        if any(entity.name == sub + ext for ext in self._extensions) and is_linear(f.kind):
            note += "; no station named with it, so the extension is shown as its line"
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


def _union(geoms: list[BaseGeometry]) -> BaseGeometry:
    """The members of a group as one geometry (points kept as points; areas simplified to ~200 m)."""
    from shapely.ops import unary_union

    if all(g.geom_type in ("Point", "MultiPoint") for g in geoms):
        return unary_union(geoms)
    return unary_union([g if g.geom_type not in ("Point",) else g.buffer(0.001) for g in geoms]).simplify(0.002)
