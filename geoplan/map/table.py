"""The feature table: the features the page shows, sortable, with downloads of exactly those.

Why: a map answers "where", a planner also asks "which, and how many": a list
of what the filters kept, sorted by plan, task or precision, that takes them
to a feature on a click, and the same selection as GeoJSON or CSV to take into
GIS or a spreadsheet.  The table reads the ``geoplanMap`` registry (it never
filters on its own, it shows what ``passes``), so it always agrees with the map
and its counter.  Downloads are made in the browser from the data in the page:
the field values stay those of the exports (English ids), the CSV cells are
escaped like every CSV geoplan writes (:mod:`geoplan.map.sheetjs`).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from geoplan.datum import canonical_crs
from geoplan.map.features import drawable
from geoplan.map.panel import Panel
from geoplan.map.popup import _text
from geoplan.map.safejson import script_json
from geoplan.map.sheetjs import SHEET_JS
from geoplan.map.styles import MapStyle, load_style

#: the exported fields, in order (the names of the features table's schema), then the representative point
EXPORT_FIELDS: tuple[str, ...] = (
    "id", "name", "kind", "theme", "themes", "doc", "doc_title", "task_path",
    "precision", "precision_m", "method", "confidence", "gazetteer_id",
)
CSV_COLUMNS: tuple[str, ...] = (*EXPORT_FIELDS, "lon", "lat", "crs")


def _number(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f else None


def _column(frame: gpd.GeoDataFrame, name: str) -> list[Any]:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def export_rows(features: gpd.GeoDataFrame) -> dict[str, Any]:
    """What the page needs beyond the map's registry to export each drawn feature, in the registry's order.

    ``rows[i]`` is ``[task path index, method, precision_m, confidence, gazetteer id, lon, lat]``; the task
    paths are listed once in ``paths`` (a plan's features share a few dozen long paths), so a page of
    10,000 features does not carry them 10,000 times.  lon/lat is a representative point (inside the
    polygon, on the line) for the CSV, since a bounding-box centre can fall outside the shape.
    """
    drawn = drawable(features)
    if not len(drawn):
        return {"paths": [], "rows": []}
    points = drawn.geometry.representative_point()  # a point stays itself
    paths: dict[str, int] = {}
    rows = []
    for tp, me, pm, cf, g, pt in zip(_column(drawn, "task_path"), _column(drawn, "method"),
                                      _column(drawn, "precision_m"), _column(drawn, "confidence"),
                                      _column(drawn, "gazetteer_id"), points):
        rows.append([paths.setdefault(_text(tp), len(paths)), _text(me), _number(pm), _number(cf), _text(g),
                     round(pt.x, 6), round(pt.y, 6)])
    return {"paths": list(paths), "rows": rows}


class FeatureTable(Panel):
    """A collapsible table of the shown features (sortable; a row click zooms and opens the popup) with downloads."""

    name = "table"
    css = """
.gp-table{max-width:560px}
.gp-table summary{cursor:pointer;font-weight:700}
.gp-table .gp-table-tools{margin:4px 0}
.gp-table .gp-table-tools button{margin-right:6px}
.gp-table .gp-table-wrap{max-height:30vh;overflow:auto}
.gp-table table{border-collapse:collapse}
.gp-table th{position:sticky;top:0;background:#f4f4f4;cursor:pointer;white-space:nowrap;padding:2px 6px;text-align:left}
.gp-table th.gp-sorted-asc::after{content:" ▲"}
.gp-table th.gp-sorted-desc::after{content:" ▼"}
.gp-table td{border-top:1px solid #eee;padding:2px 6px;vertical-align:top}
.gp-table tbody tr{cursor:pointer}
.gp-table tbody tr:hover{background:#fff6d5}
.gp-table .gp-table-more{color:#777}"""
    body = SHEET_JS + """
    var DATUM = {{ this.datum_json }}, MAX = {{ this.max_rows }};
    var COLS = ["name", "kind", "theme", "task", "plan", "precision"];
    // per feature: task path, method, precision_m, confidence, gazetteer id, representative lon/lat;
    // read when the table is first opened or downloaded, not while the page opens
    var X = null;
    function xrows() {
      if (!X) {
        var XP = panelData();
        X = XP.rows.map(function (r) {
          return {tp: XP.paths[r[0]], me: r[1], pm: r[2], cf: r[3], g: r[4], pt: [r[5], r[6]]};
        });
      }
      return X;
    }
    var kindLabel = {}, themeLabel = {}, planLabel = {}, precLabel = {};
    api.themes.forEach(function (t) {
      themeLabel[t.name] = t.label;
      t.kinds.forEach(function (k) { kindLabel[k.kind] = k.label; });
    });
    api.plans.forEach(function (p) { planLabel[p.doc] = p.label; });
    api.precisions.forEach(function (p) { precLabel[p.id] = p.label; });
    function cell(f, col) {
      var d = f.data;
      switch (col) {
        case "name": return d.name;
        case "kind": return kindLabel[d.kind] || d.kind;
        case "theme": return themeLabel[d.theme] || d.theme;
        case "task": return xrows()[f.index].tp;
        case "plan": return planLabel[d.doc] || d.doc;
        default: return precLabel[d.prec] || d.prec;
      }
    }
    var sort = {col: "", dir: 1};
    var precRank = {};
    api.precisions.forEach(function (p, i) { precRank[p.id] = i; });
    function shown() {
      var rows = api.features.filter(function (f) { return f.shown; });
      if (sort.col) {
        rows.sort(function (a, b) {
          var c = sort.col === "precision" ? (precRank[a.data.prec] || 0) - (precRank[b.data.prec] || 0)
            : String(cell(a, sort.col)).localeCompare(String(cell(b, sort.col)), "zh-Hans-CN", {numeric: true});
          return sort.dir * c || a.index - b.index;
        });
      }
      return rows;
    }
    var details = document.createElement("details"); details.id = "gp-table-details";
    var summary = document.createElement("summary");
    var tools = document.createElement("div"); tools.className = "gp-table-tools";
    var geo = document.createElement("button"); geo.id = "gp-table-geojson"; geo.textContent = L10N.geojson;
    var csvb = document.createElement("button"); csvb.id = "gp-table-csv"; csvb.textContent = L10N.csv;
    tools.append(geo, csvb);
    var wrap = document.createElement("div"); wrap.className = "gp-table-wrap";
    var table = document.createElement("table"); table.id = "gp-table-rows";
    var thead = document.createElement("thead"), tbody = document.createElement("tbody");
    var hr = document.createElement("tr");
    COLS.forEach(function (c) {
      var th = document.createElement("th"); th.textContent = L10N[c]; th.dataset.col = c;
      th.addEventListener("click", function () {
        sort.dir = sort.col === c ? -sort.dir : 1; sort.col = c;
        hr.querySelectorAll("th").forEach(function (h) { h.className = ""; });
        th.className = sort.dir > 0 ? "gp-sorted-asc" : "gp-sorted-desc";
        fill();
      });
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    table.append(thead, tbody);
    var more = document.createElement("div"); more.className = "gp-table-more";
    wrap.append(table, more);
    details.append(summary, tools, wrap);
    div.appendChild(details);
    function fill() {
      summary.textContent = L10N.title.replace("{n}", api.visibleCount());
      if (!details.open) { return; }
      var rows = shown();
      tbody.textContent = "";
      rows.slice(0, MAX).forEach(function (f) {
        var tr = document.createElement("tr");
        tr.dataset.i = f.index;
        COLS.forEach(function (c) {
          var td = document.createElement("td"), text = cell(f, c);
          // a task path is long: its last heading shown, the whole path on hover (sorting uses the whole path)
          td.textContent = c === "task" ? text.split(" > ").pop() : text;
          if (c === "task") { td.title = text; }
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      more.textContent = rows.length > MAX ? L10N.more.replace("{n}", MAX).replace("{total}", rows.length) : "";
    }
    tbody.addEventListener("click", function (e) {
      var tr = e.target.closest("tr");
      if (tr) { api.focus(parseInt(tr.dataset.i, 10)); }
    });
    details.addEventListener("toggle", fill);
    api.onChange(fill);
    function props(f) {
      var d = f.data, x = xrows()[f.index];
      return {id: d.id, name: d.name, kind: d.kind, theme: d.theme, themes: d.ts.join(";"), doc: d.doc,
              doc_title: planLabel[d.doc] || "", task_path: x.tp, precision: d.prec, precision_m: x.pm,
              method: x.me, confidence: x.cf, gazetteer_id: x.g};
    }
    function swap(c) { return typeof c[0] === "number" ? [c[1], c[0]] : c.map(swap); }
    function geometry(d) {
      if (d.m === "marker" || d.m === "approx") { return {type: "Point", coordinates: swap(d.c)}; }
      if (d.m === "line") {
        return typeof d.c[0][0] === "number" ? {type: "LineString", coordinates: swap(d.c)}
          : {type: "MultiLineString", coordinates: swap(d.c)};
      }
      return typeof d.c[0][0][0] === "number" ? {type: "Polygon", coordinates: swap(d.c)}
        : {type: "MultiPolygon", coordinates: swap(d.c)};
    }
    geo.addEventListener("click", function () {
      var fc = {type: "FeatureCollection", features: shown().map(function (f) {
        return {type: "Feature", properties: props(f), geometry: geometry(f.data)};
      })};
      if (DATUM !== "WGS-84") { fc.coordinate_datum = DATUM; }  // RFC 7946 says WGS-84: say so when it is not
      geoplanSheets.save(JSON.stringify(fc), L10N.geojson_file, "application/geo+json");
    });
    csvb.addEventListener("click", function () {
      var rows = shown().map(function (f) {
        var p = props(f), pt = xrows()[f.index].pt;
        p.lon = pt[0]; p.lat = pt[1]; p.crs = DATUM === "WGS-84" ? "EPSG:4326" : DATUM;
        return p;
      });
      geoplanSheets.save(geoplanSheets.csv({{ this.columns_json }}, rows), L10N.csv_file, "text/csv;charset=utf-8");
    });"""

    def __init__(self, features: gpd.GeoDataFrame, position: str = "bottomleft", style: MapStyle | None = None,
                 datum: str = "WGS-84") -> None:
        """``features``: the frame the map's registry was built from (same rows, same order, same datum)."""
        super().__init__(position, style)
        style = style or load_style()
        self.data_json = script_json(export_rows(features))
        self.datum_json = script_json("GCJ-02" if canonical_crs(datum) == "GCJ-02" else "WGS-84")
        self.columns_json = script_json(list(CSV_COLUMNS))
        self.max_rows = int(style.section("table").get("max_rows", 2000))
