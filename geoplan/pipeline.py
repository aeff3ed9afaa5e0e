"""The pipeline, top to bottom: read → normalize → outline → extract → geocode → layers → map.

:func:`process_plan` runs one plan through the stages up to located features;
:func:`build` runs several plans, collects the layers and (given an output
folder) writes everything a planner opens.  A plan that cannot be read is
reported and skipped; the others are still processed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from geoplan.errors import GeoplanError, PlanReadError
from geoplan.extract import Extractor
from geoplan.extract.aggregate import aggregate
from geoplan.extract.vocab import load_vocab
from geoplan.geocode import Entity, Overrides, Resolver
from geoplan.geocode.online.fallback import OnlineFallback
from geoplan.io.outdir import generation
from geoplan.jurisdiction import Jurisdiction, detect, from_unit
from geoplan.layerset import Layers, build_layers, entity_id, feature_id, report
from geoplan import normalize as _normalize_pkg
from geoplan.outline import build_outline
from geoplan.read import read_plan
from geoplan.records import Location, Mention, NormalizedText, Outline, PlanFeature, RawDocument

log = logging.getLogger(__name__)


@dataclass
class PlanResult:
    """Everything geoplan learned from one plan."""

    raw: RawDocument
    norm: NormalizedText
    outline: Outline
    jurisdiction: Jurisdiction | None
    mentions: list[Mention]
    features: list[PlanFeature]

    @property
    def doc(self) -> str:
        return self.raw.doc


@dataclass
class BuildResult:
    layers: Layers
    plans: list[PlanResult]
    errors: list[tuple[str, str]] = field(default_factory=list)
    written: dict[str, Path] = field(default_factory=dict)
    #: override rows whose name no plan of the build names (a typo, shifted columns, another plan)
    unused_overrides: list[dict[str, object]] = field(default_factory=list)
    #: the online geocoder's failure and the names it left unanswered (None: it did not fail)
    online_failure: dict[str, object] | None = None

    @property
    def features(self):
        return self.layers.features

    @property
    def report(self) -> dict:
        rep = report(self.layers)
        rep["errors"] = [{"file": f, "error": e} for f, e in self.errors]
        rep["unused_overrides"] = list(self.unused_overrides)
        if self.online_failure is not None:
            rep["online_failure"] = self.online_failure
        rep["plans"] = [
            {
                "doc": p.doc,
                "file": str(p.raw.path),
                "encoding": p.raw.encoding,
                "format": p.raw.format,
                "title": p.outline.title,
                "jurisdiction": p.jurisdiction.name if p.jurisdiction else None,
                "jurisdiction_code": p.jurisdiction.code if p.jurisdiction else None,
                "task_nodes": len(p.outline.nodes),
            }
            for p in self.plans
        ]
        return rep


class Context:
    """What is shared by every plan of a run: the gazetteer, overrides, caches."""

    def __init__(
        self,
        gazetteer=None,
        overrides: Overrides | None = None,
        geocoder=None,
        jurisdiction: str | None = None,
    ) -> None:
        if gazetteer is None:
            from geoplan.gazetteer import Gazetteer

            gazetteer = Gazetteer.load()
        self.gazetteer = gazetteer
        #: a unit the planner named (``--jurisdiction 嘉兴市``) wins over detection
        self.forced_jurisdiction = _named_unit(gazetteer, jurisdiction) if jurisdiction else None
        self.overrides = overrides or Overrides.empty()
        self.geocoder = geocoder
        self._admin_units = [
            f for f in gazetteer.features if f.origin == "admin" and f.kind in ("province", "city", "district")
        ]
        self._extractors: dict[str | None, Extractor] = {}

    def jurisdiction(self, norm: NormalizedText, title: str = "") -> Jurisdiction | None:
        if self.forced_jurisdiction is not None:
            return self.forced_jurisdiction
        return detect(norm.text, self._admin_units, title)

    def neighbour_provinces(self, j: Jurisdiction | None) -> set[str]:
        """Province codes (2 digits) touching the jurisdiction's province."""
        if j is None:
            return set()
        provinces = [f for f in self._admin_units if f.kind == "province" and f.geometry is not None]
        home = next((p for p in provinces if (p.admin_code or "")[:2] == j.province_prefix), None)
        if home is None:
            return {j.province_prefix}
        ring = home.geometry.buffer(0.05)
        return {(p.admin_code or "")[:2] for p in provinces if p.geometry.intersects(ring)}

    def _village_names(self, j: Jurisdiction | None) -> set[str]:
        """The village names of a county or city plan (a province holds too many to be worth matching)."""
        if j is None or j.level not in ("city", "district") or not hasattr(self.gazetteer, "village_names"):
            return set()
        return self.gazetteer.village_names((j.prefix,))

    def extractor(self, j: Jurisdiction | None) -> Extractor:
        key = j.code if j else None
        if key not in self._extractors:
            self._extractors[key] = Extractor(
                self.gazetteer.features,
                j,
                neighbour_provinces=self.neighbour_provinces(j),
                village_names=self._village_names(j),
            )
        return self._extractors[key]


