"""Read curated (and imported user) GeoJSON layers into :class:`GazetteerFeature`.

The format is described in ``layers/README.md``.  Loading is strict about what
makes a feature unusable (no id, no name, no geometry, a precision that is not a
number) and names the file, the feature index and the field, because a planner
fixing a layer by hand needs to find the line.  What is merely doubtful (a kind
outside the vocabulary, a point outside its county) is left to
:func:`geoplan.gazetteer.validate.validate`, so that one doubtful feature never
stops the whole gazetteer from loading.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geoplan.errors import LayerImportError
from geoplan.gazetteer.model import ORIGINS, GazetteerFeature

#: properties the loader maps onto model fields; every other property goes to ``extra``
KNOWN_FIELDS = frozenset(
    {"id", "name", "aliases", "kind", "admin_code", "precision_m", "source", "license", "source_crs", "part_of", "note"}
)
GEOMETRY_TYPES = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"})

AdminChain = Callable[[str], tuple[str, ...]]


def layer_files(directory: Path) -> list[Path]:
    """The ``*.geojson`` layers of a folder, in a stable order."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.geojson") if p.is_file())


def load_layers(paths: Iterable[Path], origin: str = "curated", admin_chain: AdminChain | None = None) -> list[GazetteerFeature]:
    out: list[GazetteerFeature] = []
    for path in paths:
        out.extend(load_layer(path, origin=origin, admin_chain=admin_chain))
    return out


def load_layer(path: Path, origin: str = "curated", admin_chain: AdminChain | None = None) -> list[GazetteerFeature]:
    """Read one layer file; raise :class:`LayerImportError` naming file, feature and field."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LayerImportError(path, "file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LayerImportError(path, f"not valid UTF-8 JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        raise LayerImportError(path, "not a GeoJSON FeatureCollection")
    header = raw.get("geoplan") or {}
    if not isinstance(header, dict):
        raise LayerImportError(path, "the 'geoplan' member must be an object", field="geoplan")
    feats = raw.get("features")
    if not isinstance(feats, list):
        raise LayerImportError(path, "'features' must be a list", field="features")
    if origin == "curated" and header.get("origin") == "national":
        # a layer built by script from national open data ranks below hand-curated ones
        origin = "national"
    return [_feature(path, i, f, header, origin, admin_chain) for i, f in enumerate(feats)]


def _feature(
    path: Path, i: int, feat: Any, header: dict, origin: str, admin_chain: AdminChain | None
) -> GazetteerFeature:
    def fail(field: str | None, reason: str) -> LayerImportError:
        return LayerImportError(path, reason, row=i, field=field)

    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        raise fail(None, "not a GeoJSON Feature")
    props = feat.get("properties")
    if not isinstance(props, dict):
        raise fail("properties", "missing properties object")

    def text(field: str, required: bool = True, default: str | None = None) -> str | None:
        value = props.get(field, default)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise fail(field, "required field is missing or empty")
            return None
        if not isinstance(value, str):
            raise fail(field, f"must be a string, not {type(value).__name__}")
        return value.strip()

    fid = text("id")
    name = text("name")
    kind = text("kind")
    admin_code = text("admin_code", required=False, default=header.get("admin_code"))
    if admin_code is not None and not (admin_code.isdigit() and len(admin_code) in (6, 9, 12)):
        raise fail("admin_code", f"must be a 6- or 9-digit administrative code, not {admin_code!r}")
    source = text("source", default=header.get("default_source"))
    license_ = text("license", default=header.get("default_license"))
    source_crs = text("source_crs", default=header.get("source_crs", "EPSG:4326"))

    precision = props.get("precision_m")
    if isinstance(precision, bool) or not isinstance(precision, (int, float)):
        raise fail("precision_m", f"must be a number of metres, not {precision!r}")
    if not math.isfinite(precision) or precision <= 0:
        raise fail("precision_m", f"must be a positive number of metres, not {precision!r}")

    aliases = props.get("aliases", [])
    if aliases is None:
        aliases = []
    if isinstance(aliases, str):
        aliases = [a for a in aliases.replace(";", "；").split("；")]
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise fail("aliases", "must be a list of strings")
    aliases_t = tuple(dict.fromkeys(a.strip() for a in aliases if a.strip() and a.strip() != name))

    admin_codes = props.get("admin_codes", [])
    if admin_codes is not None and (
        not isinstance(admin_codes, list) or not all(isinstance(c, str) and c.isdigit() for c in admin_codes)
    ):
        raise fail("admin_codes", "must be a list of code strings")

    geometry = _geometry(feat.get("geometry"), fail)

    chain: tuple[str, ...] = ()
    if admin_code and admin_chain is not None:
        chain = admin_chain(admin_code)

    extra = {k: v for k, v in props.items() if k not in KNOWN_FIELDS}
    extra["layer"] = Path(path).name
    extra["index"] = i
    extra["admin_codes"] = tuple(admin_codes or ())
    return GazetteerFeature(
        id=fid,  # type: ignore[arg-type]
        name=name,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        geometry=geometry,
        precision_m=float(precision),
        source=source,  # type: ignore[arg-type]
        license=license_,  # type: ignore[arg-type]
        source_crs=source_crs or "EPSG:4326",
        aliases=aliases_t,
        admin_code=admin_code,
        admin_names=chain,
        part_of=text("part_of", required=False),
        origin=origin,
        note=text("note", required=False) or "",
        extra=extra,
    )


def _geometry(geo: Any, fail: Callable[[str | None, str], LayerImportError]) -> BaseGeometry:
    if not isinstance(geo, dict):
        raise fail("geometry", "missing geometry")
    gtype = geo.get("type")
    if gtype not in GEOMETRY_TYPES:
        raise fail("geometry", f"unsupported geometry type {gtype!r}")
    try:
        geom = shape(geo)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise fail("geometry", f"malformed {gtype} coordinates: {exc}") from None
    if geom.is_empty:
        raise fail("geometry", "empty geometry")
    return geom
