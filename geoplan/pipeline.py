"""The pipeline, top to bottom: read → normalize → outline → extract → geocode → layers → map.

:func:`extract_plan` runs one plan through read → normalize → outline →
extract, :func:`geocode_plan` places its entities (the work itself is
:func:`geoplan.geocode.locate`'s), :func:`process_plan` is the two in a row;
:func:`build` runs several plans, collects the layers and (given an output
folder) writes everything a planner opens.  A plan that cannot be read is
reported and skipped; the others are still processed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from geoplan.errors import GeoplanError, PlanReadError
from geoplan.extract import Extractor, Rejected
from geoplan.extract.aggregate import aggregate
from geoplan.extract.scope import NameTable
from geoplan.gazetteer.codes import province_prefix
from geoplan.geocode import Overrides, locate
from geoplan.geocode.online.fallback import OnlineFallback
from geoplan.io.outdir import generation
from geoplan.jurisdiction import Jurisdiction, detect, from_unit
from geoplan.output.tables import OutputTables, build_tables, entity_id, feature_id, report
from geoplan import normalize as _normalize_pkg
from geoplan.outline import build_outline
from geoplan.read import read_plan
from geoplan.records import Mention, NormalizedText, Outline, PlanFeature, RawDocument

log = logging.getLogger(__name__)


@dataclass
class Extracted:
    """One plan up to its mentions: what extraction learned, before geocoding."""

    raw: RawDocument
    norm: NormalizedText
    outline: Outline
    jurisdiction: Jurisdiction | None
    mentions: list[Mention]
    rejected: list[Rejected] = field(default_factory=list)  # what extraction set aside, and why


@dataclass
class PlanResult:
    """Everything geoplan learned from one plan."""

    raw: RawDocument
    norm: NormalizedText
    outline: Outline
    jurisdiction: Jurisdiction | None
    mentions: list[Mention]
    features: list[PlanFeature]
    rejected: list[Rejected] = field(default_factory=list)  # what extraction set aside, and why

    @property
    def doc(self) -> str:
        return self.raw.doc


#: unused override rows listed in report.json (their total is reported beside them)
MAX_REPORTED_UNUSED = 1000


@dataclass
class BuildResult:
    layers: OutputTables
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
        # the first rows name what to fix; a sheet of a million stale rows must not make a report of 100 MB
        rep["unused_overrides"] = list(self.unused_overrides[:MAX_REPORTED_UNUSED])
        rep["unused_overrides_total"] = len(self.unused_overrides)
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
        self._names: NameTable | None = None

    def jurisdiction(self, norm: NormalizedText, title: str = "") -> Jurisdiction | None:
        if self.forced_jurisdiction is not None:
            return self.forced_jurisdiction
        return detect(norm.text, self._admin_units, title)

    def neighbour_provinces(self, j: Jurisdiction | None) -> set[str]:
        """Province codes (2 digits) touching the jurisdiction's province."""
        if j is None:
            return set()
        if j.members:  # a regional plan: around every member
            return set().union(*(self.neighbour_provinces(m) for m in j.members))
        provinces = [f for f in self._admin_units if f.kind == "province" and f.geometry is not None]
        home = next((p for p in provinces if province_prefix(p.admin_code or "") == j.province_prefix), None)
        if home is None:
            return {j.province_prefix}
        ring = home.geometry.buffer(0.05)
        return {province_prefix(p.admin_code or "") for p in provinces if p.geometry.intersects(ring)}

    def _village_names(self, j: Jurisdiction | None) -> set[str]:
        """The village names of a county or city plan (a province holds too many to be worth matching)."""
        if j is None or j.level not in ("city", "district"):
            return set()
        return self.gazetteer.village_names((j.prefix,))

    def extractor(self, j: Jurisdiction | None) -> Extractor:
        key = j.code if j else None
        if key not in self._extractors:
            if self._names is None:  # the jurisdiction-free part, prepared once for every plan of the run
                self._names = NameTable(self.gazetteer.features)
            self._extractors[key] = Extractor(
                self._names,
                j,
                neighbour_provinces=self.neighbour_provinces(j),
                village_names=self._village_names(j),
            )
        return self._extractors[key]


def _named_unit(gazetteer, name: str) -> Jurisdiction:
    """The province, city or county a planner named, by name (青浦区, 上海市青浦区) or code."""
    from geoplan.errors import GazetteerError
    from geoplan.gazetteer.units import AmbiguousUnitError, named_unit

    try:
        unit = named_unit(gazetteer, name)
    except AmbiguousUnitError as exc:
        raise GazetteerError(f"--jurisdiction: {exc}") from None
    if unit is None:
        raise GazetteerError(f"--jurisdiction {name.strip()!r}: no administrative units carry this name")
    return from_unit(unit)


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


