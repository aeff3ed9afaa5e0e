"""Import a planning bureau's own layer into the gazetteer.

Bureaus keep their project lists as Shapefiles, GeoPackages, GeoJSON, Excel
exports to CSV with 经度/纬度 columns copied from a web map (so in GCJ-02 or
BD-09, not WGS-84), or OSM extracts (streamed by :mod:`geoplan.gazetteer.osm_layer`).  :func:`import_layer` reads any of these,
maps its columns onto the gazetteer fields, converts the datum, checks every
row and writes one normalized GeoJSON layer that ``Gazetteer.load(user_layers=…)``
reads with origin ``"user"``.  Every error names the file, the (1-based data)
row and the field, because the person fixing it has the spreadsheet open.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import Point, mapping as geom_mapping
from shapely.geometry.base import BaseGeometry

from geoplan import paths
from geoplan.errors import GeoplanError, LayerImportError
from geoplan.gazetteer.validate import load_kinds
from geoplan.datum import bd09_to_wgs84, canonical_crs, gcj02_to_wgs84, transform_geometry

log = logging.getLogger(__name__)

#: fields of the normalized layer a column can be mapped onto
FIELDS: tuple[str, ...] = ("name", "kind", "aliases", "id", "precision_m", "source", "license", "admin_code", "note", "lon", "lat")
#: column names tried, in order, when the mapping does not name one
GUESSES: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "项目名称", "NAME", "Name"),
    "kind": ("kind", "类型", "类别"),
    "aliases": ("aliases", "别名"),
    "id": ("id", "ID", "编号"),
    "precision_m": ("precision_m", "精度"),
    "source": ("source", "来源"),
    "license": ("license",),
    "admin_code": ("admin_code", "区划代码"),
    "note": ("note", "备注"),
    "lon": ("lon", "lng", "longitude", "x", "经度", "X", "LON", "LNG"),
    "lat": ("lat", "latitude", "y", "纬度", "Y", "LAT"),
}
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip"}
OSM_SUFFIXES = {".osm", ".pbf"}
DEFAULT_PRECISION_M = 100.0
USER_LICENSE = "supplied by the user"


def import_layer(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    crs: str = "EPSG:4326",
    dest_dir: Path | None = None,
    *,
    layer: str | None = None,
    default_kind: str = "other",
    default_precision_m: float = DEFAULT_PRECISION_M,
    license: str = USER_LICENSE,
    county_of: Any = None,
    kinds: set[str] | None = None,
    progress: bool = False,
) -> Path:
    """Normalize ``path`` into ``dest_dir`` (default ``cache_dir()/user_layers``) and return the new file.

    ``mapping`` maps gazetteer fields (``name``, ``kind``, ``aliases``, ``id``,
    ``precision_m``, ``source``, ``admin_code``, ``lon``, ``lat``) to the file's
    column names.  ``crs`` is the datum the coordinates were recorded in: any
    EPSG code pyproj knows, or ``GCJ-02`` / ``BD-09``.  ``county_of`` (a
    ``Gazetteer.county_of``) fills ``admin_code`` for rows that have none, so
    that the imported features are scoped like curated ones.  An OSM extract
    (``.osm``, ``.pbf``) is streamed through osmium-tool and keeps the named
    features ``layers/vocab/osm_tags.toml`` lists (:mod:`geoplan.gazetteer.osm_layer`);
    ``progress`` shows bars on stderr while it reads and merges.
    """
    path = Path(path)
    if not path.exists():
        raise LayerImportError(path, "file not found")
    cols = dict(mapping or {})
    unknown = set(cols) - set(FIELDS)
    if unknown:
        raise LayerImportError(path, f"unknown mapping key(s) {sorted(unknown)}; allowed: {', '.join(FIELDS)}", field="mapping")
    vocab = kinds if kinds is not None else load_kinds()
    datum = _parse_crs(path, crs)

    suffix = path.suffix.lower()
    out_dir = Path(dest_dir) if dest_dir is not None else paths.user_layers_dir()
    if suffix in OSM_SUFFIXES:
        # an extract is streamed and filtered by layers/vocab/osm_tags.toml: no column mapping, no datum
        from geoplan.gazetteer.osm_layer import import_osm

        if datum != "EPSG:4326":
            raise LayerImportError(path, f"OpenStreetMap data is WGS-84: --crs {crs} does not apply", field="crs")
        if cols:
            raise LayerImportError(path, "an OSM extract has no columns to map: its tags decide "
                                   "(layers/vocab/osm_tags.toml)", field="mapping")
        if kinds is not None:
            raise LayerImportError(path, "an OSM extract's kinds come from its tags "
                                   "(layers/vocab/osm_tags.toml): a kind set does not apply", field="kinds")
        out = layer_target(out_dir, path)
        # OSM data stays under ODbL unless the caller states the licence it was obtained under
        osm_license = {} if license == USER_LICENSE else {"license": license}
        import_osm(path, out, county_of=county_of, progress=progress, **osm_license)
        return out
    if suffix == ".csv" or suffix == ".txt":
        frame = _read_csv(path, cols, datum)
    elif suffix in VECTOR_SUFFIXES:
        frame = _read_vector(path, layer, datum)
    else:
        raise LayerImportError(path, f"unsupported file type {suffix!r} (GeoJSON, GeoPackage, Shapefile, CSV, OSM)")

    out_dir.mkdir(parents=True, exist_ok=True)
    out = layer_target(out_dir, path)
    features = _normalize(path, frame, cols, datum, vocab, default_kind, default_precision_m, license, county_of,
                          stem=out.stem)
    doc = {
        "type": "FeatureCollection",
        "geoplan": {"imported_from": path.name, "imported_path": str(path.resolve()), "source_crs": datum,
                    "default_license": license},
        "features": features,
    }
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def layer_target(out_dir: Path, path: Path) -> Path:
    """Where the layer imported from ``path`` goes: its stem, numbered when another file holds it.

    Re-importing the same file replaces its layer; a different file with the
    same stem (``a/projects.csv``, ``b/projects.csv``) gets a layer of its own
    instead of silently overwriting the first.
    """
    stem = _slug(path.stem)
    source = str(path.resolve())
    n = 1
    while True:
        out = out_dir / (f"{stem}.geojson" if n == 1 else f"{stem}-{n}.geojson")
        if not out.exists() or _imported_path(out) == source:
            return out
        n += 1


def _imported_path(layer: Path) -> str | None:
    try:
        return json.loads(layer.read_text(encoding="utf-8")).get("geoplan", {}).get("imported_path")
    except (OSError, ValueError, AttributeError):
        return None


def _swapped(geom: BaseGeometry, county_of: Any) -> bool:
    """A point outside China whose swapped lon/lat falls inside: the columns were probably exchanged."""
    if county_of is None or geom.geom_type != "Point":
        return False
    flipped = Point(geom.y, geom.x)
    if not (-180 <= flipped.x <= 180 and -90 <= flipped.y <= 90):
        return False
    return county_of(geom) is None and county_of(flipped) is not None


# ------------------------------------------------------------------ readers
def _parse_crs(path: Path, crs: str) -> str:
    """``EPSG:4326``, ``GCJ-02``, ``BD-09`` or another EPSG/pyproj CRS string."""
    try:
        return canonical_crs(crs)
    except GeoplanError:
        pass
    try:
        from pyproj import CRS

        return CRS.from_user_input(crs).to_string()
    except Exception:
        raise LayerImportError(
            path, f"unknown crs {crs!r}; use an EPSG code (EPSG:4326, EPSG:4490, EPSG:4547…) or GCJ-02 / BD-09", field="crs"
        ) from None


def _read_csv(path: Path, cols: dict[str, str], datum: str) -> gpd.GeoDataFrame:
    df = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            df = pd.read_csv(path, dtype=str, encoding=enc, keep_default_na=False)
            break
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as exc:
            raise LayerImportError(path, f"not a readable CSV: {exc}") from None
    if df is None:
        raise LayerImportError(path, "neither UTF-8 nor GB18030 text")
    lon_col = _column(path, df.columns, cols, "lon", required=True)
    lat_col = _column(path, df.columns, cols, "lat", required=True)
    geoms: list[BaseGeometry] = []
    for i, (x, y) in enumerate(zip(df[lon_col], df[lat_col]), start=1):
        lon = _number(path, i, lon_col, x)
        lat = _number(path, i, lat_col, y)
        if not -180 <= lon <= 180:
            raise LayerImportError(path, f"longitude {x!r} is outside -180…180", row=i, field=lon_col)
        if not -90 <= lat <= 90:
            raise LayerImportError(path, f"latitude {y!r} is outside -90…90", row=i, field=lat_col)
        geoms.append(Point(lon, lat))
    crs = None if datum in ("GCJ-02", "BD-09") else datum
    return gpd.GeoDataFrame(df, geometry=geoms, crs=crs)


def _number(path: Path, row: int, field: str, value: Any) -> float:
    try:
        v = float(str(value).strip())
    except ValueError:
        raise LayerImportError(path, f"{value!r} is not a number", row=row, field=field) from None
    if not math.isfinite(v):
        raise LayerImportError(path, f"{value!r} is not a finite number", row=row, field=field)
    return v


def _read_vector(path: Path, layer: str | None, datum: str) -> gpd.GeoDataFrame:
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:
        raise LayerImportError(path, f"GDAL cannot read it: {exc}") from None
    if datum not in ("GCJ-02", "BD-09") and datum != "EPSG:4326":
        gdf = gdf.set_crs(datum, allow_override=True)  # the caller knows better than a missing .prj
    return gdf


def _column(path: Path, columns: Any, cols: dict[str, str], field: str, required: bool = False) -> str | None:
    if field in cols:
        if cols[field] not in columns:
            raise LayerImportError(path, f"mapped column {cols[field]!r} for {field} is not in the file "
                                   f"(columns: {', '.join(map(str, columns))})", field=cols[field])
        return cols[field]
    for guess in GUESSES.get(field, ()):
        if guess in columns:
            return guess
    if required:
        raise LayerImportError(path, f"no {field} column (looked for {', '.join(GUESSES[field])}; "
                               f"columns: {', '.join(map(str, columns))})", field=field)
    return None


# --------------------------------------------------------------- normalize
def _normalize(
    path: Path,
    gdf: gpd.GeoDataFrame,
    cols: dict[str, str],
    datum: str,
    vocab: set[str],
    default_kind: str,
    default_precision: float,
    license: str,
    county_of: Any,
    stem: str | None = None,
) -> list[dict[str, Any]]:
    if gdf.empty:
        raise LayerImportError(path, "the layer has no rows")
    name_col = _column(path, gdf.columns, cols, "name", required=True)
    kind_col = _column(path, gdf.columns, cols, "kind")
    alias_col = _column(path, gdf.columns, cols, "aliases")
    id_col = _column(path, gdf.columns, cols, "id")
    prec_col = _column(path, gdf.columns, cols, "precision_m")
    src_col = _column(path, gdf.columns, cols, "source")
    lic_col = _column(path, gdf.columns, cols, "license")
    code_col = _column(path, gdf.columns, cols, "admin_code")
    note_col = _column(path, gdf.columns, cols, "note")

    geoms = _to_wgs84(path, gdf, datum)
    stem = stem or _slug(path.stem)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, (geom, (_, row)) in enumerate(zip(geoms, gdf.iterrows()), start=1):
        name = _cell(row, name_col)
        if not name:
            raise LayerImportError(path, "empty name", row=i, field=name_col)
        if geom is None or geom.is_empty:
            raise LayerImportError(path, "no geometry", row=i, field="geometry")
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise LayerImportError(path, f"coordinates {geom.bounds} are not lon/lat (wrong crs?)", row=i, field="geometry")
        if not geom.is_valid:  # `gazetteer validate` refuses it; a build must never use it
            raise LayerImportError(path, f"invalid geometry: {shapely.is_valid_reason(geom)}", row=i, field="geometry")
        if _swapped(geom, county_of):
            log.warning("%s, row %d: point %.6f, %.6f lies outside China but %.6f, %.6f inside: "
                        "are the lon and lat columns swapped?", path, i, geom.x, geom.y, geom.y, geom.x)
        kind = _cell(row, kind_col) or default_kind
        if kind not in vocab:
            raise LayerImportError(path, f"unknown kind {kind!r}; allowed: {', '.join(sorted(vocab))}", row=i,
                                   field=kind_col or "kind")
        fid = _cell(row, id_col) or f"user-{stem}-{i}"
        if fid in seen:
            raise LayerImportError(path, f"duplicate id {fid!r}", row=i, field=id_col or "id")
        seen.add(fid)
        precision = default_precision
        if prec_col and _cell(row, prec_col):
            precision = _number(path, i, prec_col, _cell(row, prec_col))
            if precision <= 0:
                raise LayerImportError(path, "precision_m must be positive", row=i, field=prec_col)
        aliases = [a.strip() for a in re.split(r"[;；,，、|]", _cell(row, alias_col) or "") if a.strip()]
        code = _cell(row, code_col)
        if code and not (code.isdigit() and len(code) in (6, 9, 12)):
            raise LayerImportError(path, f"admin_code {code!r} is not a 6- or 9-digit code", row=i, field=code_col)
        if not code and county_of is not None:
            county = county_of(geom.representative_point())
            code = county.admin_code if county is not None else None
        props: dict[str, Any] = {
            "id": fid,
            "name": name,
            "aliases": aliases,
            "kind": kind,
            "admin_code": code or None,
            "precision_m": precision,
            "source": _cell(row, src_col) or f"{path.name} row {i}",
            "license": _cell(row, lic_col) or license,
            "source_crs": datum,
        }
        note = _cell(row, note_col)
        if note:
            props["note"] = note
        out.append({"type": "Feature", "properties": props, "geometry": geom_mapping(geom)})
    return out


def _to_wgs84(path: Path, gdf: gpd.GeoDataFrame, datum: str) -> list[BaseGeometry | None]:
    geoms = gdf.geometry
    if datum in ("GCJ-02", "BD-09"):
        func = gcj02_to_wgs84 if datum == "GCJ-02" else bd09_to_wgs84
        arr = np.asarray(geoms.values, dtype=object)
        return list(transform_geometry(arr, func))
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        try:
            if gdf.crs.to_epsg() == 4490:  # CGCS2000 = WGS-84 within centimetres
                return list(geoms.values)
            return list(gdf.to_crs("EPSG:4326").geometry.values)
        except Exception as exc:
            raise LayerImportError(path, f"cannot convert from {gdf.crs} to WGS-84: {exc}", field="crs") from None
    return list(geoms.values)


def _cell(row: pd.Series, col: str | None) -> str:
    if not col or col not in row.index:
        return ""
    v = row[col]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _slug(text: str) -> str:
    """ASCII file/id stem; non-ASCII names get a short stable hash."""
    ascii_part = re.sub(r"[^a-z0-9]+", "-", text.lower().encode("ascii", "ignore").decode()).strip("-")
    if text.isascii() and ascii_part:
        return ascii_part
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()
    return f"{ascii_part}-{digest}" if ascii_part else f"layer-{digest}"
