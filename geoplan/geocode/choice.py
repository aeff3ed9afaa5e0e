"""Candidates and choice: the gazetteer features a name may mean, and the one it does.

Candidates are the features the mentions were matched to, those named so, and
those a surface names when they are of the entity's kind.  The choice narrows
them by the plan's jurisdiction, by the kind the head word asks for (before
the layer: a bureau's road never hides the station asked for) and by the
places named beside the entity; several far-apart survivors make the name
ambiguous, never a coin toss.  A township listed without a point falls back
to its county.
"""

from __future__ import annotations

from geoplan.extract.vocab import ExtractVocab
from geoplan.gazetteer.codes import same_unit
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode import kinds
from geoplan.geocode.index import NameIndex
from geoplan.geocode.placement import (
    SAME_PLACE_M,
    extent_m,
    in_jurisdiction,
    kind_fits,
    lies_near,
    origin_rank,
    precision_of,
    source_text,
    spread_m,
    top_layer_per_county,
    unresolved,
)
from geoplan.geocode.protocol import GazetteerLike
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import OUTSIDE_NOTE, Entity, Location


class Choice:
    """Finds and chooses the gazetteer feature each entity of one plan names."""

    def __init__(self, gazetteer: GazetteerLike, jurisdiction: Jurisdiction | None, index: NameIndex, vocab: ExtractVocab) -> None:
        self.gaz = gazetteer
        self.jurisdiction = jurisdiction
        self._by_name = index.by_name
        self._vocab = vocab

    def candidates(self, entity: Entity) -> list[GazetteerFeature]:
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
                if kind_fits(entity.kind, f.kind):
                    found.setdefault(f.id, f)
        return kinds.filter_candidates(entity.name, entity.surfaces, entity.kind, list(found.values()))

    def choose(self, entity: Entity, cands: list[GazetteerFeature], done: dict[str, Location]) -> Location:
        j = self.jurisdiction
        notes: list[str] = []
        pool = cands
        outside = False
        if j is not None and all(self._vocab.is_city_relative(n) for n in (entity.name, *entity.surfaces)):
            # 5号线 in a 杭州 plan is 杭州's line 5, never Shanghai's
            # a province plan's own lines are its cities'; a county's are its city's
            level = "province" if j.level == "province" else "city"
            own = [f for f in pool if same_unit(f.admin_code or "", j.code, level)]
            if not own:
                return unresolved("not-found",
                    f"{entity.name!r} names a line by its number, which every city reuses; "
                    f"no such line of {j.name} is in the gazetteer",
                    pool,
                )
            pool = own
        if j is not None:
            inside = [f for f in pool if in_jurisdiction(f, self.jurisdiction)]
            if inside:
                if len(inside) < len(pool):
                    notes.append(f"{len(pool) - len(inside)} candidate(s) outside {j.name} set aside")
                pool = inside
            else:
                outside = True
                evident = kinds.outside_without_evidence(
                    pool, entity.sentences, (entity.name, *entity.surfaces), j.province_prefix, written=entity.surfaces
                )
                if evident is not None and not evident:
                    return unresolved("ambiguous",
                        f"{entity.name!r} names no place in {j.name}'s province, "
                        f"and the sentence names none of the places of the {len(pool)} elsewhere",
                        pool,
                    )
                pool = evident or pool
                # outside the plan's area: fine for a named unit or a curated
                # feature with a unique name; not for a township name that repeats
                towns = [f for f in pool if f.kind in ("town", "street", "village") and f.origin == "admin"]
                if towns and len(pool) == len(towns):
                    if len({f.county_code for f in towns}) > 1:
                        return unresolved("ambiguous",
                            f"{entity.name!r} names townships in {len({f.county_code for f in towns})} counties, "
                            f"none of them in {j.name}",
                            pool,
                        )
                    return unresolved("outside-jurisdiction",
                        f"{entity.name!r}: only a township outside {j.name} carries this name",
                        pool,
                    )
        located = [f for f in pool if f.geometry is not None]
        if not located:
            return self._admin_fallback(entity, pool)
        pool = located
        # the kind the head word asks for, before the layer it comes from: a
        # curated road must not beat the station the plan asks for
        kind_ok = [f for f in pool if kind_fits(entity.kind, f.kind)]
        if kind_ok and len(kind_ok) < len(pool):
            notes.append(f"kind {entity.kind} preferred")
            pool = kind_ok
        # then, within one county, a bureau's layer over the curated one over the national
        pool = top_layer_per_county(pool)
        if len(pool) > 1 and spread_m(pool) > SAME_PLACE_M:
            before = len(pool)
            pool = self._by_context(entity, pool, done)
            if len(pool) < before:
                notes.append("decided by places named in the same sentence or section")
        if len(pool) > 1 and spread_m(pool) > SAME_PLACE_M:
            return unresolved("ambiguous", f"{entity.name!r} names {len(pool)} places; context does not decide", pool
            )
        # the survivors are one place: the best-documented record of it
        f = min(pool, key=lambda c: (-origin_rank(c), c.kind != entity.kind, c.precision_m, c.id))
        method = "exact" if f.name in (entity.name, *entity.surfaces) else "alias"
        precision, precision_m = precision_of(f)
        confidence = 0.95 if method == "exact" else 0.85
        located_cands = [c for c in cands if c.geometry is not None]
        if len(located_cands) > 1 and spread_m(located_cands) > SAME_PLACE_M:
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
                if lies_near(f.geometry, loc):
                    score += 2
            scored.append((score, f))
        top = max(s for s, _ in scored)
        if top > 0:
            return [f for s, f in scored if s == top]
        return pool

    def _admin_fallback(self, entity: Entity, pool: list[GazetteerFeature]) -> Location:
        """A township listed without a point: its county, when only one county lists it."""
        counties = sorted({f.county_code for f in pool if f.county_code})
        if len(counties) > 1:
            return unresolved("ambiguous",
                f"{entity.name!r} is listed without a position in {len(counties)} counties",
                pool,
            )
        if len(counties) == 1:
            county = self.gaz.admin(counties[0])
            if county is not None and county.geometry is not None:
                f = pool[0]
                precision, _ = precision_of(county, as_area=True)
                return Location(
                    geometry=county.point,
                    precision=precision if precision != "feature" else "district",
                    precision_m=max(extent_m(county.geometry), float(county.precision_m)),
                    method="admin-fallback",
                    confidence=0.4,
                    reason=f"{f.name!r} is listed in {county.name} without a position; placed at the county"
                    + (f" ({county.point_note})" if county.point_note else ""),
                    source=source_text(county),
                    source_crs=county.source_crs,
                    gazetteer_id=county.id,
                    candidates=tuple(c.id for c in pool),
                )
        return unresolved("not-found", f"{entity.name!r} is listed but has no position", pool)
