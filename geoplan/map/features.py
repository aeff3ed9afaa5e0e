"""The plan's features on the map, and the small JavaScript API every control uses.

Drawing 10,000 features as one folium element each makes a page that takes
minutes to open, and filters cannot reach markers hidden inside a cluster.  So
this element embeds the features once as compact JSON and builds the Leaflet
layers in the browser, keeping one registry (``window.geoplanMap``) that knows,
for every feature, its theme, kind, task and precision and whether it is shown.
The layer control, filters, search and legend only change that registry's
state and call ``refresh()``, which adds and removes markers from the one
MarkerCluster group in batches.

How a feature is drawn says how exact it is: a located point ("feature"
precision) is a round marker; a point that only stands for a town, district or
city is a faint dashed circle of radius ``precision_m`` so nobody reads it as
an exact spot, shown only at the zooms where its size on screen means
something; lines and polygons are drawn as themselves.  Size sets the order: a
polygon larger than ``[region] min_area_km2`` (a province, a metropolitan
region, a corridor) is context and drawn as an outline without fill under
everything, and smaller polygons are drawn over larger ones.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from folium.template import Template
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geoplan.map.element import PageElement
from geoplan.datum import metres
from geoplan.map.plans import plan_labels, task_index
from geoplan.map.popup import POPUP_JS, _text, popup_fields, popup_labels, split_aliases
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle, ThemeStyle

APPROXIMATE: frozenset[str] = frozenset({"town", "district", "city"})
_DIGITS = 6  # ~0.1 m: finer than any gazetteer precision, and keeps the page small


def _ring(coords: Any) -> list[list[float]]:
    """``[[lat, lon], …]`` of a ring or line (numpy: a province outline has thousands of vertices)."""
    xy = np.asarray(coords)[:, :2]
    return np.round(xy[:, ::-1], _DIGITS).tolist()


def _polygon(p: Polygon) -> list[list[list[float]]]:
    return [_ring(p.exterior.coords), *(_ring(i.coords) for i in p.interiors)]


def leaflet_shape(geom: BaseGeometry) -> tuple[str, Any]:
    """``(shape, latlngs)`` for Leaflet: ``point``, ``line`` or ``area``.

    Multi-part lines and polygons stay one feature (Leaflet accepts nested
    arrays), so one plan feature is one layer; anything else collapses to a
    representative point.
    """
    if isinstance(geom, Polygon):
        return "area", _polygon(geom)
    if isinstance(geom, MultiPolygon):
        return "area", [_polygon(p) for p in geom.geoms if not p.is_empty]
    if isinstance(geom, LineString):
        return "line", _ring(geom.coords)
    if isinstance(geom, MultiLineString):
        return "line", [_ring(g.coords) for g in geom.geoms if not g.is_empty]
    pt = geom if geom.geom_type == "Point" else geom.representative_point()
    return "point", [round(pt.y, _DIGITS), round(pt.x, _DIGITS)]


def _float(value: Any) -> float | None:
    text = _text(value)
    if not text:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


#: metres per pixel at zoom 0 on the equator (Web Mercator, 256-pixel tiles)
_M_PER_PX_Z0 = 156_543.03392


def area_km2(geom: BaseGeometry) -> float:
    """Area of a lon/lat polygon in km², at the latitude of its centre (equirectangular)."""
    if geom.is_empty:
        return 0.0
    lat = (geom.bounds[1] + geom.bounds[3]) / 2.0
    return geom.area * metres(1.0, 0.0, lat) * metres(0.0, 1.0, lat) / 1e6


def zoom_range(radius_m: float, lat: float, min_px: float, max_px: float) -> tuple[int, int]:
    """The zooms at which a circle of ``radius_m`` is between ``min_px`` and ``max_px`` on screen.

    Below them a fallback circle is a dot that looks like a pin; above them it
    covers the screen and says nothing about where the place is.
    """
    scale = _M_PER_PX_Z0 * max(math.cos(math.radians(lat)), 1e-6) / max(radius_m, 1.0)
    return (max(0, math.ceil(math.log2(min_px * scale))), max(0, math.floor(math.log2(max_px * scale))))


def drawable(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows that can be drawn: located, with a non-empty geometry."""
    if features.empty:
        return features
    mask = features.geometry.notna() & ~features.geometry.is_empty
    if "located" in features.columns:
        mask &= features["located"].fillna(False).astype(bool)
    return features[mask]


#: a drawn feature wider than this (degrees) is context (a province, a corridor), not where the plan acts
_FOCUS_MAX_EXTENT_DEG = 1.5


