"""RFC 7946 GeoJSON, written by hand for byte-identical re-runs.

GDAL's writer is correct but its float formatting and member order vary across
versions; planners diff outputs between runs, so geoplan writes the JSON itself:
WGS-84, lon/lat, coordinates rounded to 7 decimals (about 1 cm), features in a
stable order, no ``crs`` member (RFC 7946 §4), polygon rings wound by the
right-hand rule (§3.1.6), ``null`` geometry for features that could not be
located.  :func:`write_geojson_set` writes the merged file and one file per
theme, selected by :func:`geoplan.output.filter.filter_layers`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import mapping

from geoplan.atomic import write_text
from geoplan.io.schema import coerce_features

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
        if geom is not None and not geom.is_empty:
            # RFC 7946 §3.1.6: exterior rings counterclockwise, holes clockwise
            geom = shapely.orient_polygons(geom, exterior_cw=False)
        feats.append(
            {
                "type": "Feature",
                "id": _value(rec.get("id")),
                "geometry": None if geom is None or geom.is_empty else _round(mapping(geom)),
                "properties": {k: _value(rec[k]) for k in props},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def geojson_text(gdf: gpd.GeoDataFrame) -> str:
    """The exact text :func:`write_geojson` writes (UTF-8, one feature per line).

    Each feature is encoded compactly by ``json``'s C encoder (an ``indent``
    makes ``json`` fall back to its pure-Python encoder, which took most of the
    write time); a line per feature keeps the file readable and its diffs small.
    """
    return _collection(_feature_lines(gdf))


def _feature_lines(gdf: gpd.GeoDataFrame) -> list[str]:
    """Each feature of ``gdf`` encoded on its own (one line of the file)."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return [encode(f) for f in to_geojson_dict(gdf)["features"]]


def _collection(lines: list[str]) -> str:
    feats = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + feats + ("\n" if feats else "") + "]}\n"


def write_geojson(gdf: gpd.GeoDataFrame, path: Path | str) -> Path:
    return write_text(path, geojson_text(gdf))


def themes_dir_for(path: Path | str) -> Path:
    """Where :func:`write_geojson_set` puts the per-theme files of ``path`` by default."""
    path = Path(path)
    return path.parent / f"{path.stem}_themes"


def write_geojson_set(layers, path: Path | str, themes_dir: Path | str | None = None) -> dict[str, Path]:
    """The merged features at ``path`` and one ``<theme>.geojson`` per theme in ``themes_dir``.

    A theme file holds what :func:`geoplan.output.filter.filter_layers` keeps
    for that theme (every feature named under it, located or not), so a theme
    file, ``geoplan filter --theme`` and the theme map agree.  Returns
    ``{"features": path, "theme:<主题>": file, …}``.
    """
    from geoplan.output.filter import filter_layers, present_themes

    path = Path(path)
    tdir = Path(themes_dir) if themes_dir is not None else themes_dir_for(path)
    feats = layers.features
    lines = _feature_lines(feats)
    written = {"features": write_text(path, _collection(lines))}
    # a theme file's rows are rows of the merged file: each is encoded once (rounding
    # every coordinate of a county's outline again per theme took most of the time)
    by_id = dict(zip(feats["id"], lines)) if feats["id"].is_unique else None
    for theme in present_themes(feats):
        part = filter_layers(layers, theme=theme).features
        text = _collection([by_id[i] for i in part["id"]]) if by_id is not None else geojson_text(part)
        written[f"theme:{theme}"] = write_text(tdir / f"{theme}.geojson", text)
    return written


def read_geojson(path: Path | str) -> gpd.GeoDataFrame:
    """Read a features file written by geoplan into the schema (types restored, EPSG:4326)."""
    import pyogrio

    gdf = pyogrio.read_dataframe(path)
    return coerce_features(gdf)
