"""An offline basemap drawn from the gazetteer, and optional online tiles.

Offline, there are no tiles; a plan's features floating on grey would be
unreadable, so the map draws what the gazetteer already knows: the county
outlines of the plan's region and its lakes and rivers, simplified, as a light
vector layer under the features; closer in (zoom ≥ ``[basemap] context_min_zoom``)
the township seats of the region with their names, so that at zoom 12–14 a
feature has something around it.  Every row keeps its ``source`` so the page
can credit what it draws (:mod:`geoplan.map.attribution`).  Online tiles are opt-in.  Chinese providers
(Amap/高德) serve GCJ-02 tiles, so when one is chosen every WGS-84 vector is
shifted to GCJ-02 first (:func:`shift_to_gcj02`), or everything would sit a few
hundred metres off.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template
from shapely.geometry import box

from geoplan.map.element import PageElement
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle

log = logging.getLogger(__name__)

BASEMAP_COLUMNS: tuple[str, ...] = ("name", "kind", "admin_code", "source")


def gazetteer_frame(features: Iterable[GazetteerFeature]) -> gpd.GeoDataFrame:
    """Gazetteer features with a geometry as a GeoDataFrame (name, kind, admin_code)."""
    rows = [
        {"name": f.name, "kind": f.kind, "admin_code": f.admin_code or "", "source": f"{f.source} | {f.license}",
         "geometry": f.geometry}
        for f in features
        if f.geometry is not None and not f.geometry.is_empty
    ]
    return gpd.GeoDataFrame(rows, columns=[*BASEMAP_COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326")


def _basemap_kinds(style: MapStyle) -> set[str]:
    cfg = style.section("basemap")
    return {*cfg.get("admin_kinds", ["district"]), *cfg.get("water_kinds", ["lake", "river", "water"]),
            *cfg.get("context_kinds", [])}


def basemap_from_gazetteer(
    gazetteer: Iterable[GazetteerFeature], features: gpd.GeoDataFrame, style: MapStyle | None = None
) -> gpd.GeoDataFrame:
    """The basemap frame for ``features`` from a gazetteer (a ``Gazetteer`` or any iterable of features).

    Only admin and water features whose bounding box meets the features'
    region are converted, so a national gazetteer costs milliseconds per map.
    """
    from geoplan.map.styles import load_style

    style = style or load_style()
    pool, bounds = _candidates(gazetteer, frozenset(_basemap_kinds(style)))
    region = _region(features)
    if region is not None and len(pool):
        x0, y0, x1, y1 = bounds.T
        keep = ~((x1 < region[0]) | (x0 > region[2]) | (y1 < region[1]) | (y0 > region[3]))
        picked = [f for f, k in zip(pool, keep) if k]
    else:
        picked = list(pool)
    return select_basemap(gazetteer_frame(picked), features, style)


#: the basemap candidates of the last gazetteers seen: a build draws ~20 maps from one gazetteer
_CANDIDATES: dict[tuple[int, frozenset[str]], tuple[Any, list[GazetteerFeature], np.ndarray]] = {}


def _candidates(gazetteer: Iterable[GazetteerFeature], kinds: frozenset[str]) -> tuple[list[GazetteerFeature], np.ndarray]:
    """The gazetteer's features of ``kinds`` with a geometry, and their bounds (n × 4), computed once per gazetteer."""
    key = (id(gazetteer), kinds)
    hit = _CANDIDATES.get(key)
    if hit is not None and hit[0] is gazetteer:
        return hit[1], hit[2]
    pool = [f for f in getattr(gazetteer, "features", gazetteer)
            if f.kind in kinds and f.geometry is not None and not f.geometry.is_empty]
    bounds = shapely.bounds(np.array([f.geometry for f in pool], dtype=object)) if pool else np.zeros((0, 4))
    if isinstance(gazetteer, (list, tuple)):  # a plain sequence may change between calls: not kept
        return pool, bounds
    _CANDIDATES.clear()
    _CANDIDATES[key] = (gazetteer, pool, bounds)
    return pool, bounds


