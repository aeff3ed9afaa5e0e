"""GeoPackage: the primary exchange format (one file, many layers, QGIS-ready).

Layers written:

- ``features``: every feature of the build, located or not (a null geometry
  marks an unlocated one), mixed geometry types;
- ``points``, ``lines``, ``polygons``: the located features by geometry type, for
  tools that want one type per layer (ArcGIS);
- ``theme_<主题>``: the located features of one theme each;
- ``mentions`` and ``unresolved``: attribute tables (no geometry);
- ``layer_styles``: a QML style per theme layer, the table QGIS reads to open
  layers styled (written by :mod:`geoplan.io.qgis_styles` when available).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geoplan.errors import ExportError
from geoplan.io.atomic import atomic_path

_GEOM_LAYERS = {
    "points": ("Point", "MultiPoint"),
    "lines": ("LineString", "MultiLineString"),
    "polygons": ("Polygon", "MultiPolygon"),
}


def theme_layer_name(theme: str) -> str:
    return f"theme_{theme}"


def _write(df, path: Path, layer: str, **kw) -> None:
    if isinstance(df, gpd.GeoDataFrame):
        pyogrio.write_dataframe(df, path, layer=layer, driver="GPKG", **kw)
    else:
        pyogrio.write_dataframe(pd.DataFrame(df), path, layer=layer, driver="GPKG", **kw)


def write_gpkg(layers, path: Path | str, styles: dict[str, str] | None = None) -> Path:
    """Write a :class:`geoplan.layerset.Layers` to one GeoPackage, atomically."""
    path = Path(path)
    feats: gpd.GeoDataFrame = layers.features
    located = feats[feats["located"]]
    try:
        with atomic_path(path) as tmp:
            _write(feats, tmp, "features", geometry_type="Unknown")
            for name, types in _GEOM_LAYERS.items():
                part = located[located.geometry.geom_type.isin(types)]
                if len(part):
                    _write(part, tmp, name, promote_to_multi=True)
            for theme in sorted(located["theme"].unique()):
                _write(located[located["theme"] == theme], tmp, theme_layer_name(theme), geometry_type="Unknown")
            _write(layers.mentions, tmp, "mentions")
            _write(layers.unresolved, tmp, "unresolved")
            if styles:
                from geoplan.io.qgis_styles import write_layer_styles

                write_layer_styles(tmp, styles)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ExportError(f"{path}: cannot write GeoPackage: {exc}") from exc
    return path