def extract_plan(path: Path | str, ctx: Context, doc: str | None = None) -> Extracted:
    """One plan through read → normalize → outline → extract (the stages the ``extract`` command shows).

    ``doc`` is the plan's id in the build (default: the file stem, see :func:`plan_ids`).
    """
    raw = read_plan(Path(path))
    if doc and doc != raw.doc:
        raw = replace(raw, doc_id=doc)
    norm = _normalize_pkg.normalize(raw)
    outline = build_outline(norm)
    j = ctx.jurisdiction(norm, outline.title)
    rejected: list[Rejected] = []
    mentions = ctx.extractor(j).extract(norm, outline, rejected)
    return Extracted(raw=raw, norm=norm, outline=outline, jurisdiction=j, mentions=mentions, rejected=rejected)


def geocode_plan(plan: Extracted, ctx: Context) -> list[PlanFeature]:
    """The plan's entities placed (:func:`geoplan.geocode.locate`), as the features of the output layers."""
    j = plan.jurisdiction
    placed = locate(aggregate(plan.mentions), ctx.gazetteer, j, overrides=ctx.overrides, geocoder=ctx.geocoder)
    features = []
    for p in placed:
        pf = PlanFeature(
            id=feature_id(plan.raw.doc, p.entity.name),
            name=p.entity.name,
            kind=p.kind,
            doc=plan.raw.doc,
            mentions=list(p.entity.mentions),
            location=p.location,
            doc_title=plan.outline.title,
            region=j.name if j else "",
        )
        pf.entity_id = entity_id(pf)
        features.append(pf)
    return features


def process_plan(path: Path | str, ctx: Context, doc: str | None = None) -> PlanResult:
    """One plan through read → normalize → outline → extract → geocode (``doc``: its id, default the stem)."""
    plan = extract_plan(path, ctx, doc)
    features = geocode_plan(plan, ctx)
    return PlanResult(
        raw=plan.raw,
        norm=plan.norm,
        outline=plan.outline,
        jurisdiction=plan.jurisdiction,
        mentions=plan.mentions,
        features=features,
        rejected=plan.rejected,
    )


@dataclass
class PlanDone:
    """One plan of a build finished: its result, or why it could not be read."""

    index: int  # its place among the build's plans
    path: str
    result: PlanResult | None = None
    error: str | None = None

    @property
    def chars(self) -> int:
        """Characters of the plan's text (0 when it could not be read), for a progress bar."""
        return len(self.result.norm.text) if self.result is not None else 0


def _process_one(index: int, path: str, doc: str, ctx: Context) -> PlanDone:
    try:
        return PlanDone(index, path, result=process_plan(path, ctx, doc))
    except PlanReadError as exc:
        # reported once, by whoever reads BuildResult.errors (the CLI prints one line per plan)
        log.info("%s", exc)
        return PlanDone(index, path, error=str(exc))


#: the run's Context, inherited by forked workers (set only while a pool runs)
_WORKER_CTX: Context | None = None


def _die_with_parent(parent: int) -> None:
    """A worker ends when the build that forked it ends, even by SIGKILL.

    Without this a killed build leaves its workers blocked on the task queue
    for ever (each holds the queue's write end, so none ever sees it close).
    Linux's ``PR_SET_PDEATHSIG`` delivers SIGTERM at the parent's death;
    elsewhere a thread polls the parent's pid.
    """
    import signal
    import threading
    import time

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    if os.getppid() != parent:  # died before the signal was armed
        os._exit(1)
    threading.Thread(target=watch, name="geoplan-parent-watch", daemon=True).start()


def _process_in_worker(index: int, path: str, doc: str) -> PlanDone:
    assert _WORKER_CTX is not None, "worker started outside run_plans"
    return _process_one(index, path, doc, _WORKER_CTX)


def run_plans(paths: Sequence[Path | str], docs: Sequence[str], ctx: Context, jobs: int = 1) -> Iterator[PlanDone]:
    """Process plans, yielding each as it finishes; ``jobs`` > 1 runs them in worker processes.

    Workers are forked from this process, so they share its loaded gazetteer
    (copy-on-write) instead of loading it again; each builds its own extractor
    per jurisdiction, as one process would, so the results are the same as with
    one job.  Where processes cannot be forked, or an online geocoder (whose
    failure must be seen by the whole build) is set, plans run one by one.
    """
    import multiprocessing as mp

    jobs = min(jobs, len(paths))
    if jobs <= 1 or ctx.geocoder is not None or "fork" not in mp.get_all_start_methods():
        for i, (p, doc) in enumerate(zip(paths, docs)):
            yield _process_one(i, str(p), doc, ctx)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from geoplan.extract.tokenizer import base

    base()  # jieba's tables read here once, inherited by every worker
    global _WORKER_CTX
    _WORKER_CTX = ctx
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"),
                                 initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_process_in_worker, i, str(p), doc) for i, (p, doc) in enumerate(zip(paths, docs))]
            for fut in as_completed(futures):
                yield fut.result()
    finally:
        _WORKER_CTX = None