@lru_cache(maxsize=1)
def _embedded_gazetteer() -> Any:
    from geoplan.gazetteer import Gazetteer

    return Gazetteer.load()


def gazetteer_basemap_source(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The basemap from the embedded gazetteer (loaded once per process), or None if it cannot load."""
    from geoplan.errors import GeoplanError

    try:
        gazetteer = _embedded_gazetteer()
    except (ImportError, GeoplanError, OSError, ValueError) as exc:
        log.warning("no offline basemap: the embedded gazetteer did not load (%s)", exc)
        return None
    return basemap_from_gazetteer(gazetteer, features)


def _region(features: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """Where the plan is: the features' extent widened by 20 % (at least ~5 km).

    With 8 features or more, the 10th–90th percentile of their positions is
    used (widened by 30 %) so that a few far-off outliers (namesakes located in
    another province: real builds have had ~8 %) do not stretch the basemap
    over half of China; the outliers are still drawn, on a blank background.
    """
    if features is None or not len(features):
        return None
    geoms = features.geometry
    located = geoms[geoms.notna() & ~geoms.is_empty]
    if not len(located):
        return None
    if len(located) >= 8:
        b = located.bounds
        cx, cy = (b["minx"] + b["maxx"]) / 2, (b["miny"] + b["maxy"]) / 2
        minx, maxx = cx.quantile(0.1), cx.quantile(0.9)
        miny, maxy = cy.quantile(0.1), cy.quantile(0.9)
        widen = 0.3
    else:
        minx, miny, maxx, maxy = located.total_bounds
        widen = 0.2
    mx = max((maxx - minx) * widen, 0.05)
    my = max((maxy - miny) * widen, 0.05)
    return (minx - mx, miny - my, maxx + mx, maxy + my)


def select_basemap(frame: gpd.GeoDataFrame, features: gpd.GeoDataFrame, style: MapStyle) -> gpd.GeoDataFrame:
    """The part of ``frame`` worth drawing under ``features``, simplified.

    Admin units and water that touch the features' region (:func:`_region`);
    the finest admin level present is drawn (counties over cities) unless the
    region holds more units than ``max_admin_polygons``, then the next coarser
    one; the points of ``context_kinds`` (township seats) inside the region,
    at most ``max_context_points`` of them (a wider region gets none: at the
    zoom they show, a screen holds a few dozen).  Returns columns
    ``name, kind, role ("admin"|"water"|"context"), source, geometry``.
    """
    cfg = style.section("basemap")
    admin_kinds = list(cfg.get("admin_kinds", ["district"]))
    water_kinds = list(cfg.get("water_kinds", ["lake", "river", "water"]))
    empty = gpd.GeoDataFrame(columns=["name", "kind", "role", "source", "geometry"], geometry="geometry",
                             crs="EPSG:4326")
    if frame is None or frame.empty:
        return empty
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    region = _region(features)
    if region is not None:
        frame = frame[frame.geometry.notna() & frame.intersects(box(*region))]
    kinds = frame["kind"].astype(str)
    polys = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    admin = frame[kinds.isin(admin_kinds) & polys]
    cap = int(cfg.get("max_admin_polygons", 250))
    levels = [k for k in admin_kinds if (admin["kind"] == k).any()]
    chosen = next((k for k in levels if (admin["kind"] == k).sum() <= cap), levels[-1] if levels else None)
    admin = admin[admin["kind"] == chosen] if chosen else admin.iloc[0:0]
    water = frame[kinds.isin(water_kinds) & ~frame.geometry.geom_type.isin(["Point", "MultiPoint"])]
    context = frame[kinds.isin(list(cfg.get("context_kinds", []))) & (frame.geometry.geom_type == "Point")]
    # one seat per name and place: two sources may both hold a township
    near = context.geometry.x.round(2).astype(str) + "," + context.geometry.y.round(2).astype(str)
    context = context[~pd.DataFrame({"n": context["name"], "at": near}).duplicated().to_numpy()]
    if region is None or len(context) > int(cfg.get("max_context_points", 0)):
        context = context.iloc[0:0]
    tol = float(cfg.get("simplify_tolerance_deg", 0.001))
    if region is not None:  # coarser for a wide region: detail finer than a pixel is wasted bytes
        span = max(region[2] - region[0], region[3] - region[1])
        tol = max(tol, span * float(cfg.get("simplify_fraction_of_span", 0.0)))
    parts = []
    if "source" not in frame.columns:
        frame = frame.assign(source="")
    for role, part in (("admin", admin), ("water", water), ("context", context)):
        if part.empty:
            continue
        part = frame.loc[part.index, ["name", "kind", "source", "geometry"]].copy()
        part["role"] = role
        if role != "context":
            part["geometry"] = part.geometry.simplify(tol, preserve_topology=True)
        parts.append(part)
    if not parts:
        return empty
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs="EPSG:4326")
    return out[~out.geometry.is_empty]


def shift_to_gcj02(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with every vertex moved from WGS-84 to GCJ-02."""
    from geoplan.datum import transform_geometry, wgs84_to_gcj02

    out = frame.copy()
    mask = out.geometry.notna()
    if mask.any():
        out.loc[mask, out.geometry.name] = transform_geometry(out.geometry[mask].values.to_numpy(), wgs84_to_gcj02)
    return out


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


class VectorBasemap(PageElement):
    """County outlines (with names) and water as a light, non-interactive layer."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.leaflet-container{background:{{ this.cfg.get("background", "#fbfaf7") }}}
.gp-base-label{background:transparent;border:0;box-shadow:none;color:{{ this.cfg.get("label_color", "#666") }};
  font:12px system-ui,"Noto Sans CJK SC",sans-serif;text-shadow:0 0 3px #fff,0 0 3px #fff}
.gp-base-label:before{display:none}
.gp-context-label{font-size:11px;color:{{ this.cfg.get("context_color", "#999") }}}
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
  // township seats and names: faint, under the features, only from context_min_zoom in
  var context = L.layerGroup();
  B.context.forEach(function (c) {
    L.circleMarker(c.at, {pane: "gpBasePane", interactive: false, radius: C.context_radius, color: C.context_color,
                          weight: 1, fillOpacity: 0.6, className: "gp-base gp-base-context"}).addTo(context);
    var s = document.createElement("span");
    s.textContent = c.name;
    L.tooltip({permanent: true, direction: "right", offset: [4, 0], className: "gp-base-label gp-context-label",
               interactive: false, pane: "gpBasePane"}).setLatLng(c.at).setContent(s).addTo(context);
  });
  function contextByZoom() {
    var want = base._map && map.getZoom() >= C.context_min_zoom;  // hidden with the basemap (online tiles)
    if (want && !map.hasLayer(context)) { context.addTo(map); }
    else if (!want && map.hasLayer(context)) { map.removeLayer(context); }
  }
  map.on("zoomend", contextByZoom);
  base.on("add remove", function () { setTimeout(contextByZoom, 0); });
  contextByZoom();
  window.geoplanContext = context;
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
        context = frame[frame["role"] == "context"] if len(frame) else frame
        labels = [
            {"name": str(r["name"]), "at": [round(p.y, 5), round(p.x, 5)]}
            for _, r in admin.iterrows()
            for p in [r.geometry.representative_point()]
        ]
        points = [{"name": str(n), "at": [round(g.y, 5), round(g.x, 5)]}
                  for n, g in zip(context["name"], context.geometry)]
        self.count = len(frame)
        self.payload = script_json(
            {"admin": _geojson(admin), "water": _geojson(water), "labels": labels, "context": points, "cfg": self.cfg}
        )