def _named_unit(gazetteer, name: str) -> Jurisdiction:
    """The province, city or county a planner named, by name (青浦区, 上海市青浦区) or code."""
    from geoplan.errors import GazetteerError

    name = name.strip()
    units = [gazetteer.admin(name)] if name.isdigit() else gazetteer.resolve_admin_name(name)
    units = [u for u in units if u is not None]
    if len(units) != 1:
        found = "no" if not units else f"{len(units)}"
        choices = "; ".join(f"{'/'.join(u.admin_names)} ({u.admin_code})" for u in units[:8])
        raise GazetteerError(
            f"--jurisdiction {name!r}: {found} administrative units carry this name"
            + (f": {choices}; give the code or the full chain (浙江省嘉兴市)" if units else "")
        )
    return from_unit(units[0])


def plan_ids(plans: Sequence[Path | str]) -> list[str]:
    """One id per plan, unique in the build: the file stem, numbered (``plan_2``) when two plans share it.

    Feature ids start with the plan id, so two ``plan.txt`` from different
    folders must not share one (their features would collide, and a database
    export fails on its primary key).  The first keeps its stem, so a build of
    distinct files is unchanged.
    """
    ids: list[str] = []
    taken = {Path(p).stem for p in plans}
    seen: set[str] = set()
    for p in plans:
        stem = Path(p).stem
        doc, n = stem, 1
        while doc in seen or (doc != stem and doc in taken):
            n += 1
            doc = f"{stem}_{n}"
        if doc != stem:
            log.warning("%s: another plan of this build is also named %r; its id is %r", p, stem, doc)
        seen.add(doc)
        ids.append(doc)
    return ids


def process_plan(path: Path | str, ctx: Context, doc: str | None = None) -> PlanResult:
    """One plan through read → normalize → outline → extract → geocode (``doc``: its id, default the stem)."""
    raw = read_plan(Path(path))
    if doc and doc != raw.doc:
        raw = replace(raw, doc_id=doc)
    norm = _normalize_pkg.normalize(raw)
    outline = build_outline(norm)
    j = ctx.jurisdiction(norm, outline.title)
    extractor = ctx.extractor(j)
    mentions = extractor.extract(norm, outline)
    groups = aggregate(mentions)
    resolver = Resolver(ctx.gazetteer, j, ctx.overrides)
    done = {}
    # stations and places first, extensions last: an extension is drawn through
    # the stations resolved before it
    extensions = load_vocab().extensions
    order = sorted(range(len(groups)), key=lambda i: groups[i].name.endswith(extensions))
    located: dict[int, PlanFeature] = {}
    for i in order:
        g = groups[i]
        ent = Entity(name=g.name, kind=g.kind, doc=g.doc, mentions=g.mentions)
        loc = resolver.resolve(ent, done)
        if not loc.located and ctx.geocoder is not None and loc.unresolved_reason != "ambiguous":
            loc = _online(ctx, g.name, j, loc)
        if loc.located:
            done[g.name] = loc
        pf = PlanFeature(
            id=feature_id(raw.doc, g.name),
            name=g.name,
            kind=_located_kind(g.kind, loc, ctx.gazetteer),
            doc=raw.doc,
            mentions=g.mentions,
            location=loc,
            doc_title=outline.title,
            region=j.name if j else "",
        )
        pf.entity_id = entity_id(pf)
        located[i] = pf
    features = _merge_same_place([located[i] for i in range(len(groups))], ctx.gazetteer)
    return PlanResult(raw=raw, norm=norm, outline=outline, jurisdiction=j, mentions=mentions, features=features)


