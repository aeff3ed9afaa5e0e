"""GeoPackage: the primary exchange format (one file, many layers, QGIS-ready).

Layers written:

- ``features``: every feature of the build, located or not (a null geometry
  marks an unlocated one), mixed geometry types: the table :func:`read_gpkg`
  reads back;
- ``points``, ``lines``, ``polygons``: the located features by geometry type
  (Multi* promoted), because QGIS and ArcGIS draw one geometry type per layer;
- ``theme_<主题>_points`` / ``_lines`` / ``_polygons``: the located features
  named under one theme, split the same way (same theme meaning as
  :func:`geoplan.output.filter.filter_layers`);
- ``entities``: one row per place across every plan of the build
  (:func:`geoplan.io.entities.merge_entities`);
- ``mentions`` and ``unresolved``: attribute tables (no geometry);
- ``layer_styles``: a QGIS style per geometry layer (:mod:`geoplan.io.qgis_styles`).

Everything is WGS-84 (EPSG:4326).  The file is written to a temporary name
and renamed, so QGIS never opens a half-written package and a failed run
leaves the previous one intact.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geoplan.errors import ExportError
from geoplan.atomic import atomic_path
from geoplan.io.entities import merge_entities
from geoplan.io.schema import coerce_layers
from geoplan.output.tables import OutputTables

#: geometry family → (layer suffix, geometry types it holds, GeoPackage geometry type)
GEOMETRY_FAMILIES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "point": ("points", ("Point", "MultiPoint"), "MultiPoint"),
    "line": ("lines", ("LineString", "MultiLineString"), "MultiLineString"),
    "polygon": ("polygons", ("Polygon", "MultiPolygon"), "MultiPolygon"),
}

#: the geometry column name GDAL gives GeoPackage layers
GEOMETRY_COLUMN = "geom"


def theme_layer_name(theme: str, family: str | None = None) -> str:
    """``theme_交通`` or, per geometry family, ``theme_交通_lines``."""
    base = f"theme_{theme}"
    return base if family is None else f"{base}_{GEOMETRY_FAMILIES[family][0]}"


def by_family(gdf: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """The non-empty parts of ``gdf`` per geometry family (unlocated rows dropped)."""
    types = gdf.geometry.geom_type
    out = {}
    for fam, (_, members, _) in GEOMETRY_FAMILIES.items():
        part = gdf[types.isin(members).to_numpy()]
        if len(part):
            out[fam] = part
    return out


def _write(df: pd.DataFrame, path: Path, layer: str, **kw) -> None:
    if isinstance(df, gpd.GeoDataFrame):
        pyogrio.write_dataframe(df, path, layer=layer, driver="GPKG", **kw)
    else:
        pyogrio.write_dataframe(pd.DataFrame(df), path, layer=layer, driver="GPKG", **kw)


def planned_layers(layers: OutputTables) -> dict[str, tuple[gpd.GeoDataFrame, str, str | None]]:
    """Layer name → (frame, geometry family, theme) of every geometry-type layer to write.

    A theme's layers hold what :func:`geoplan.output.filter.filter_layers` keeps
    for that theme, located features only (a geometry layer has no null rows).
    """
    from geoplan.output.filter import filter_layers, present_themes

    located = layers.located
    plan: dict[str, tuple[gpd.GeoDataFrame, str, str | None]] = {}
    for fam, part in by_family(located).items():
        plan[GEOMETRY_FAMILIES[fam][0]] = (part, fam, None)
    for theme in present_themes(located):
        members = filter_layers(layers, theme=theme).located
        for fam, part in by_family(members).items():
            plan[theme_layer_name(theme, fam)] = (part, fam, theme)
    return plan


#: GDAL's SQLite/GeoPackage option for ``PRAGMA synchronous``
_SYNC_OPTION = "OGR_SQLITE_SYNCHRONOUS"


@contextlib.contextmanager
def _unsynced() -> Iterator[None]:
    """SQLite without an fsync per transaction while GDAL writes the layers.

    Every layer is a few transactions, and with SQLite's default each one waits
    for the disk: on a busy disk most of the package's write time.  The file is
    written under a temporary name and :func:`geoplan.atomic.atomic_path`
    fsyncs it whole before the rename, so a crash still leaves either the old
    package or the complete new one.
    """
    before = pyogrio.get_gdal_config_option(_SYNC_OPTION)
    pyogrio.set_gdal_config_options({_SYNC_OPTION: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({_SYNC_OPTION: before})


def write_gpkg(layers: OutputTables, path: Path | str, styles: object = True) -> Path:
    """Write a :class:`geoplan.output.tables.OutputTables` to one GeoPackage, atomically.

    ``styles`` false leaves out the ``layer_styles`` table (any true value, as
    the pipeline's per-theme QML dict, writes it).
    """
    from geoplan.io.qgis_styles import layer_style, write_layer_styles

    path = Path(path)
    feats: gpd.GeoDataFrame = layers.features
    all_themes = sorted(set(feats["theme"].dropna()))
    try:
        with atomic_path(path) as tmp, _unsynced():
            # GeoPackage 1.2: what QGIS LTR and GDAL < 3.7 read without a version warning
            _write(feats, tmp, "features", geometry_type="Unknown", dataset_options={"VERSION": "1.2"})
            styled = []
            for name, (part, fam, theme) in planned_layers(layers).items():
                _write(part, tmp, name, promote_to_multi=True, geometry_type=GEOMETRY_FAMILIES[fam][2])
                styled.append(layer_style(name, fam, theme, all_themes))
            _write(merge_entities(layers), tmp, "entities", geometry_type="Unknown")
            _write(layers.mentions, tmp, "mentions")
            _write(layers.unresolved, tmp, "unresolved")
            if styles and styled:
                write_layer_styles(tmp, styled, GEOMETRY_COLUMN)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ExportError(f"{path}: cannot write GeoPackage: {exc}") from exc
    return path


def read_gpkg(path: Path | str) -> OutputTables:
    """The three tables of a GeoPackage written by :func:`write_gpkg`."""
    path = Path(path)
    try:
        names = {row[0] for row in pyogrio.list_layers(path)}
        if "features" not in names:
            raise ExportError(f"{path}: no 'features' layer (not written by geoplan?)")
        feats = pyogrio.read_dataframe(path, layer="features")
        mentions = pyogrio.read_dataframe(path, layer="mentions", read_geometry=False) if "mentions" in names else None
        unresolved = pyogrio.read_dataframe(path, layer="unresolved", read_geometry=False) if "unresolved" in names else None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ExportError(f"{path}: cannot read GeoPackage: {exc}") from exc
    return coerce_layers(feats, mentions, unresolved)
