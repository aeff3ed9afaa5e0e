"""Column types of the three tables, so every reader gives back the same frames.

Each format stores types its own way (GeoJSON has no integer/float split,
Shapefile no boolean, CSV only text), so a file read back must be coerced to
the schema of :mod:`geoplan.output.tables` before filters, maps or a second export
can rely on ``located`` being a bool and ``mentions`` an integer.  The type of a
column is derived from a sample built by :func:`geoplan.output.tables.build_tables`
itself (an empty build) wherever that build types the column.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import pandas as pd

from geoplan.output.tables import CRS, FEATURE_COLUMNS, MENTION_COLUMNS, UNRESOLVED_COLUMNS, OutputTables

_BOOL_TRUE = {"1", "true", "t", "yes", "y"}


@lru_cache(maxsize=1)
def _feature_kinds() -> dict[str, str]:
    """numpy kind letter (``b``, ``i``, ``f``, ``O``/``U``) per feature column, from an empty build."""
    from geoplan.output.tables import build_tables

    empty = build_tables([]).features
    return {c: empty[c].dtype.kind for c in FEATURE_COLUMNS}


#: an empty build has untyped mention columns, so their non-text types are stated here
_MENTION_KINDS = {"start": "i", "end": "i", "raw_start": "i", "raw_end": "i", "is_task": "b", "name_confidence": "f"}


def column_kind(table: str, column: str) -> str:
    """``b`` bool, ``i`` integer, ``f`` float or ``s`` text for a column of ``table``."""
    if table == "features":
        k = _feature_kinds().get(column, "O")
    elif table == "mentions":
        k = _MENTION_KINDS.get(column, "O")
    else:
        k = "O"
    return k if k in "bif" else "s"


def _as_bool(s: pd.Series) -> pd.Series:
    if s.dtype == bool:
        return s
    return s.map(lambda v: str(v).strip().lower() in _BOOL_TRUE if v is not None and not pd.isna(v) else False).astype(bool)


def _as_text(s: pd.Series) -> pd.Series:
    return s.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)).astype(str)


def coerce(df: pd.DataFrame, table: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Give ``df`` exactly ``columns`` (missing ones empty) with the schema's types."""
    out = df.copy()
    for c in columns:
        if c not in out.columns:
            out[c] = None
        kind = column_kind(table, c)
        if kind == "b":
            out[c] = _as_bool(out[c])
        elif kind == "i":
            out[c] = pd.to_numeric(out[c], errors="coerce").fillna(0).astype("int64")
        elif kind == "f":
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
        else:
            out[c] = _as_text(out[c])
    return out


def coerce_features(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Features read from any format → the :data:`FEATURE_COLUMNS` schema, EPSG:4326."""
    if gdf.crs is None:
        gdf = gdf.set_crs(CRS)
    elif not gdf.crs.equals(CRS):
        gdf = gdf.to_crs(CRS)
    geom = gdf.geometry.name
    df = coerce(pd.DataFrame(gdf.drop(columns=[geom])), "features", FEATURE_COLUMNS)
    out = gpd.GeoDataFrame(df[list(FEATURE_COLUMNS)], geometry=gdf.geometry.values, crs=CRS)
    return out.rename_geometry("geometry") if out.geometry.name != "geometry" else out


def coerce_layers(features: gpd.GeoDataFrame, mentions: pd.DataFrame | None, unresolved: pd.DataFrame | None) -> OutputTables:
    """Three tables read from a file or database → a :class:`OutputTables` with the schema's types."""
    feats = coerce_features(features)
    m = pd.DataFrame(columns=list(MENTION_COLUMNS)) if mentions is None else mentions
    u = pd.DataFrame(columns=list(UNRESOLVED_COLUMNS)) if unresolved is None else unresolved
    m = coerce(pd.DataFrame(m), "mentions", MENTION_COLUMNS)[list(MENTION_COLUMNS)].reset_index(drop=True)
    u = coerce(pd.DataFrame(u), "unresolved", UNRESOLVED_COLUMNS)[list(UNRESOLVED_COLUMNS)].reset_index(drop=True)
    return OutputTables(features=feats.reset_index(drop=True), mentions=m, unresolved=u)
