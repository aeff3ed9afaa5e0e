"""Writing layers out and reading them back: one module per backend.

:func:`export` picks the backend from the target, :func:`read_layers` reads
what geoplan wrote (a build folder, a GeoPackage, a GeoJSON, CSV or shapefile
family, or a PostGIS schema) back into :class:`geoplan.output.tables.OutputTables` with the
schema's types, so ``geoplan filter`` and ``geoplan export`` work on any of them.

===================  ==========================================================
target               written by
===================  ==========================================================
``*.gpkg``           :mod:`geoplan.io.gpkg` (primary: every layer and style)
``*.geojson/.json``  :mod:`geoplan.io.geojson` (merged file + one per theme)
``*.shp``            :mod:`geoplan.io.shapefile` (one .shp per geometry type)
``*.csv``            :mod:`geoplan.io.csv` (WKT geometry)
``postgresql://…``   :mod:`geoplan.io.postgis` (schema, default ``geoplan``)
===================  ==========================================================
"""

from __future__ import annotations

import re
from pathlib import Path

from geoplan.errors import ExportError, redact_credentials
from geoplan.output.tables import OutputTables

#: file suffix → format name
SUFFIXES: dict[str, str] = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".shp": "shapefile",
    ".csv": "csv",
}
#: postgres://, postgresql:// and postgresql+DRIVER:// (psycopg2, psycopg, …)
_DB_URL = re.compile(r"^postgres(?:ql)?(?:\+[A-Za-z0-9_]+)?://", re.I)
#: anything of the form scheme://…: a URL, never a file name
_ANY_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_database_url(target: str | Path) -> bool:
    return isinstance(target, str) and bool(_DB_URL.match(target))


def target_format(target: str | Path) -> str:
    """``gpkg``, ``geojson``, ``shapefile``, ``csv`` or ``postgis`` for ``target``."""
    if is_database_url(target):
        return "postgis"
    if isinstance(target, str) and _ANY_URL.match(target):
        raise ExportError(f"{redact_credentials(target)}: unsupported URL; geoplan writes to postgresql:// databases")
    suffix = Path(target).suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportError(
            f"{target}: unknown output format {suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(sorted(SUFFIXES))} or a postgresql:// URL"
        )
    return SUFFIXES[suffix]


def export(layers: OutputTables, target: str | Path, *, schema: str | None = None) -> dict[str, object]:
    """Write ``layers`` to ``target`` in the format its suffix (or URL scheme) names.

    Returns what was written: ``{"format": …, "paths"|"rows": …}``.
    """
    fmt = target_format(target)
    if fmt == "postgis":
        from geoplan.io.postgis import DEFAULT_SCHEMA, write_postgis

        return {"format": fmt, "rows": write_postgis(layers, str(target), schema=schema or DEFAULT_SCHEMA)}
    path = Path(target)
    if fmt == "gpkg":
        from geoplan.io.gpkg import write_gpkg

        return {"format": fmt, "paths": {"gpkg": write_gpkg(layers, path)}}
    if fmt == "geojson":
        from geoplan.io.geojson import write_geojson_set

        return {"format": fmt, "paths": write_geojson_set(layers, path)}
    if fmt == "shapefile":
        from geoplan.io.shapefile import write_shapefile

        return {"format": fmt, "paths": write_shapefile(layers, path)}
    from geoplan.io.csv import write_csv

    return {"format": fmt, "paths": write_csv(layers, path)}


def read_layers(source: str | Path, *, schema: str | None = None) -> OutputTables:
    """The layers geoplan wrote at ``source``.

    ``source`` is a build output folder (its ``layers/geoplan.gpkg``, else
    ``layers/features.geojson`` with ``mentions.csv`` and ``unresolved.csv``), a
    ``.gpkg``, ``.geojson``, ``.csv`` or ``.shp`` written by :func:`export`, or
    a ``postgresql://`` URL (with ``schema``).
    """
    if is_database_url(source):
        from geoplan.io.postgis import DEFAULT_SCHEMA, read_postgis

        return read_postgis(str(source), schema=schema or DEFAULT_SCHEMA)
    path = Path(source)
    if path.is_dir():
        return _read_build_folder(path)
    if not path.exists() and path.suffix.lower() != ".shp":  # a shapefile family has no plan.shp itself
        raise ExportError(f"{path}: no such file or folder")
    fmt = target_format(path)
    if fmt == "gpkg":
        from geoplan.io.gpkg import read_gpkg

        return read_gpkg(path)
    if fmt == "geojson":
        # a build's layers/features.geojson has its tables one folder up
        root = path.parent if (path.parent / "mentions.csv").is_file() else path.parent.parent
        return _read_geojson_with_tables(path, root / "mentions.csv", root / "unresolved.csv")
    if fmt == "shapefile":
        from geoplan.io.shapefile import read_shapefile

        return read_shapefile(path)
    from geoplan.io.csv import read_csv

    return read_csv(path)


def _read_geojson_with_tables(path: Path, mentions: Path, unresolved: Path) -> OutputTables:
    """A features GeoJSON plus, when found beside it, the mentions and unresolved CSVs."""
    import pandas as pd

    from geoplan.io.geojson import read_geojson
    from geoplan.io.schema import coerce_layers

    opts = {"dtype": str, "keep_default_na": False, "encoding": "utf-8-sig"}
    from geoplan.io.cells import unescape_frame

    m = unescape_frame(pd.read_csv(mentions, **opts)) if mentions.is_file() else None
    u = unescape_frame(pd.read_csv(unresolved, **opts)) if unresolved.is_file() else None
    feats = read_geojson(path)
    layers = coerce_layers(feats, m, u)
    if m is None and u is None:
        return layers
    # tables beside a per-theme or filtered file may cover more features than it holds
    ids = set(layers.features["id"])
    return OutputTables(
        features=layers.features,
        mentions=layers.mentions[layers.mentions["feature_id"].isin(ids)].reset_index(drop=True),
        unresolved=layers.unresolved[layers.unresolved["feature_id"].isin(ids)].reset_index(drop=True),
    )


def _read_build_folder(folder: Path) -> OutputTables:
    layers_dir = folder / "layers" if (folder / "layers").is_dir() else folder
    gpkg = layers_dir / "geoplan.gpkg"
    if gpkg.is_file():
        from geoplan.io.gpkg import read_gpkg

        return read_gpkg(gpkg)
    geojson = layers_dir / "features.geojson"
    if geojson.is_file():
        root = folder if (folder / "layers").is_dir() else folder.parent
        return _read_geojson_with_tables(geojson, root / "mentions.csv", root / "unresolved.csv")
    raise ExportError(f"{folder}: not a geoplan build folder (no layers/geoplan.gpkg or layers/features.geojson)")


__all__ = ["export", "read_layers", "target_format", "SUFFIXES"]
