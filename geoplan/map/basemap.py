"""An offline basemap drawn from the gazetteer, and optional online tiles.

Offline, there are no tiles; a plan's features floating on grey would be
unreadable, so the map draws what the gazetteer already knows: the county
outlines of the plan's region and its lakes and rivers, simplified, as a light
vector layer under the features.  Online tiles are opt-in.  Chinese providers
(Amap/高德) serve GCJ-02 tiles, so when one is chosen every WGS-84 vector is
shifted to GCJ-02 first (:func:`shift_to_gcj02`), or everything would sit a few
hundred metres off.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from folium.template import Template
from shapely.geometry import box

from geoplan.gazetteer.model import GazetteerFeature
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle

BASEMAP_COLUMNS: tuple[str, ...] = ("name", "kind", "admin_code")


def gazetteer_frame(features: Iterable[GazetteerFeature]) -> gpd.GeoDataFrame:
    """Gazetteer features with a geometry as a GeoDataFrame (name, kind, admin_code)."""
    rows = [
        {"name": f.name, "kind": f.kind, "admin_code": f.admin_code or "", "geometry": f.geometry}
        for f in features
        if f.geometry is not None and not f.geometry.is_empty
    ]
    return gpd.GeoDataFrame(rows, columns=[*BASEMAP_COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326")


@lru_cache(maxsize=1)
def gazetteer_basemap_source() -> gpd.GeoDataFrame | None:
    """Admin polygons and curated water of the embedded gazetteer, or None if it cannot load.

    Built once per process (the national admin layer takes a few seconds).
    """
    try:
        from geoplan.gazetteer.admin import build_admin_layer
        from geoplan.gazetteer.curated import layer_files, load_layers
        from geoplan.paths import layers_dir
    except ImportError:
        return None
    from geoplan.errors import GeoplanError

    try:
        admin = [f for f in build_admin_layer() if f.kind in ("district", "city")]
        curated = load_layers(layer_files(layers_dir()))
    except (GeoplanError, OSError, ValueError):
        return None
    return gazetteer_frame([*admin, *curated])


def select_basemap(frame: gpd.GeoDataFrame, features: gpd.GeoDataFrame, style: MapStyle) -> gpd.GeoDataFrame:
    """The part of ``frame`` worth drawing under ``features``, simplified.

    Counties (and water) that touch the features' bounding box, widened by a
    margin so the plan's surroundings show; county-level polygons are preferred
    over city ones so the outlines planners know are drawn.  Returns columns
    ``name, kind, role ("admin"|"water"), geometry``.
    """
    cfg = style.section("basemap")
    admin_kinds = list(cfg.get("admin_kinds", ["district"]))
    water_kinds = list(cfg.get("water_kinds", ["lake", "river", "water"]))
    empty = gpd.GeoDataFrame(columns=["name", "kind", "role", "geometry"], geometry="geometry", crs="EPSG:4326")
    if frame is None or frame.empty:
        return empty
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    located = features[features.geometry.notna() & ~features.geometry.is_empty] if len(features) else features
    if len(located):
        minx, miny, maxx, maxy = located.total_bounds
        mx = max((maxx - minx) * 0.2, 0.05)
        my = max((maxy - miny) * 0.2, 0.05)
        region = box(minx - mx, miny - my, maxx + mx, maxy + my)
        frame = frame[frame.geometry.notna() & frame.intersects(region)]
    kinds = frame["kind"].astype(str)
    polys = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    admin = frame[kinds.isin(admin_kinds) & polys]
    # the finest admin level present wins: counties over cities, towns only if nothing coarser
    for k in admin_kinds:
        if (admin["kind"] == k).any():
            admin = admin[admin["kind"] == k]
            break
    water = frame[kinds.isin(water_kinds) & ~frame.geometry.geom_type.isin(["Point", "MultiPoint"])]
    tol = float(cfg.get("simplify_tolerance_deg", 0.001))
    parts = []
    for role, part in (("admin", admin), ("water", water)):
        if part.empty:
            continue
        part = part[["name", "kind", "geometry"]].copy()
        part["role"] = role
        part["geometry"] = part.geometry.simplify(tol, preserve_topology=True)
        parts.append(part)
    if not parts:
        return empty
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs="EPSG:4326")
    return out[~out.geometry.is_empty]


def shift_to_gcj02(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with every vertex moved from WGS-84 to GCJ-02."""
    from geoplan.tools.coords import transform_geometry, wgs84_to_gcj02

    out = frame.copy()
    mask = out.geometry.notna()
    if mask.any():
        out.loc[mask, out.geometry.name] = transform_geometry(out.geometry[mask].values.to_numpy(), wgs84_to_gcj02)
    return out