_SAME_FEATURE_METHODS = ("exact", "alias")


def _located_kind(kind: str, loc: Location, gazetteer) -> str:
    """The gazetteer's kind for a name it matched: 太湖 found as a county's short form but placed
    on the lake is a lake."""
    if loc.method in _SAME_FEATURE_METHODS and loc.gazetteer_id:
        f = gazetteer.get(loc.gazetteer_id)
        if f is not None:
            return f.kind
    return kind


def _merge_same_place(features: list[PlanFeature], gazetteer) -> list[PlanFeature]:
    """One feature per gazetteer feature a plan names: 余杭 and 余杭区 are one place.

    Only names matched to the *same* gazetteer feature (exact or alias) merge; the
    official name's feature keeps the mentions of the others (their surfaces stay in
    the mentions table), in document order.
    """
    by_gid: dict[str, list[PlanFeature]] = {}
    for f in features:
        if f.location.method in _SAME_FEATURE_METHODS and f.location.gazetteer_id:
            by_gid.setdefault(f.location.gazetteer_id, []).append(f)
    drop: set[int] = set()
    for gid, group in by_gid.items():
        if len(group) < 2:
            continue
        official = gazetteer.get(gid)
        keep = max(group, key=lambda f: (official is not None and f.name == official.name, len(f.mentions), -len(f.name)))
        seen = {(m.span, m.raw_span) for m in keep.mentions}
        merged = list(keep.mentions)
        for f in group:
            if f is keep:
                continue
            drop.add(id(f))
            for m in f.mentions:
                if (m.span, m.raw_span) not in seen:
                    seen.add((m.span, m.raw_span))
                    merged.append(m)
        keep.mentions = sorted(merged, key=lambda m: m.span)
    return [f for f in features if id(f) not in drop]


def _online(ctx: Context, name: str, j: Jurisdiction | None, offline: Location) -> Location:
    """Ask the opt-in online geocoder, biased to and checked against the jurisdiction."""
    unit = ctx.gazetteer.get(j.feature_id) if j is not None else None
    within = unit.geometry if unit is not None else None
    online = ctx.geocoder.geocode(name, region=j.name if j else None, within=within)
    if online.located:
        return online
    # keep the offline verdict, noting what the provider said
    offline.reason += f"; online: {online.reason}"
    return offline


