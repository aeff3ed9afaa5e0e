"""Villages: a village-level name placed at its township, from the national village list.

The list gives no position for villages, only the township each lies in; a
village of the plan's jurisdiction is placed at that township (``town``
precision), at its county when the township has no position or two townships
of one county carry the name, and left ambiguous across counties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode.index import NameIndex
from geoplan.geocode.placement import VILLAGE_IN_TOWN_M, extent_m, origin_rank, source_text, unresolved
from geoplan.geocode.protocol import GazetteerLike
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Entity, Location


class Villages:
    """Places the villages of one plan's jurisdiction."""

    def __init__(self, gazetteer: GazetteerLike, jurisdiction: Jurisdiction | None, index: NameIndex) -> None:
        self.gaz = gazetteer
        self.jurisdiction = jurisdiction
        self._by_name = index.by_name
        self._index = index
        self._towns_here: dict[str, tuple[str, ...]] | None = None

    def place(self, entity: Entity) -> Location | None:
        """A village the national village list places in the plan's jurisdiction: at its township.

        Only inside a jurisdiction: village names repeat by the hundred across
        China, and only the plan's own area makes one of them the one meant.
        """
        j = self.jurisdiction
        if j is None:
            return None
        lookup = self.gaz.villages
        records = lookup(entity.name, (j.prefix,))
        if not records:
            records = self._village_after_township(entity.name, lookup, j.prefix)
        if not records:
            return None
        source = self.gaz.village_source
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
                unresolved("ambiguous",
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
                radius = max(extent_m(town.geometry), float(town.precision_m), VILLAGE_IN_TOWN_M)
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
            geometry=county.point,
            precision="district",
            precision_m=max(extent_m(county.geometry), float(county.precision_m)),
            method="admin-fallback",
            confidence=0.35,
            reason=(
                f"{entity.name!r} is a village of {where} in {county.name} ({source}); "
                + ("no township has a position" if len(towns) == 1 else f"{len(towns)} townships carry the name")
                + "; placed at the county"
                + (f" ({county.point_note})" if county.point_note else "")
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
            # a unit of any level lies inside its province: only the province's townships can be inside it
            provinces = _provinces(j)
            for f in self._index.townships(provinces):
                if j.contains_code(f.admin_code):
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
        return max(feats, key=lambda f: (origin_rank(f), -f.precision_m), default=None)

    def _county_name(self, code: str) -> str:
        unit = self.gaz.admin(code)
        return unit.name if unit is not None else code


def _provinces(j: Jurisdiction) -> list[str]:
    """The provinces (2-digit prefixes) a jurisdiction lies in: its own, or every member's."""
    if not j.members:
        return [j.province_prefix]
    return [p for m in j.members for p in _provinces(m)]
