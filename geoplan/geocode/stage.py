"""Geocoding's entry point: a plan's entities → where each one is, and how sure.

:func:`locate` is the whole geocoding stage of one plan.  It owns the decisions
that only make sense across the entities of a plan, around the resolver that
places one entity at a time:

- order: stations and places first, then lines, extensions last, because a
  line or an extension is drawn through the stations resolved before it;
- the opt-in online geocoder, asked only for names the gazetteer leaves
  unresolved (never for ambiguous ones: a provider would silently pick one),
  biased to and checked against the plan's jurisdiction;
- the kind of a matched name is the gazetteer feature's kind (太湖 found as a
  county's short form but placed on the lake is a lake);
- names matched to the same gazetteer feature are one place (余杭 and 余杭区).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from shapely.geometry.base import BaseGeometry

from geoplan.extract.vocab import load_vocab
from geoplan.geocode.derivation import Lines
from geoplan.geocode.overrides import Overrides
from geoplan.geocode.protocol import GazetteerLike
from geoplan.geocode.resolver import Resolver
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Entity, Location

#: methods by which a name *is* the gazetteer feature it was matched to
_SAME_FEATURE_METHODS = ("exact", "alias")


class OnlineLookup(Protocol):
    """What :func:`locate` asks of an online geocoder (:mod:`geoplan.geocode.online`)."""

    def geocode(self, name: str, region: str | None = None, within: BaseGeometry | None = None) -> Location: ...


@dataclass
class Placed:
    """One entity of a plan with its location and the kind it turned out to be."""

    entity: Entity
    location: Location
    kind: str


def locate(
    entities: Sequence[Entity],
    gazetteer: GazetteerLike,
    jurisdiction: Jurisdiction | None = None,
    *,
    overrides: Overrides | None = None,
    geocoder: OnlineLookup | None = None,
) -> list[Placed]:
    """Place every entity of one plan, in the entities' order, one record per place."""
    resolver = Resolver(gazetteer, jurisdiction, overrides)
    extensions = load_vocab().extensions
    # lines and extensions are drawn through stations: those are placed first
    order = sorted(
        range(len(entities)),
        key=lambda i: (entities[i].name.endswith(extensions), Lines.wanted(entities[i], None)),
    )
    done: dict[str, Location] = {}
    placed: dict[int, Placed] = {}
    for i in order:
        entity = entities[i]
        loc = resolver.resolve(entity, done)
        if not loc.located and geocoder is not None and loc.unresolved_reason != "ambiguous":
            loc = ask_online(geocoder, gazetteer, entity.name, jurisdiction, loc)
        if loc.located:
            done[entity.name] = loc
        placed[i] = Placed(entity=entity, location=loc, kind=located_kind(entity.kind, loc, gazetteer))
    return merge_same_place([placed[i] for i in range(len(entities))], gazetteer)


def ask_online(
    geocoder: OnlineLookup,
    gazetteer: GazetteerLike,
    name: str,
    jurisdiction: Jurisdiction | None,
    offline: Location,
) -> Location:
    """Ask the opt-in online geocoder, biased to and checked against the jurisdiction."""
    unit = gazetteer.get(jurisdiction.feature_id) if jurisdiction is not None else None
    within = unit.geometry if unit is not None else None
    online = geocoder.geocode(name, region=jurisdiction.name if jurisdiction else None, within=within)
    if online.located:
        return online
    # keep the offline verdict, noting what the provider said
    offline.reason += f"; online: {online.reason}"
    return offline


def located_kind(kind: str, loc: Location, gazetteer: GazetteerLike) -> str:
    """The gazetteer's kind for a name it matched: 太湖 found as a county's short form but placed
    on the lake is a lake."""
    if loc.method in _SAME_FEATURE_METHODS and loc.gazetteer_id:
        f = gazetteer.get(loc.gazetteer_id)
        if f is not None:
            return f.kind
    return kind


def merge_same_place(placed: list[Placed], gazetteer: GazetteerLike) -> list[Placed]:
    """One record per gazetteer feature a plan names: 余杭 and 余杭区 are one place.

    Only names matched to the *same* gazetteer feature (exact or alias) merge; the
    official name's record keeps the mentions of the others (their surfaces stay in
    the mentions table), in document order.
    """
    by_gid: dict[str, list[Placed]] = {}
    for p in placed:
        if p.location.method in _SAME_FEATURE_METHODS and p.location.gazetteer_id:
            by_gid.setdefault(p.location.gazetteer_id, []).append(p)
    drop: set[int] = set()
    for gid, group in by_gid.items():
        if len(group) < 2:
            continue
        official = gazetteer.get(gid)
        keep = max(
            group,
            key=lambda p: (official is not None and p.entity.name == official.name, len(p.entity.mentions), -len(p.entity.name)),
        )
        seen = {(m.span, m.raw_span) for m in keep.entity.mentions}
        merged = list(keep.entity.mentions)
        for p in group:
            if p is keep:
                continue
            drop.add(id(p))
            for m in p.entity.mentions:
                if (m.span, m.raw_span) not in seen:
                    seen.add((m.span, m.raw_span))
                    merged.append(m)
        keep.entity = replace(keep.entity, mentions=sorted(merged, key=lambda m: m.span))
    return [p for p in placed if id(p) not in drop]
