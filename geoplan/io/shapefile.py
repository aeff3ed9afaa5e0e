"""ESRI Shapefile, for the desktop GIS and CAD tools that still want one.

A shapefile holds one geometry type, ASCII field names of at most 10
characters and text of at most 254 bytes per field, so exporting ``plan.shp``
writes a small family of files beside each other:

- ``plan_points.shp`` / ``plan_lines.shp`` / ``plan_polygons.shp``: the located
  features by geometry type (with .shx, .dbf, .prj and a UTF-8 .cpg each);
- ``plan_unlocated.dbf``: the features that could not be placed (same fields);
- ``plan_mentions.dbf`` and ``plan_unresolved.dbf``: the attribute tables;
- ``plan_fields.json`` and ``plan_fields.csv``: the map from each short field
  name back to the schema's name, per table, so :func:`read_shapefile` (or a
  planner's join) restores the real names.

Short names are derived, not listed: the longest ``_``-separated part of a
long name is trimmed a letter at a time (``precision_m`` → ``precisio_m``), so
they stay readable and a new schema column needs no code change.  Text longer
than 254 bytes (a long quoted sentence) is cut at a character boundary: the
full text is in the GeoPackage.  All files are written into a temporary folder
and moved into place only when every one of them succeeded.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geoplan.errors import ExportError
from geoplan.atomic import atomic_files
from geoplan.io.gpkg import GEOMETRY_FAMILIES, by_family
from geoplan.io.schema import coerce_layers
from geoplan.output.tables import FEATURE_COLUMNS, MENTION_COLUMNS, UNRESOLVED_COLUMNS, OutputTables

MAX_FIELD = 10
MAX_TEXT_BYTES = 254


def short_name(name: str, limit: int = MAX_FIELD) -> str:
    """An ASCII field name of at most ``limit`` characters, trimmed part by part."""
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in name) or "f"
    parts = ascii_name.split("_")
    while len("_".join(parts)) > limit:
        i = max(range(len(parts)), key=lambda k: (len(parts[k]), -k))
        if len(parts[i]) <= 1:
            parts.pop(i)
            continue
        parts[i] = parts[i][:-1]
    return "_".join(p for p in parts if p) or ascii_name[:limit]


def field_map(columns: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Schema column → unique short field name (``precision_m`` → ``precisio_m``)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for c in columns:
        s = short_name(c)
        n = 1
        while s.lower() in used:  # dBASE names are case-insensitive
            n += 1
            s = short_name(c, MAX_FIELD - len(str(n))) + str(n)
        used.add(s.lower())
        out[c] = s
    return out


def _cut(value: object) -> object:
    if not isinstance(value, str):
        return value
    data = value.encode("utf-8")
    if len(data) <= MAX_TEXT_BYTES:
        return value
    return data[:MAX_TEXT_BYTES].decode("utf-8", errors="ignore")


def _prepare(df: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    out = df.copy()
    for c in mapping:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(_cut)
    return out.rename(columns=mapping)


def _stem(path: Path) -> str:
    return path.name[: -len(path.suffix)] if path.suffix.lower() == ".shp" else path.name


def shapefile_parts(path: Path | str) -> dict[str, Path]:
    """The files :func:`write_shapefile` writes for ``path`` (only those it always writes)."""
    path = Path(path)
    stem, folder = _stem(path), path.parent
    return {
        "fields_json": folder / f"{stem}_fields.json",
        "fields_csv": folder / f"{stem}_fields.csv",
        "mentions": folder / f"{stem}_mentions.dbf",
        "unresolved": folder / f"{stem}_unresolved.dbf",
        "unlocated": folder / f"{stem}_unlocated.dbf",
        **{fam: folder / f"{stem}_{suffix}.shp" for fam, (suffix, _, _) in GEOMETRY_FAMILIES.items()},
    }


def write_shapefile(layers: OutputTables, path: Path | str) -> dict[str, Path]:
    """Write ``plan_points.shp`` … beside ``path`` (``plan.shp``); returns what was written."""
    path = Path(path)
    stem = _stem(path)
    maps = {
        "features": field_map(FEATURE_COLUMNS),
        "mentions": field_map(MENTION_COLUMNS),
        "unresolved": field_map(UNRESOLVED_COLUMNS),
    }
    written: dict[str, Path] = {}
    feats = layers.features
    opts = {"driver": "ESRI Shapefile", "encoding": "UTF-8"}
    try:
        with atomic_files(path) as tmp:
            for fam, part in by_family(layers.located).items():
                suffix = GEOMETRY_FAMILIES[fam][0]
                shp = _prepare(part, maps["features"])
                pyogrio.write_dataframe(shp, tmp / f"{stem}_{suffix}.shp", promote_to_multi=True, **opts)
                written[fam] = path.parent / f"{stem}_{suffix}.shp"
            tables = {
                "unlocated": (pd.DataFrame(feats[~feats["located"]].drop(columns=feats.geometry.name)), "features"),
                "mentions": (layers.mentions, "mentions"),
                "unresolved": (layers.unresolved, "unresolved"),
            }
            for key, (df, table) in tables.items():
                pyogrio.write_dataframe(_prepare(pd.DataFrame(df), maps[table]), tmp / f"{stem}_{key}.dbf", **opts)
                written[key] = path.parent / f"{stem}_{key}.dbf"
            doc = {table: {short: full for full, short in m.items()} for table, m in maps.items()}
            (tmp / f"{stem}_fields.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["table", "shp_field", "field"])
            for table, m in maps.items():
                for full, short in m.items():
                    w.writerow([table, short, full])
            (tmp / f"{stem}_fields.csv").write_text(buf.getvalue(), encoding="utf-8")
            written["fields_json"] = path.parent / f"{stem}_fields.json"
            written["fields_csv"] = path.parent / f"{stem}_fields.csv"
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ExportError(f"{path}: cannot write shapefile: {exc}") from exc
    return written


def read_shapefile(path: Path | str) -> OutputTables:
    """The layers of a shapefile family written by :func:`write_shapefile`, real names restored."""
    parts = shapefile_parts(path)
    if not parts["fields_json"].is_file():
        raise ExportError(f"{path}: no field map {parts['fields_json'].name} (not written by geoplan?)")
    maps = json.loads(parts["fields_json"].read_text(encoding="utf-8"))
    frames = []
    for fam in GEOMETRY_FAMILIES:
        if parts[fam].is_file():
            frames.append(pyogrio.read_dataframe(parts[fam], encoding="UTF-8").rename(columns=maps["features"]))
    unlocated = pyogrio.read_dataframe(parts["unlocated"], read_geometry=False, encoding="UTF-8").rename(columns=maps["features"])
    frames.append(gpd.GeoDataFrame(unlocated, geometry=gpd.GeoSeries([None] * len(unlocated)), crs="EPSG:4326"))
    feats = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326")
    feats = feats.sort_values(["doc", "id"], kind="stable").reset_index(drop=True)
    mentions = pyogrio.read_dataframe(parts["mentions"], read_geometry=False, encoding="UTF-8").rename(columns=maps["mentions"])
    unresolved = pyogrio.read_dataframe(parts["unresolved"], read_geometry=False, encoding="UTF-8").rename(columns=maps["unresolved"])
    return coerce_layers(feats, mentions, unresolved)