def build(
    plans: Sequence[Path | str] | Path | str,
    out: Path | str | None = None,
    *,
    gazetteer=None,
    overrides: Path | str | Overrides | None = None,
    geocoder=None,
    map_assets: str = "inline",
    progress: Callable[[Iterable], Iterable] | None = None,
    jurisdiction: str | None = None,
) -> BuildResult:
    """Build layers (and, with ``out``, every output file) from plan files.

    Returns a :class:`BuildResult` whose ``layers.features`` is the GeoDataFrame
    of every feature (EPSG:4326); ``layers.mentions`` and ``layers.unresolved``
    are the attribute tables.  ``jurisdiction`` (a unit's name or code) sets the
    plans' area instead of reading it from each plan.
    """
    if isinstance(plans, (str, Path)):
        plans = [plans]
    if overrides is not None and not isinstance(overrides, Overrides):
        overrides = Overrides.load(overrides)
    online = OnlineFallback(geocoder) if geocoder is not None else None  # a failure keeps the offline results
    ctx = Context(gazetteer=gazetteer, overrides=overrides, geocoder=online, jurisdiction=jurisdiction)
    results: list[PlanResult] = []
    errors: list[tuple[str, str]] = []
    iterable: Iterable = plans
    if progress is not None:
        iterable = progress(plans)
    docs = iter(plan_ids(plans))  # in the order of plans, which the progress bar keeps
    for p in iterable:
        doc = next(docs)
        try:
            results.append(process_plan(p, ctx, doc))
        except PlanReadError as exc:
            log.error("%s", exc)
            errors.append((str(p), str(exc)))
    layers = build_layers(f for r in results for f in r.features)
    named = {f.name for r in results for f in r.features}
    unused = [
        {"name": o.name, "row": o.row, "file": o.path}
        for o in ctx.overrides.rows
        if o.name not in named
    ]
    if unused:  # one line here; the CLI lists them (see geoplan.cli), so none is reported twice
        log.info("%d override row(s) match no name of these plans (first: %s row %s, %r)",
                 len(unused), unused[0]["file"], unused[0]["row"], unused[0]["name"])
    result = BuildResult(layers=layers, plans=results, errors=errors, unused_overrides=unused,
                         online_failure=online.report() if online is not None and online.failed else None)
    if out is not None and (results or not errors):  # when every plan failed the previous output stays
        with generation(Path(out)) as staging:  # written whole beside out, then swapped in
            written = write_outputs(result, staging, ctx, map_assets=map_assets)
        result.written = {k: Path(out) / p.relative_to(staging) for k, p in written.items()}
    return result


def write_outputs(result: BuildResult, out: Path, ctx: Context, map_assets: str = "inline") -> dict[str, Path]:
    """Write the output folder (see README.md, "What the output folder holds")."""
    from geoplan.io.atomic import write_text
    from geoplan.io.geojson import write_geojson_set
    from geoplan.io.gpkg import write_gpkg

    written: dict[str, Path] = {}
    layers_dir = out / "layers"
    written.update(write_geojson_set(result.layers, layers_dir / "features.geojson", themes_dir=layers_dir / "themes"))
    written["gpkg"] = write_gpkg(result.layers, layers_dir / "geoplan.gpkg")
    written["report"] = write_text(out / "report.json", json.dumps(result.report, ensure_ascii=False, indent=2) + "\n")
    written["unresolved"] = _write_csv(result.layers.unresolved, out / "unresolved.csv")
    written["mentions"] = _write_csv(result.layers.mentions, out / "mentions.csv")
    written["map"] = _write_maps(result, out / "maps", ctx, map_assets)
    return written


def _write_csv(df, path: Path) -> Path:
    from geoplan.io.atomic import write_text
    from geoplan.io.cells import escape_frame

    # UTF-8 with BOM: Excel on Chinese Windows opens it without mojibake
    return write_text(path, "\ufeff" + escape_frame(df).to_csv(index=False))


def _write_maps(result: BuildResult, maps_dir: Path, ctx: Context, assets: str) -> Path:
    from geoplan.map import render_map

    feats = result.layers.features
    title = "; ".join(p.outline.title for p in result.plans if p.outline.title) or "geoplan"
    index = render_map(
        feats,
        maps_dir / "index.html",
        unresolved=result.layers.unresolved,
        title=title,
        assets=assets,
        basemap=_basemap(ctx, feats),
    )
    for theme in sorted(feats["theme"].dropna().unique()):
        part = feats[feats["theme"] == theme]
        if part["located"].any():
            render_map(
                part,
                maps_dir / f"theme_{theme}.html",
                unresolved=result.layers.unresolved[result.layers.unresolved["theme"] == theme],
                title=f"{title} · {theme}",
                assets=assets,
                basemap=_basemap(ctx, part),
            )
    return index


def _basemap(ctx: Context, feats):
    try:
        from geoplan.map.basemap import basemap_from_gazetteer
    except ImportError:
        return None
    try:
        return basemap_from_gazetteer(ctx.gazetteer, feats)
    except GeoplanError:
        return None