def build(
    plans: Sequence[Path | str] | Path | str,
    out: Path | str | None = None,
    *,
    gazetteer=None,
    overrides: Path | str | Overrides | None = None,
    geocoder=None,
    map_assets: str = "files",
    progress: Callable[[Iterable[PlanDone]], Iterable[PlanDone]] | None = None,
    jurisdiction: str | None = None,
    jobs: int = 1,
) -> BuildResult:
    """Build layers (and, with ``out``, every output file) from plan files.

    Returns a :class:`BuildResult` whose ``layers.features`` is the GeoDataFrame
    of every feature (EPSG:4326); ``layers.mentions`` and ``layers.unresolved``
    are the attribute tables.  ``jurisdiction`` (a unit's name or code) sets the
    plans' area instead of reading it from each plan.  ``jobs`` > 1 processes
    plans in that many worker processes (see :func:`run_plans`); ``progress``
    wraps the stream of finished plans (:class:`PlanDone`, in the order they
    finish) and must yield each of them.
    """
    if isinstance(plans, (str, Path)):
        plans = [plans]
    if overrides is not None and not isinstance(overrides, Overrides):
        overrides = Overrides.load(overrides)
    online = OnlineFallback(geocoder) if geocoder is not None else None  # a failure keeps the offline results
    ctx = Context(gazetteer=gazetteer, overrides=overrides, geocoder=online, jurisdiction=jurisdiction)
    done: Iterable[PlanDone] = run_plans(list(plans), plan_ids(plans), ctx, jobs)
    if progress is not None:
        done = progress(done)
    outcomes: list[PlanDone | None] = [None] * len(plans)
    for d in done:  # in the order they finish; kept in the order of plans
        outcomes[d.index] = d
    results = [d.result for d in outcomes if d is not None and d.result is not None]
    errors = [(d.path, d.error) for d in outcomes if d is not None and d.error is not None]
    layers = build_tables(f for r in results for f in r.features)
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
            written = write_outputs(result, staging, ctx, map_assets=map_assets, jobs=jobs)
        result.written = {k: Path(out) / p.relative_to(staging) for k, p in written.items()}
    return result


def write_outputs(result: BuildResult, out: Path, ctx: Context, map_assets: str = "files", jobs: int = 1) -> dict[str, Path]:
    """Write the output folder (see README.md, "What the output folder holds"); ``jobs`` > 1 draws the maps in parallel."""
    from geoplan.atomic import write_text
    from geoplan.io.geojson import write_geojson_set
    from geoplan.io.gpkg import write_gpkg

    written: dict[str, Path] = {}
    layers_dir = out / "layers"
    written.update(write_geojson_set(result.layers, layers_dir / "features.geojson", themes_dir=layers_dir / "themes"))
    written["gpkg"] = write_gpkg(result.layers, layers_dir / "geoplan.gpkg")
    written["report"] = write_text(out / "report.json", json.dumps(result.report, ensure_ascii=False, indent=2) + "\n")
    written["unresolved"] = _write_csv(result.layers.unresolved, out / "unresolved.csv")
    written["mentions"] = _write_csv(result.layers.mentions, out / "mentions.csv")
    written["not_a_place"] = _write_csv(_not_a_place(result), out / "not_a_place.csv")
    written["map"] = _write_maps(result, out / "maps", ctx, map_assets, jobs)
    return written


def _not_a_place(result: BuildResult):
    """What extraction read and set aside in every plan, with the rule (see :mod:`geoplan.extract.rejected`)."""
    import pandas as pd

    from geoplan.extract.rejected import REPORT_COLUMNS, report_rows

    rows = [row for p in result.plans for row in report_rows(p.rejected)]
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def _write_csv(df, path: Path) -> Path:
    from geoplan.atomic import write_text
    from geoplan.io.cells import escape_frame

    # UTF-8 with BOM: Excel on Chinese Windows opens it without mojibake
    return write_text(path, "\ufeff" + escape_frame(df).to_csv(index=False))


