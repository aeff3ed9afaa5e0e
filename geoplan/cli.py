"""The ``geoplan`` command.

Exit codes scripts can rely on:

- 0: everything asked for was done;
- 2: bad usage (unknown option or filter value: the message lists the allowed ones);
- 3: a plan could not be read (the other plans were still processed and written);
- 4: a gazetteer layer is invalid; 5: the overrides file is malformed;
- 6: an online geocoder failed after retries; 7: an output could not be written;
- 130: interrupted (Ctrl-C);
- 1: any other error.

Every error is one line on stderr, with any password of a URL masked; ``--debug``
shows the traceback instead.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from geoplan.errors import ExportError, GeoplanError, redact_credentials

EXIT_READ = 3
EXIT_ONLINE = 6
EXIT_INTERRUPTED = 130


def _fail(exc: GeoplanError) -> None:
    if _debug():
        raise exc
    click.echo(f"geoplan: error: {_line(str(exc))}", err=True)
    sys.exit(exc.exit_code)


def _line(message: str) -> str:
    """One line, password masked: a library's message may add its SQL and a link below."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()] or [""]
    return redact_credentials(lines[0] + (" …" if len(lines) > 1 else ""))


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().meta.get("geoplan.debug"))


class _Main(click.Group):
    """The command group, with the last line of defence every command shares.

    Whatever a command lets through becomes one line and a documented exit
    code: an OS error while writing is exit 7 (read-only folder, full disk),
    Ctrl-C is 130, anything else 1.  ``--debug`` re-raises with the traceback.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            if ctx.meta.get("geoplan.debug"):
                raise
            click.echo("geoplan: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - the one place an unexpected error is turned into a line
            if ctx.meta.get("geoplan.debug"):
                raise
            if isinstance(exc, OSError) and not isinstance(exc, GeoplanError):
                exc = ExportError(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
            if isinstance(exc, GeoplanError):
                _fail(exc)
            click.echo(f"geoplan: error: {exc.__class__.__name__}: {_line(str(exc))} "
                       "(run with --debug for the traceback)", err=True)
            sys.exit(1)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="geoplan")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("--debug", is_flag=True, help="Show the traceback of an error instead of one line.")
@click.pass_context
def main(ctx: click.Context, verbose: int, debug: bool) -> None:
    """geoplan: put the places and projects of Chinese planning documents on a map."""
    ctx.meta["geoplan.debug"] = debug
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


# --------------------------------------------------------------------------- build
def _cores() -> int:
    """The cores this process may run on (the affinity mask, where the system has one)."""
    import os

    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _plan_progress(total: int):
    """A progress bar of finished plans that also counts their characters."""

    def wrap(done):
        from tqdm import tqdm

        chars = 0
        with tqdm(total=total, desc="plans", unit="plan") as bar:
            for d in done:
                chars += d.chars
                bar.set_postfix_str(f"{chars:,} characters", refresh=False)
                bar.update(1)
                yield d

    return wrap


@main.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--overrides", type=click.Path(path_type=Path), help="Review decisions (CSV from `geoplan review`).")
@click.option("--layer", "user_layers", multiple=True, type=click.Path(path_type=Path), help="Extra gazetteer layer (GeoJSON) that wins over built-in ones.")
@click.option("--geocoder", default=None, help="Online fallback for names the gazetteer lacks: nominatim, baidu, amap, tencent (opt-in; needs network).")
@click.option("--api-key", default=None, envvar="GEOPLAN_API_KEY", help="API key of the online geocoder.")
@click.option("--assets", type=click.Choice(["inline", "files"]), default="files", show_default=True, help="Map libraries in one maps/assets/ shared by every map of the build (files), or inlined in each HTML file (inline: each map is one self-contained file).")
@click.option("--jurisdiction", default=None, help="The plans' area (a province, city or county name or code, e.g. 嘉兴市); default: read from each plan's title and first lines.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Plans processed in parallel (default: the number of cores).")
def build(plans, out, overrides, user_layers, geocoder, api_key, assets, jurisdiction, jobs) -> None:
    """Build layers, maps and a report from PLAN files into --out."""
    from geoplan.pipeline import build as run_build

    gaz = _gazetteer(user_layers)
    coder = _geocoder(geocoder, api_key) if geocoder else None
    progress = _plan_progress(len(plans)) if len(plans) > 1 else None
    result = run_build(list(plans), out, gazetteer=gaz, overrides=overrides, geocoder=coder, map_assets=assets, progress=progress,
                       jurisdiction=jurisdiction, jobs=jobs or _cores())
    rep = result.report
    click.echo(
        f"{len(result.plans)} plan(s): {rep['features']} features, {rep['located']} located, "
        f"{rep['unresolved']} unresolved, {rep['mentions']} mentions → {out}"
    )
    _warn_unused(result)
    for f, e in result.errors:
        click.echo(f"geoplan: error: {e}", err=True)
    failed = result.online_failure
    if failed:
        click.echo(f"geoplan: error: online geocoder {failed['provider']} failed ({_line(str(failed['failure']))}); "
                   f"the offline results were written; {len(failed['names'])} name(s) that needed it are listed "
                   "in report.json (online_failure)", err=True)
    if result.errors:
        sys.exit(EXIT_READ)
    if failed:
        sys.exit(EXIT_ONLINE)


#: unused override rows listed one by one; past this, a count (a 1 M-row sheet must not print 1 M lines)
MAX_LISTED_WARNINGS = 20


def _warn_unused(result) -> None:
    unused = result.unused_overrides
    for u in unused[:MAX_LISTED_WARNINGS]:
        click.echo(f"geoplan: warning: {u['file']} row {u['row']}: no plan names {u['name']!r}; the decision was not used",
                   err=True)
    if len(unused) > MAX_LISTED_WARNINGS:
        click.echo(f"geoplan: warning: {len(unused) - MAX_LISTED_WARNINGS} more override row(s) name no place of these plans "
                   "(all listed in report.json, unused_overrides)", err=True)


# ------------------------------------------------------------------------- outline
@main.command()
@click.argument("plan", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the tree as JSON.")
def outline(plan, as_json) -> None:
    """Print the task tree of PLAN (ids, titles, themes, task flags)."""
    from geoplan.normalize import normalize
    from geoplan.outline import build_outline
    from geoplan.outline.render import format_outline, outline_to_dict
    from geoplan.read import read_plan

    tree = build_outline(normalize(read_plan(plan)))
    if as_json:
        click.echo(json.dumps(outline_to_dict(tree), ensure_ascii=False, indent=2))
    else:
        click.echo(format_outline(tree))


# ------------------------------------------------------------------------- extract
@main.command()
@click.argument("plan", type=click.Path(path_type=Path))
@click.option("--csv", "as_csv", is_flag=True, help="CSV, one row per mention.")
@click.option("--json", "as_json", is_flag=True, help="JSON, one object per mention.")
@click.option("--jurisdiction", default=None, help="The plans' area (a province, city or county name or code, e.g. 嘉兴市); default: read from each plan's title and first lines.")
@click.option("--rejected", is_flag=True, help="List what was read and set aside as not a place, with the rule that did it.")
def extract(plan, as_csv, as_json, jurisdiction, rejected) -> None:
    """List the places and projects PLAN names, with their tasks (or, with --rejected, what is not a place)."""
    from geoplan.pipeline import Context, extract_plan

    plan_read = extract_plan(plan, Context(jurisdiction=jurisdiction))
    mentions, set_aside = plan_read.mentions, plan_read.rejected
    from geoplan.output.tables import mention_row

    if rejected:
        from geoplan.extract.rejected import report_rows

        rows = report_rows(set_aside)
        if not (as_json or as_csv):
            for r in rows:
                click.echo(f"{r['surface']}\t{r['rule']}\t{r['candidate']}\t{r['task_id']}\t{r['reason']}")
            return
    else:
        rows = [{**mention_row(m), "kind": m.kind} for m in mentions]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif as_csv:
        import csv

        from geoplan.io.cells import escape_rows

        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["name"])
        w.writeheader()
        w.writerows(escape_rows(rows))
    else:
        for r in rows:
            click.echo(f"{r['name']}\t{r['kind']}\t{r['theme']}\t{r['task_id']}\t{r['origin']}")


# ----------------------------------------------------------------------- gazetteer
@main.group()
def gazetteer() -> None:
    """Search, inspect, validate and extend the embedded gazetteer."""


@gazetteer.command("search")
@click.argument("name")
@click.option("--within", default=None, help="Scope: a county, city or province name or code (e.g. 青浦区).")
@click.option("--json", "as_json", is_flag=True)
def gazetteer_search(name, within, as_json) -> None:
    """Features named NAME (or with NAME as an alias)."""
    from geoplan.gazetteer.units import AmbiguousUnitError, named_unit

    gaz = _gazetteer(())
    scope = within
    if within and not within.isdigit():
        try:
            unit = named_unit(gaz, within)
        except AmbiguousUnitError as exc:
            raise click.BadParameter(str(exc), param_hint="--within") from None
        if unit is None:
            raise click.BadParameter(f"no administrative unit named {within!r}", param_hint="--within")
        scope = unit.admin_code
    hits = gaz.lookup(name, within=scope)
    rows = [
        {
            "id": f.id,
            "name": f.name,
            "kind": f.kind,
            "admin": "/".join(f.admin_names),
            "admin_code": f.admin_code,
            "admin_codes": list(f.admin_code_chain),
            "precision_m": f.precision_m,
            "origin": f.origin,
            "source": f.source,
            "geometry": f.geometry.geom_type if f.geometry is not None else None,
        }
        for f in hits
    ]
    # villages have a township but no position: listed so a planner sees where one would be placed
    for v in gaz.villages_within(name, scope):
        county = gaz.admin(v.county_code)
        rows.append(
            {
                "id": None,
                "name": v.name,
                "kind": "village",
                "admin": "/".join((*(county.admin_names if county else (v.county_code,)), v.town)),
                "admin_code": v.county_code,
                "admin_codes": list(county.admin_code_chain) if county else [v.county_code],
                "precision_m": None,
                "origin": "village-list",
                "source": gaz.village_source,
                "geometry": None,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo(f"no feature named {name!r}" + (f" within {within}" if within else ""))
        sys.exit(1)
    for r in rows:
        where = f"±{r['precision_m']:.0f} m" if r["precision_m"] is not None else "placed at its township"
        click.echo(f"{r['id'] or '-'}\t{r['name']}\t{r['kind']}\t{r['admin']}\t{r['geometry']}\t{where}\t{r['origin']}")


@gazetteer.command("stats")
def gazetteer_stats() -> None:
    """Counts of features by origin and kind."""
    click.echo(json.dumps(_gazetteer(()).stats(), ensure_ascii=False, indent=2))


@gazetteer.command("validate")
@click.option("--layer", "user_layers", multiple=True, type=click.Path(path_type=Path))
def gazetteer_validate(user_layers) -> None:
    """Check every layer: geometry, ranges, ids, counties, aliases. Exit 4 on problems."""
    from geoplan.gazetteer.validate import validate

    problems = validate(_gazetteer(user_layers))
    for p in problems:
        click.echo(str(p))
    click.echo(f"{len(problems)} problem(s)")
    if problems:
        sys.exit(4)


@gazetteer.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--crs", default="EPSG:4326", show_default=True, help="Datum of the file's coordinates: EPSG:4326, GCJ-02 or BD-09.")
@click.option("--map", "mapping", multiple=True, help="Column mapping FIELD=COLUMN (name, kind, aliases, id, precision_m, source, lon, lat).")
@click.option("--dest", type=click.Path(path_type=Path), default=None, help="Folder of user layers (default: the cache's user_layers).")
def gazetteer_import(file, crs, mapping, dest) -> None:
    """Add a planning bureau's layer (GeoJSON, GPKG, SHP, CSV) or an OSM extract (.osm.pbf) as a user layer.

    An OSM extract (a whole province from Geofabrik) is streamed through osmium-tool, keeping the
    named water, transport, zones, parks, campuses and hospitals of layers/vocab/osm_tags.toml.
    """
    from geoplan.gazetteer.importers import import_layer

    cols = {}
    for m in mapping:
        if "=" not in m:
            raise click.BadParameter(f"expected FIELD=COLUMN, got {m!r}", param_hint="--map")
        k, v = m.split("=", 1)
        cols[k.strip()] = v.strip()
    # county_of scopes the rows and tells a point in China from one with lon/lat swapped
    out = import_layer(file, mapping=cols or None, crs=crs, dest_dir=dest, county_of=_gazetteer(()).county_of,
                       progress=sys.stderr.isatty())
    click.echo(f"imported {file} → {out}")


# -------------------------------------------------------------------------- review
@main.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path), help="Review sheet to write (CSV).")
@click.option("--overrides", type=click.Path(path_type=Path), help="Decisions already taken.")
@click.option("--below", default=0.6, show_default=True, help="Confidence under which a located feature is listed.")
@click.option("--jurisdiction", default=None, help="The plans' area (a province, city or county name or code, e.g. 嘉兴市); default: read from each plan's title and first lines.")
def review(plans, out, overrides, below, jurisdiction) -> None:
    """Write a sheet of ambiguous, unresolved and low-confidence features to decide.

    Fill in gazetteer_id, or lon/lat (+crs), and pass the sheet back with --overrides.
    """
    from geoplan.geocode.review import write_review_sheet
    from geoplan.pipeline import build as run_build

    result = run_build(list(plans), None, overrides=overrides, jurisdiction=jurisdiction)
    if not result.plans:  # nothing readable: an empty sheet would read as "nothing to decide"
        for _, e in result.errors:
            click.echo(f"geoplan: error: {e}", err=True)
        sys.exit(EXIT_READ)
    n = write_review_sheet(result, out, below=below, keep_from=[overrides])
    click.echo(f"{n} feature(s) to review → {out} (decisions already taken are kept at the top)")
    _warn_unused(result)
    for _, e in result.errors:
        click.echo(f"geoplan: error: {e}", err=True)
    if result.errors:
        sys.exit(EXIT_READ)


# ------------------------------------------------------------------------- helpers
def _gazetteer(user_layers):
    from geoplan.gazetteer import Gazetteer

    return Gazetteer.load(user_layers=list(user_layers))


def _geocoder(name: str, api_key: str | None):
    from geoplan.geocode.online import get_geocoder
    from geoplan.paths import cache_dir

    return get_geocoder(name, api_key=api_key, cache_dir=cache_dir())  # answers kept in SQLite: a re-run asks nothing


# -------------------------------------------------------------------------- export
@main.command("export")
@click.argument("layers_in", metavar="LAYERS", type=str)
@click.option("--to", "target", required=True, help="Target: a .gpkg, .geojson, .shp or .csv file, or a postgresql:// URL.")
@click.option("--schema", default=None, help="PostGIS schema (default: geoplan).")
@click.option("--from-schema", default=None, help="Schema to read when LAYERS is a postgresql:// URL.")
def export_cmd(layers_in, target, schema, from_schema) -> None:
    """Write LAYERS (a build folder, .gpkg, .geojson, .csv or .shp) to --to.

    The format follows the target's suffix; a postgresql:// URL writes the
    features, mentions and unresolved tables into --schema, replacing the rows
    of the plans exported (a re-run never duplicates).
    """
    from geoplan.io import export, read_layers

    layers = read_layers(layers_in, schema=from_schema)
    done = export(layers, target, schema=schema)
    n = len(layers.features)
    if done["format"] == "postgis":
        rows = ", ".join(f"{k} {v}" for k, v in done["rows"].items())
        click.echo(f"{n} features → PostGIS schema {schema or 'geoplan'} ({rows})")
    else:
        click.echo(f"{n} features → {target} ({done['format']}, {len(done['paths'])} file(s))")


# -------------------------------------------------------------------------- filter
@main.command("filter")
@click.argument("layers_in", metavar="LAYERS", type=str)
@click.option("--theme", multiple=True, help="Theme (交通, 生态 …); repeatable: any of them.")
@click.option("--task", multiple=True, help="Task id prefix, e.g. \"四/(四)\"; repeatable.")
@click.option("--kind", multiple=True, help="Feature kind from layers/vocab/kinds.toml (metro_line …); repeatable.")
@click.option("--doc", multiple=True, help="Plan: file stem or its prefix before '_' (000); repeatable.")
@click.option("--within", multiple=True, help="Administrative name or code (青浦区, 310118); repeatable.")
@click.option("--precision", multiple=True, help="feature, town, district, city or none; repeatable.")
@click.option("-o", "--out", "out", required=True, help="Output: .gpkg, .geojson, .shp, .csv or postgresql:// URL.")
@click.option("--schema", default=None, help="PostGIS schema when --out is a URL (default: geoplan).")
def filter_cmd(layers_in, theme, task, kind, doc, within, precision, out, schema) -> None:
    """Select features of LAYERS and write them to -o (format by suffix).

    Options combine (all must hold); repeating one gives alternatives.  An
    unknown value exits with code 2 and lists the allowed values.
    """
    from geoplan.io import export, read_layers
    from geoplan.output.filter import filter_layers

    layers = read_layers(layers_in)
    kept = filter_layers(
        layers, theme=theme or None, task=task or None, kind=kind or None,
        doc=doc or None, within=within or None, precision=precision or None,
    )
    export(kept, out, schema=schema)
    located = int(kept.features["located"].sum())
    click.echo(f"{len(kept.features)} of {len(layers.features)} features ({located} located) → {out}")


@main.command("map")
@click.argument("layers_in", metavar="LAYERS", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path), help="HTML file to write.")
@click.option("--theme", multiple=True, help="Only these themes (repeatable).")
@click.option("--task", multiple=True, help="Only features under these task ids, e.g. 四/(四) (repeatable).")
@click.option("--doc", multiple=True, help="Only these plans: file stem or its prefix before '_' (000); repeatable.")
@click.option("--title", default="", help="Map title (default: the plans' titles).")
@click.option("--assets", type=click.Choice(["inline", "files"]), default="inline", show_default=True, help="Leaflet inlined in the HTML or written beside it.")
@click.option("--tiles", default=None, help="Online basemap the page opens on (e.g. openstreetmap, tianditu, amap); offline vector basemap by default, the others load only when chosen in the page.")
@click.option("--tianditu-key", default=None, envvar="GEOPLAN_TIANDITU_KEY", help="天地图 browser key: offers 天地图 in the page's base-layer switch (the key is written into the page).")
def map_cmd(layers_in, out, theme, task, doc, title, assets, tiles, tianditu_key) -> None:
    """Render LAYERS (a build folder, .gpkg or .geojson) as an offline HTML map.

    The same filters as `geoplan filter`: the map shows exactly the features
    `geoplan filter --theme … --task … --doc …` would keep.  From a build
    folder whose plan files are still in place, each plan's text page
    (text_<doc>.html, opened from a popup) is written beside the map.
    """
    from geoplan.io import read_layers
    from geoplan.map import render_map
    from geoplan.map.plans import plan_labels
    from geoplan.output.filter import filter_layers

    layers = read_layers(layers_in)
    kept = filter_layers(layers, theme=theme or None, task=task or None, doc=doc or None)
    feats = kept.features
    labels = plan_labels(feats)
    if not title:
        title = "; ".join(labels.values()) or "geoplan"
    texts = _text_pages(layers_in, kept, Path(out).parent, labels)
    render_map(feats, out, unresolved=kept.unresolved, mentions=kept.mentions, title=title, assets=assets,
               tiles=tiles, tile_keys={"Tianditu": tianditu_key} if tianditu_key else None,
               text_docs=texts, gazetteer=_candidate_gazetteer(kept.unresolved))
    click.echo(f"{int(feats['located'].sum())} located feature(s) of {len(feats)} → {out}")


def _text_pages(layers_in: Path, kept, out_dir: Path, labels: dict[str, str]) -> set[str]:
    """The plan-text pages beside a map of a build folder: each plan re-read from the file its report names.

    Only a build folder says where its plans are (its report.json); a plan moved or
    changed since the build gets no page (the map then has no link to it).
    """
    from geoplan.map.textpage import write_text_page
    from geoplan.pipeline import reread_plan

    src = Path(layers_in)
    # the build folder itself, or the folder of its layers/geoplan.gpkg or layers/features.geojson
    report = next((d / "report.json" for d in (src, src.parent, src.parent.parent) if (d / "report.json").is_file()), None)
    if report is None:
        return set()
    try:
        plans = json.loads(report.read_text(encoding="utf-8")).get("plans", [])
    except (OSError, ValueError):
        return set()
    docs = set(kept.features["doc"].astype(str))
    done = set()
    for p in plans:
        doc, path = str(p.get("doc", "")), Path(str(p.get("file", "")))
        if doc not in docs or not path.is_file():
            continue
        try:
            norm, outline = reread_plan(path, doc)
        except GeoplanError as exc:
            click.echo(f"no text page for {doc}: {exc}", err=True)
            continue
        if write_text_page(out_dir, doc, labels.get(doc, doc), norm.text, outline.nodes, kept.mentions) is not None:
            done.add(doc)
    return done


def _candidate_gazetteer(unresolved):
    """The embedded gazetteer when some unresolved name has candidates to show on the map, else None."""
    if unresolved is None or "candidates" not in unresolved.columns:
        return None
    if not unresolved["candidates"].fillna("").astype(str).str.strip().any():
        return None
    from geoplan.gazetteer import Gazetteer

    try:
        return Gazetteer.load()
    except (GeoplanError, OSError, ValueError):
        return None


if __name__ == "__main__":  # pragma: no cover
    main()