def tile_layer(name: str, style: MapStyle) -> tuple[folium.TileLayer, str]:
    """The online tile layer called ``name`` and the datum its tiles are drawn in."""
    key, spec = style.tiles(name)
    kwargs: dict[str, Any] = {}
    if spec.get("subdomains"):
        kwargs["subdomains"] = spec["subdomains"]
    layer = folium.TileLayer(
        tiles=spec["url"],
        attr=spec.get("attribution", key),
        name=key,
        max_zoom=int(spec.get("max_zoom", 18)),
        overlay=False,
        control=False,
        **kwargs,
    )
    return layer, str(spec.get("crs", "WGS-84"))


def _geojson(part: gpd.GeoDataFrame) -> dict[str, Any]:
    feats = []
    for _, r in part.iterrows():
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": str(r["name"]), "kind": str(r["kind"])},
                "geometry": r.geometry.__geo_interface__,
            }
        )
    return {"type": "FeatureCollection", "features": feats}


class VectorBasemap(MacroElement):
    """County outlines (with names) and water as a light, non-interactive layer."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.leaflet-container{background:{{ this.cfg.get("background", "#fbfaf7") }}}
.gp-base-label{background:transparent;border:0;box-shadow:none;color:{{ this.cfg.get("label_color", "#666") }};
  font:12px system-ui,"Noto Sans CJK SC",sans-serif;text-shadow:0 0 3px #fff,0 0 3px #fff}
.gp-base-label:before{display:none}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var B = {{ this.payload }}, C = B.cfg;
  if (!map.getPane("gpBasePane")) { map.createPane("gpBasePane").style.zIndex = 250; }
  var base = L.featureGroup();
  L.geoJSON(B.admin, {pane: "gpBasePane", interactive: false, style: function () {
    return {color: C.admin_color, weight: C.admin_weight, fillColor: C.admin_fill, fillOpacity: C.admin_fill_opacity,
            className: "gp-base gp-base-admin"};
  }}).addTo(base);
  L.geoJSON(B.water, {pane: "gpBasePane", interactive: false, style: function () {
    return {color: C.water_color, weight: C.water_line_weight, fillColor: C.water_color,
            fillOpacity: C.water_fill_opacity, className: "gp-base gp-base-water"};
  }}).addTo(base);
  B.labels.forEach(function (l) {
    var s = document.createElement("span");
    s.textContent = l.name;  // a text node: names are data, never markup
    L.tooltip({permanent: true, direction: "center", className: "gp-base-label", interactive: false, pane: "gpBasePane"})
      .setLatLng(l.at).setContent(s).addTo(base);
  });
  base.addTo(map);
  window.geoplanBasemap = base;
})();
{% endmacro %}
"""
    )

    def __init__(self, frame: gpd.GeoDataFrame, style: MapStyle) -> None:
        super().__init__()
        self._name = "VectorBasemap"
        self.cfg = style.section("basemap")
        admin = frame[frame["role"] == "admin"] if len(frame) else frame
        water = frame[frame["role"] == "water"] if len(frame) else frame
        labels = [
            {"name": str(r["name"]), "at": [round(p.y, 5), round(p.x, 5)]}
            for _, r in admin.iterrows()
            for p in [r.geometry.representative_point()]
        ]
        self.count = len(frame)
        self.payload = script_json(
            {"admin": _geojson(admin), "water": _geojson(water), "labels": labels, "cfg": self.cfg}
        )
