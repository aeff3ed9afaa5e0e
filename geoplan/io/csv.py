"""CSV with WKT geometry: the format a spreadsheet, a database loader and GDAL all read.

``plan.csv`` holds the features with their geometry as WKT in the first
column, ``WKT`` (the name GDAL's CSV driver recognises as geometry), empty for
an unlocated feature; ``plan.csvt`` gives GDAL the field types and
``plan.prj`` the CRS (EPSG:4326), so ``ogrinfo plan.csv`` sees typed fields and
lon/lat points.  ``plan_mentions.csv`` and ``plan_unresolved.csv`` hold the
attribute tables.  UTF-8 with a BOM, so that Excel on a Chinese Windows opens
the files without mojibake; GDAL skips the BOM.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import shapely
from pyproj import CRS as _CRS

from geoplan.errors import ExportError
from geoplan.atomic import atomic_files
from geoplan.io.cells import escape_frame, unescape_frame
from geoplan.io.schema import coerce_layers, column_kind
from geoplan.output.tables import CRS, OutputTables

GEOMETRY_FIELD = "WKT"
_CSVT = {"b": "Integer(Boolean)", "i": "Integer64", "f": "Real", "s": "String"}
_DECIMALS = 7


def _text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    escape_frame(df).to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return "\ufeff" + buf.getvalue()


def features_frame(layers: OutputTables) -> pd.DataFrame:
    """The features as a plain table, geometry as WKT (7 decimals, about 1 cm) first."""
    feats = layers.features
    geoms = feats.geometry.values
    wkt = shapely.to_wkt(geoms, rounding_precision=_DECIMALS, trim=True)
    df = pd.DataFrame(feats.drop(columns=feats.geometry.name))
    df.insert(0, GEOMETRY_FIELD, ["" if w is None else w for w in wkt])
    df["located"] = df["located"].astype(int)
    return df


def csv_parts(path: Path | str) -> dict[str, Path]:
    path = Path(path)
    stem = path.stem
    return {
        "features": path,
        "csvt": path.with_suffix(".csvt"),
        "prj": path.with_suffix(".prj"),
        "mentions": path.parent / f"{stem}_mentions.csv",
        "unresolved": path.parent / f"{stem}_unresolved.csv",
    }


def write_csv(layers: OutputTables, path: Path | str) -> dict[str, Path]:
    """Write ``plan.csv`` (+ .csvt, .prj) and the two attribute tables beside it."""
    parts = csv_parts(path)
    feats = features_frame(layers)
    types = ["WKT"] + [_CSVT[column_kind("features", c)] for c in feats.columns[1:]]
    mentions = pd.DataFrame(layers.mentions).copy()
    mentions["is_task"] = mentions["is_task"].astype(bool).astype(int)
    try:
        with atomic_files(parts["features"]) as tmp:
            (tmp / parts["features"].name).write_text(_text(feats), encoding="utf-8")
            (tmp / parts["csvt"].name).write_text(",".join(f'"{t}"' for t in types) + "\n", encoding="utf-8")
            (tmp / parts["prj"].name).write_text(_CRS.from_user_input(CRS).to_wkt("WKT1_ESRI"), encoding="utf-8")
            (tmp / parts["mentions"].name).write_text(_text(mentions), encoding="utf-8")
            (tmp / parts["unresolved"].name).write_text(_text(pd.DataFrame(layers.unresolved)), encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write CSV: {exc}") from exc
    return parts


def read_csv(path: Path | str) -> OutputTables:
    """The layers of a CSV family written by :func:`write_csv`."""
    import geopandas as gpd

    parts = csv_parts(path)
    opts = {"dtype": str, "keep_default_na": False, "encoding": "utf-8-sig"}
    df = unescape_frame(pd.read_csv(parts["features"], **opts))
    geoms = shapely.from_wkt([w or None for w in df.pop(GEOMETRY_FIELD)])
    feats = gpd.GeoDataFrame(df, geometry=geoms, crs=CRS)
    m = unescape_frame(pd.read_csv(parts["mentions"], **opts)) if parts["mentions"].is_file() else None
    u = unescape_frame(pd.read_csv(parts["unresolved"], **opts)) if parts["unresolved"].is_file() else None
    return coerce_layers(feats, m, u)