def focus_bounds(features: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """Where the map opens: the plan's own places, not every outlier it names.

    A plan that cites 江苏省 or whose unplaced projects fell back to a whole
    city would otherwise open on half of China.  Wide geometries (provinces,
    long corridors) and city-precision fallbacks are left out of the opening
    view (they are still drawn); with eight or more places the view spans the
    middle 90% of their centres.  ``None`` when nothing is drawn.
    """
    drawn = drawable(features)
    if not len(drawn):
        return None
    b = drawn.geometry.bounds
    extent = (b["maxx"] - b["minx"]).combine(b["maxy"] - b["miny"], max)
    keep = extent <= _FOCUS_MAX_EXTENT_DEG
    if "precision" in drawn.columns:
        keep &= ~drawn["precision"].isin(["city"])
    focus = b[keep.to_numpy()] if keep.any() else b
    if len(focus) >= 8:
        cx, cy = (focus["minx"] + focus["maxx"]) / 2, (focus["miny"] + focus["maxy"]) / 2
        return (float(cx.quantile(0.05)), float(cy.quantile(0.05)), float(cx.quantile(0.95)), float(cy.quantile(0.95)))
    return (float(focus["minx"].min()), float(focus["miny"].min()), float(focus["maxx"].max()), float(focus["maxy"].max()))


def build_payload(features: gpd.GeoDataFrame, style: MapStyle, themes: list[ThemeStyle],
                  mentions: pd.DataFrame | None = None) -> dict[str, Any]:
    """The JSON the browser builds its layers from (one record per drawn feature).

    ``mentions`` (the build's mentions table) gives every task a feature is
    named in, so the page's task filter keeps what ``filter_layers`` keeps.
    """
    labels = {t.name: t.label for t in themes}
    shown_rows = drawable(features)
    feature_tasks, plans = task_index(shown_rows, mentions)
    plan_names = plan_labels(features)
    approx = style.section("approximate")
    min_r = float(approx.get("min_radius_m", 0) or 0)
    region = style.section("region")
    region_km2 = float(region.get("min_area_km2", math.inf) or math.inf)
    records: list[dict[str, Any]] = []
    # plain dicts, not iterrows(): a pandas Series per row costs more than the whole record
    columns = [c for c in shown_rows.columns if c != shown_rows.geometry.name]
    rows = shown_rows[columns].to_dict("records") if len(shown_rows) else []
    for row, geom in zip(rows, shown_rows.geometry.values):
        shape, coords = leaflet_shape(geom)
        precision = _text(row.get("precision")) or "feature"
        pm = _float(row.get("precision_m"))
        mode = shape
        if shape == "point":
            mode = "approx" if (precision in APPROXIMATE and pm) else "marker"
        name = _text(row.get("name"))
        theme = _text(row.get("theme")) or style.default_theme
        rec: dict[str, Any] = {
            "id": _text(row.get("id")),
            "name": name,
            "names": [name, *split_aliases(row.get("aliases"))],
            "kind": _text(row.get("kind")) or "other",
            "theme": theme,
            # every theme it is named under: the page's theme filter matches any, as filter_layers does
            "ts": list(dict.fromkeys([theme, *split_aliases(row.get("themes"))])),
            "doc": _text(row.get("doc")),
            "tids": feature_tasks.get(_text(row.get("id")), []),
            "prec": precision,
            "m": mode,
            "c": coords,
            "coarse": precision in APPROXIMATE,
            # the popup's quote and row values; the page builds the popup on click (popup.POPUP_JS)
            "p": [_text(row.get("quote")),
                  popup_fields(row, style, labels.get(_text(row.get("theme"))), plan_names.get(_text(row.get("doc"))))],
        }
        if mode == "approx":
            rec["r"] = max(pm or 0.0, min_r)
            rec["z"] = zoom_range(rec["r"], coords[0], float(approx.get("min_px", 0)), float(approx.get("max_px", 1e9)))
        elif mode == "area":
            rec["a"] = round(area_km2(geom), 3)
            if rec["a"] > region_km2:
                rec["m"] = "region"
        records.append(rec)
    kinds: dict[str, dict[str, int]] = {}
    for r in records:
        kinds.setdefault(r["theme"], {}).setdefault(r["kind"], 0)
        kinds[r["theme"]][r["kind"]] += 1
    shown = [t for t in themes if t.name in kinds]
    return {
        "features": records,
        "themes": [
            {
                "name": t.name,
                "label": t.label,
                "color": t.color,
                "kinds": [
                    {"kind": k, "label": style.kind_label(k), "count": n}
                    for k, n in sorted(kinds[t.name].items(), key=lambda kv: (-kv[1], kv[0]))
                ],
            }
            for t in shown
        ],
        "plans": plans,
        "popup": {"labels": popup_labels(style)},
        "precisions": [
            {"id": p, "label": style.precision_label(p)}
            for p in style.precision_order
            if any(r["prec"] == p for r in records)
        ],
        "style": {
            "point": style.section("point"),
            "line": style.section("line"),
            "polygon": style.section("polygon"),
            "approximate": approx,
            "region": region,
            "highlight": style.section("highlight"),
            "cluster": style.section("cluster"),
        },
    }


class PlanFeatures(PageElement):
    """Every located feature of the plan, with the ``window.geoplanMap`` registry."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.gp-offzoom{display:none}
.gp-marker span{display:block;width:100%;height:100%;border-radius:50%;box-sizing:border-box;
  border:{{ this.point_stroke }};box-shadow:0 0 2px rgba(0,0,0,.5)}
.gp-popup{font:13px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:360px}
.gp-popup-name{font-weight:700;font-size:15px}
.gp-popup-aliases{color:#666;font-size:12px}
.gp-popup-quote{margin:6px 0;padding:4px 8px;border-left:3px solid #ccc;background:#fafafa;max-height:9em;overflow:auto}
.gp-popup-quote mark{background:#ffe36e;padding:0 1px}
.gp-popup-table th{text-align:left;color:#555;font-weight:400;padding-right:8px;vertical-align:top;white-space:nowrap}
.gp-popup-table td{word-break:break-all}
.gp-panel{background:rgba(255,255,255,.95);padding:6px 8px;border-radius:5px;box-shadow:0 1px 5px rgba(0,0,0,.35);
  font:12px/1.4 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-height:45vh;overflow:auto}
.gp-swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-2px}
</style>
<script type="application/json" id="{{ this.data_id }}">{{ this.payload }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  // a JSON data block, not a script literal: JSON.parse reads megabytes many times faster than V8 compiles them
  var D = JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent);
  var S = D.style;
  // a map of thousands of points draws them as dots on a canvas, unclustered: building the cluster tree of
  // thousands of markers costs more than the whole rest of the page
  var DOTS = !!D.dots;
  [["gpRegionPane", 401], ["gpApproxPane", 402], ["gpAreaPane", 405], ["gpLinePane", 410],
   ["gpPointPane", 420]].forEach(function (p) {
    if (!map.getPane(p[0])) { map.createPane(p[0]).style.zIndex = p[1]; }
  });
  var colors = {};
  D.themes.forEach(function (t) { colors[t.name] = t.color; });
  var cl = S.cluster || {};
  var cluster = L.markerClusterGroup({
    maxClusterRadius: cl.max_cluster_radius || 40,
    disableClusteringAtZoom: cl.disable_clustering_at_zoom || 16,
    chunkedLoading: true, showCoverageOnHover: false
  });
  map.addLayer(cluster);
  var groups = {};
  function groupFor(key) {
    if (!groups[key]) { groups[key] = L.featureGroup().on("click", onClick).addTo(map); }
    return groups[key];
  }
  var PANES = {approx: "gpApproxPane", line: "gpLinePane", area: "gpAreaPane", region: "gpRegionPane",
               marker: "gpPointPane"};
  // thousands of outlines draw on one canvas instead of one SVG element each.  One canvas, not one per pane:
  // only the topmost canvas receives clicks, and each is a full-screen layer to composite.  The panes'
  // stacking is kept by the drawing order (drawOrder, restack)
  var canvas = D.canvas ? L.canvas({pane: "gpLinePane"}) : null;
  function rendererFor(pane) { return canvas || undefined; }
  var RANK = {region: 0, approx: 1, area: 2, line: 3, marker: 4};
  function pathStyle(f, color) {
    if (f.m === "marker") {  // a dot (DOTS): the marker's look from [point]
      var P = S.point || {};
      return {radius: P.radius || 7, color: P.stroke_color || "#fff", weight: P.stroke_weight || 2, opacity: 1,
              fill: true, fillColor: color, fillOpacity: P.fill_opacity || 0.95,
              pane: PANES.marker, renderer: rendererFor(PANES.marker), className: "gp-feature gp-dot"};
    }
    var base = {approx: S.approximate, line: S.line, region: S.region}[f.m] || S.polygon;
    var dash = f.m === "approx" ? S.approximate.dash : (f.coarse ? S.approximate.shape_dash : base.dash);
    var fillOpacity = base.fill_opacity || 0;
    return {
      color: color, weight: base.weight, opacity: base.opacity,
      fill: f.m !== "line" && fillOpacity > 0, fillColor: color, fillOpacity: fillOpacity,
      dashArray: dash || null,
      pane: PANES[f.m], renderer: rendererFor(PANES[f.m]),
      className: "gp-feature gp-" + f.m
    };
  }
  var size = 2 * ((S.point && S.point.radius) || 7);
  var icons = {};  // one icon per colour, shared by every marker of it
  function iconFor(color) {
    if (!icons[color]) {
      var span = document.createElement("span");
      span.style.background = color;
      icons[color] = L.divIcon({className: "gp-marker", html: span.outerHTML, iconSize: [size, size]});
    }
    return icons[color];
  }
  // one popup for the whole map, its content built on click from the feature's record (popup.POPUP_JS):
  // 10,000 features carry no popup markup and no popup object
  {{ this.popup_js }}
  var popup = L.popup({maxWidth: {{ this.popup_max_width }},
                       autoPanPaddingTopLeft: L.point({{ this.popup_pad_left }}, {{ this.popup_pad_top }})});
  var base = {tl: popup.options.autoPanPaddingTopLeft, br: L.point(5, 5)};
  var popupFeature = null, popupHooks = [];
  function anchorOf(f) {
    return f.layer.getLatLng ? f.layer.getLatLng() : f.layer.getCenter();
  }
  // keep the popup clear of the panels as they are now (they fold, the window resizes): map.layout
  function padPopup() {
    var pad = window.geoplanLayout ? window.geoplanLayout.popupPadding(map) : null;
    popup.options.autoPanPaddingTopLeft = pad ? L.point(Math.max(pad.tl[0], base.tl.x), Math.max(pad.tl[1], base.tl.y)) : base.tl;
    popup.options.autoPanPaddingBottomRight = pad ? L.point(pad.br[0], pad.br[1]) : base.br;
    popup.options.maxHeight = pad ? pad.maxHeight : null;
  }
  function fitPopup() {
    if (!popupFeature || !map.hasLayer(popup)) { return; }
    padPopup();
    popup.update();
  }
  map.on("resize", fitPopup);
  function openFeature(f, latlng) {
    padPopup();
    popup.options.offset = f.data.m === "marker" && !DOTS ? L.point(0, 7 - size / 2) : L.point(0, 7);
    if (popupFeature) { map.closePopup(popup); }  // the previous feature hears its popup close
    var node = gpPopup(f.data, D.popup.labels);
    popupHooks.forEach(function (fn) { fn(f, node); });
    popupFeature = f;
    popup.setLatLng(f.data.m === "marker" || !latlng ? anchorOf(f) : latlng).setContent(node).openOn(map);
    f.layer.fire("popupopen", {popup: popup});
  }
  map.on("popupclose", function (e) {
    if (e.popup === popup && popupFeature) { var f = popupFeature; popupFeature = null; f.layer.fire("popupclose", {popup: popup}); }
  });
  function onClick(e) {
    var f = feats[e.layer.geoplanIndex];
    if (f) { L.DomEvent.stop(e); openFeature(f, e.latlng); }
  }
  cluster.on("click", onClick);
  var feats = D.features.map(function (f, i) {
    var color = colors[f.theme] || "#777";
    var layer;
    if (f.m === "marker" && DOTS) {
      layer = L.circleMarker(f.c, pathStyle(f, color));
    } else if (f.m === "marker") {
      layer = L.marker(f.c, {icon: iconFor(color), title: f.name, riseOnHover: true});
    } else if (f.m === "approx") {
      layer = L.circle(f.c, L.extend({radius: f.r}, pathStyle(f, color)));
    } else if (f.m === "line") {
      layer = L.polyline(f.c, pathStyle(f, color));
    } else {
      layer = L.polygon(f.c, pathStyle(f, color));
    }
    layer.geoplanIndex = i;
    return {index: i, data: f, layer: layer, color: color, shown: false, key: f.theme + "|" + f.kind};
  });
  // docs: the plans shown (empty: all); task: {doc, id} of one plan's task (null: all)
  var state = {themeOff: {}, kindOff: {}, docs: {}, task: null, theme: "", precOff: {}};
  function anyDoc() { for (var k in state.docs) { if (state.docs[k]) { return false; } } return true; }
  function underTask(d, t) {
    if (d.doc !== t.doc) { return false; }
    return d.tids.some(function (id) { return id === t.id || id.indexOf(t.id + "/") === 0; });
  }
  var listeners = [];
  function passes(f) {
    var d = f.data;
    if (state.themeOff[d.theme] || state.kindOff[f.key]) { return false; }
    if (!anyDoc() && !state.docs[d.doc]) { return false; }
    if (state.task && !underTask(d, state.task)) { return false; }
    if (state.theme && d.ts.indexOf(state.theme) < 0) { return false; }
    if (state.precOff[d.prec]) { return false; }
    return true;
  }
  // areas largest first: a smaller area is drawn (and clicked) over the one around it
  var bySize = feats.filter(function (f) { return f.data.a !== undefined; })
    .sort(function (a, b) { return b.data.a - a.data.a; });
  function stackAreas() {
    bySize.forEach(function (f) { if (f.shown && f.layer._map) { f.layer.bringToFront(); } });
  }
  // drawn in this order: areas largest first, then the rest as listed; on one canvas, as the panes stack
  var drawOrder = bySize.concat(feats.filter(function (f) { return f.data.a === undefined; }));
  if (canvas) {
    drawOrder = drawOrder.map(function (f, k) { return [RANK[f.data.m] || 0, k, f]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (x) { return x[2]; });
  }
  function restack() {  // a feature added back is drawn last: put every shown one back in its place
    drawOrder.forEach(function (f) { if (f.shown && f.layer._map && f.layer.bringToFront) { f.layer.bringToFront(); } });
  }
  var drawnOnce = false, counts = null;
  function tally() {
    if (!counts) {
      counts = {total: 0, theme: {}, key: {}};
      feats.forEach(function (f) {
        if (!f.shown) { return; }
        counts.total += 1;
        counts.theme[f.data.theme] = (counts.theme[f.data.theme] || 0) + 1;
        counts.key[f.key] = (counts.key[f.key] || 0) + 1;
      });
    }
    return counts;
  }
  function refresh() {
    counts = null;
    var add = [], remove = [], areaAdded = false, anyAdded = false;
    drawOrder.forEach(function (f) {
      var want = passes(f);
      if (want === f.shown) { return; }
      f.shown = want;
      if (want && f.data.a !== undefined) { areaAdded = true; }
      if (want) { anyAdded = true; }
      if (f.data.m === "marker" && !DOTS) { (want ? add : remove).push(f.layer); }
      else if (want) { groupFor(f.key).addLayer(f.layer); }
      else { groupFor(f.key).removeLayer(f.layer); }
      if (!want && popupFeature === f) { map.closePopup(popup); }
    });
    if (remove.length) { cluster.removeLayers(remove); }
    if (add.length) { cluster.addLayers(add); }
    if (canvas && anyAdded && drawnOnce) { restack(); }
    else if (areaAdded && drawnOnce) { stackAreas(); }
    drawnOnce = true;
    fitZoom();
    listeners.forEach(function (fn) { fn(api); });
    return api.visibleCount();
  }
  // a fallback circle is shown only at the zooms where its size on screen means something;
  // it stays in the registry (and the counts), only its outline is hidden
  function fitZoom() {
    var z = map.getZoom();
    feats.forEach(function (f) {
      var r = f.data.z, el = f.layer._path;
      if (!r) { return; }
      var off = z < r[0] || z > r[1];
      if (el) { el.classList.toggle("gp-offzoom", off); }
      else if (D.canvas && f.off !== off) {  // a canvas has no element to hide: draw it invisible
        f.off = off;
        f.layer.setStyle(off ? {opacity: 0, fillOpacity: 0} : pathStyle(f.data, f.color));
        f.layer.options.interactive = !off;  // the canvas hit-tests this at each click: a hidden circle takes none
      }
    });
  }
  map.on("zoomend", fitZoom);
  function norm(s) { return String(s || "").toLowerCase().replace(/\\s+/g, ""); }
  var highlighted = null;
  function unhighlight() {
    if (highlighted) { highlighted.layer.setStyle(pathStyle(highlighted.data, highlighted.color)); highlighted = null; }
  }
  var api = {
    map: map, cluster: cluster, features: feats, state: state, themes: D.themes, plans: D.plans,
    precisions: D.precisions, locatedCount: feats.length, ready: false,
    refresh: refresh,
    // fn(feature, element) runs on every popup before it opens, to add to it (links, actions)
    onPopup: function (fn) { popupHooks.push(fn); },
    fitPopup: fitPopup,
    openPopup: function (i) { var f = feats[i]; if (f && f.shown) { openFeature(f); return true; } return false; },
    onChange: function (fn) { listeners.push(fn); fn(api); },
    visibleCount: function () { return tally().total; },
    // features shown: in all, by theme and by "theme|kind" (one pass per change, for the panels' counters)
    tally: function () { return tally(); },
    count: function (pred) { return feats.filter(function (f) { return f.shown && pred(f.data); }).length; },
    setTheme: function (theme, on) { state.themeOff[theme] = !on; return refresh(); },
    setKind: function (theme, kind, on) { state.kindOff[theme + "|" + kind] = !on; return refresh(); },
    setFilter: function (field, value) { state[field] = value || ""; return refresh(); },
    // the plans shown: a list of doc ids, empty for all; a chosen task outside them is dropped
    setPlans: function (docs) {
      state.docs = {};
      (docs || []).forEach(function (d) { state.docs[d] = true; });
      if (state.task && !anyDoc() && !state.docs[state.task.doc]) { state.task = null; }
      return refresh();
    },
    setTask: function (doc, id) { state.task = id ? {doc: doc, id: id} : null; return refresh(); },
    setPrecision: function (prec, on) { state.precOff[prec] = !on; return refresh(); },
    find: function (q) {
      var n = norm(q);
      if (!n) { return []; }
      var hits = [];
      feats.forEach(function (f) {
        var best = -1, via = "";
        f.data.names.forEach(function (name, k) {
          var m = norm(name), score = -1;
          if (m === n) { score = k === 0 ? 0 : 1; }
          else if (m.indexOf(n) === 0) { score = 2; }
          else if (m.indexOf(n) >= 0) { score = 3; }
          if (score >= 0 && (best < 0 || score < best)) { best = score; via = name; }
        });
        if (best >= 0) { hits.push({index: f.index, name: f.data.name, via: via, shown: f.shown, score: best}); }
      });
      hits.sort(function (a, b) { return a.score - b.score || (b.shown - a.shown) || a.name.length - b.name.length; });
      return hits;
    },
    focus: function (i) {
      var f = feats[i];
      if (!f || !f.shown) { return false; }
      unhighlight();
      if (f.data.m === "marker" && !DOTS) {
        cluster.zoomToShowLayer(f.layer, function () { openFeature(f); });
      } else {
        if (f.layer.getBounds) { map.fitBounds(f.layer.getBounds(), {maxZoom: 15, padding: [30, 30]}); }
        else { map.setView(f.layer.getLatLng(), Math.max(map.getZoom(), 15)); }
        f.layer.setStyle({color: S.highlight.color, weight: S.highlight.weight});
        if (f.layer.bringToFront) { f.layer.bringToFront(); }
        highlighted = f;
        openFeature(f);
        f.layer.once("popupclose", unhighlight);
      }
      return true;
    }
  };
  window.geoplanMap = api;
  // the view first, then the layers: clusters are built once, at the zoom the page opens on
  var b = D.bounds;
  if (b) { map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {padding: [20, 20], maxZoom: 14, animate: false}); }
  refresh();
})();
{% endmacro %}
"""
    )

    def __init__(self, features: gpd.GeoDataFrame, style: MapStyle, themes: list[ThemeStyle],
                 mentions: pd.DataFrame | None = None) -> None:
        super().__init__()
        self._name = "PlanFeatures"
        payload = build_payload(features, style, themes, mentions)
        bounds = focus_bounds(features)
        payload["bounds"] = list(bounds) if bounds is not None else None
        perf = style.section("performance")
        points = sum(1 for f in payload["features"] if f["m"] == "marker")
        payload["dots"] = points >= int(perf.get("dots_min_points", 2000))
        paths = len(payload["features"]) - points
        payload["canvas"] = payload["dots"] or paths >= int(perf.get("canvas_min_paths", 2000))
        self.data = payload
        self.payload = script_json(payload)
        self.data_id = "gp-features-data"
        popup = style.section("popup")
        self.popup_max_width = int(popup.get("max_width", 380))
        self.popup_pad_top = int(popup.get("pad_top", 70))
        self.popup_pad_left = int(popup.get("pad_left", 20))
        self.popup_js = POPUP_JS.strip()
        point = style.section("point")
        self.point_stroke = f"{int(point.get('stroke_weight', 2))}px solid {point.get('stroke_color', '#fff')}"