def _write_maps(result: BuildResult, maps_dir: Path, ctx: Context, assets: str, jobs: int = 1) -> Path:
    """The map of every feature, one map per plan and one per theme, each selected by ``filter_layers``.

    Every map is drawn on its own, so with ``jobs`` > 1 they are drawn in that many
    worker processes (an archive of 200 plans has over 200 maps).  With ``assets="files"``
    the maps share one ``maps/assets/`` (Leaflet, MarkerCluster), written once here.
    """
    from geoplan.map.assets import write_bundle
    from geoplan.map.plans import plan_label
    from geoplan.output.filter import filter_layers, present_themes

    feats = result.layers.features
    titles = {p.doc: plan_label(p.doc, p.outline.title) for p in result.plans}
    title = "; ".join(titles.values()) or "geoplan"
    texts = write_text_pages(result.plans, result.layers.mentions, maps_dir, titles)
    index = maps_dir / "index.html"
    maps: list[tuple[Path, str, OutputTables]] = [(index, title, result.layers)]
    if assets == "files":
        write_bundle(maps_dir)
    parts = [(maps_dir / f"plan_{doc}.html", label, filter_layers(result.layers, doc=doc))
             for doc, label in titles.items() if doc in set(feats["doc"])]
    parts += [(maps_dir / f"theme_{theme}.html", f"{title} · {theme}", filter_layers(result.layers, theme=theme))
              for theme in present_themes(feats)]
    maps += [m for m in parts if m[2].features["located"].any()]
    _draw_all(maps, ctx, assets, jobs, texts)
    return index


def _draw(path: Path, title: str, part: OutputTables, ctx: Context, assets: str, texts: set[str]) -> None:
    from geoplan.map import render_map

    render_map(
        part.features,
        path,
        unresolved=part.unresolved,
        mentions=part.mentions,
        title=title,
        assets=assets,
        basemap=_basemap(ctx, part.features),
        text_docs=texts,
        gazetteer=ctx.gazetteer,
        write_assets=False,
    )


#: the maps being drawn and what draws them, inherited by forked workers (set only while a pool runs)
_MAPS_TO_DRAW: tuple[list[tuple[Path, str, OutputTables]], Context, str, set[str]] | None = None


def _draw_in_worker(i: int) -> None:
    assert _MAPS_TO_DRAW is not None, "worker started outside _draw_all"
    maps, ctx, assets, texts = _MAPS_TO_DRAW
    path, title, part = maps[i]
    _draw(path, title, part, ctx, assets, texts)


def _draw_all(maps: list[tuple[Path, str, OutputTables]], ctx: Context, assets: str, jobs: int,
              texts: set[str]) -> None:
    """Draw the maps, in ``jobs`` forked workers when there are several (each writes its own file)."""
    import multiprocessing as mp

    jobs = min(jobs, len(maps))
    if jobs <= 1 or "fork" not in mp.get_all_start_methods():
        for path, title, part in maps:
            _draw(path, title, part, ctx, assets, texts)
        return
    from concurrent.futures import ProcessPoolExecutor

    import geoplan.map  # noqa: F401  (imported once here, inherited by every worker)

    global _MAPS_TO_DRAW
    _MAPS_TO_DRAW = (maps, ctx, assets, texts)
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"),
                                 initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            for fut in [pool.submit(_draw_in_worker, i) for i in range(len(maps))]:
                fut.result()  # a map that fails fails the build, as it does with one job
    finally:
        _MAPS_TO_DRAW = None


def write_text_pages(plans: Sequence[PlanResult], mentions, maps_dir: Path, titles: dict[str, str]) -> set[str]:
    """Write ``text_<doc>.html`` beside the maps for every plan; returns the docs that have one."""
    from geoplan.map.textpage import write_text_page

    done = set()
    for p in plans:
        title = titles.get(p.doc, p.doc)
        if write_text_page(maps_dir, p.doc, title, p.norm.text, p.outline.nodes, mentions) is not None:
            done.add(p.doc)
    return done


def reread_plan(path: Path | str, doc: str) -> tuple[NormalizedText, Outline]:
    """A plan's normalized text and outline again, for pages written after the build (``geoplan map``).

    Reading and normalizing are deterministic, so the offsets of the build's
    mentions point into this text as long as the file is unchanged (the text
    page checks that every mention still holds its surface).
    """
    raw = read_plan(Path(path))
    if doc and doc != raw.doc:
        raw = replace(raw, doc_id=doc)
    norm = _normalize_pkg.normalize(raw)
    return norm, build_outline(norm)


def _basemap(ctx: Context, feats):
    try:
        from geoplan.map.basemap import basemap_from_gazetteer
    except ImportError:
        return None
    try:
        return basemap_from_gazetteer(ctx.gazetteer, feats)
    except GeoplanError:
        return None
