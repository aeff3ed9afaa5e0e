"""RFC 7946 GeoJSON, written by hand for byte-identical re-runs.

GDAL's writer is correct but its float formatting and member order vary across
versions; planners diff outputs between runs, so geoplan writes the JSON itself:
WGS-84, lon/lat, coordinates rounded to 7 decimals (about 1 cm), features in a
stable order, no ``crs`` member (RFC 7946 §4), ``null`` geometry for features
that could not be located.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import mapping

from geoplan.io.atomic import write_text

_DECIMALS = 7


def _round(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, _DECIMALS)
    if isinstance(obj, (list, tuple)):
        return [_round(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def _value(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def to_geojson_dict(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    feats = []
    for row in gdf.itertuples(index=False):
        rec = row._asdict()
        geom = rec.pop(gdf.geometry.name, None)
        feats.append(
            {
                "type": "Feature",
                "id": _value(rec.get("id")),
                "geometry": None if geom is None or geom.is_empty else _round(mapping(geom)),
                "properties": {k: _value(rec[k]) for k in props},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def write_geojson(gdf: gpd.GeoDataFrame, path: Path | str) -> Path:
    text = json.dumps(to_geojson_dict(gdf), ensure_ascii=False, indent=1, sort_keys=False)
    return write_text(path, text + "\n")


def read_geojson(path: Path | str) -> gpd.GeoDataFrame:
    """Read a features file written by geoplan (or any GeoJSON) into the schema."""
    gdf = gpd.read_file(path)
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    return gdf
