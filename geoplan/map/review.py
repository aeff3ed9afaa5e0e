"""Review in the map: place what geoplan could not, or placed only at its town, district or city.

Why in the map: the review sheet (``geoplan review``) asks a planner for a
gazetteer id or coordinates in a spreadsheet, away from any map; here the
planner sees the candidates on the map and picks one, or clicks where the place
is.  The page keeps every decision in the browser (``localStorage``, shared by
the maps of one output folder) and downloads them as a sheet with the review
sheet's columns (:data:`geoplan.records.REVIEW_COLUMNS`), which ``geoplan build
--overrides`` reads unchanged: decided rows first (status ``decided``), then
the rows still open, like the sheet ``geoplan review`` writes.

Honest positions: a candidate decision names the gazetteer id (the rebuild
takes the gazetteer's geometry and precision); a clicked point carries the
ground size of ``[review] click_px`` screen pixels at the zoom it was clicked,
so a click on a city-wide view is not written as a 100 m fix.  A click on a map
drawn over GCJ-02 tiles is written with ``crs = GCJ-02`` and converted on read.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from geoplan.datum import canonical_crs, wgs84_to_gcj02
from geoplan.map.features import drawable
from geoplan.map.panel import Panel, panel_labels
from geoplan.map.popup import _text
from geoplan.map.safejson import script_json
from geoplan.map.sheetjs import SHEET_JS
from geoplan.map.styles import MapStyle, load_style
from geoplan.records import PRECISIONS, REVIEW_COLUMNS, review_status


def split_candidates(value: Any) -> list[str]:
    """The candidates of an unresolved row's cell, each as written.

    ``unresolved.csv`` joins them with ``"; "`` and the review sheet with
    ``" | "``; a gazetteer candidate reads ``"<id> <name> [<kind>; <chain>]"``
    (``geocode.placement.describe``), so a separator inside brackets is not one.
    """
    items, depth, cur = [], 0, []
    for ch in _text(value):
        depth += (ch == "[") - (ch == "]")
        if ch in ";|" and depth <= 0:
            items.append("".join(cur))
            cur, depth = [], 0
        else:
            cur.append(ch)
    items.append("".join(cur))
    return [c.strip() for c in items if c.strip()]


def candidate_info(candidates: list[str], gazetteer: Any, style: MapStyle) -> dict[str, dict[str, Any]]:
    """``candidate → {id, name, where, ll}``; ``id`` is empty and ``ll`` None unless the gazetteer holds it.

    A candidate is a gazetteer id, or an id followed by its description.  One
    the gazetteer does not hold (a village named by its township, an online
    provider's address, a user layer not loaded now) is listed as written and
    cannot be chosen: a decision naming it would stop the rebuild.
    """
    out: dict[str, dict[str, Any]] = {}
    for raw in dict.fromkeys(candidates):
        f = None
        if gazetteer is not None:
            f = gazetteer.get(raw) or gazetteer.get(raw.split(" ", 1)[0])
        if f is None:
            out[raw] = {"id": "", "name": raw, "where": "", "ll": None}
            continue
        ll = None
        p = f.point if f.geometry is not None and not f.geometry.is_empty else None
        if p is not None:  # a unit's seat where known, as a placement at that unit would draw it
            ll = [round(p.y, 6), round(p.x, 6)]
        where = "".join(dict.fromkeys(n for n in f.admin_names if n and n != f.name))
        out[raw] = {"id": f.id, "name": f.name, "where": f"{style.kind_label(f.kind)} · {where}".strip(" ·"), "ll": ll}
    return out




def review_items(features: gpd.GeoDataFrame, unresolved: pd.DataFrame | None, gazetteer: Any = None,
                 style: MapStyle | None = None) -> list[dict[str, Any]]:
    """What the planner can decide on this map: every unresolved name, then every feature placed by a fallback.

    Each item holds what its sheet row needs (name, doc, status, current
    method and confidence, candidates, quote, task path) and the candidates'
    positions.
    """
    style = style or load_style()
    frame = unresolved if unresolved is not None else pd.DataFrame()
    rows = list(frame.iterrows())
    wanted = {_text(r.get("feature_id")) for _, r in rows}
    by_id: dict[str, dict[str, Any]] = {}
    if wanted and "id" in features.columns:
        known = features[features["id"].astype(str).isin(wanted)]
        by_id = {_text(i): {"method": m, "confidence": c}
                 for i, m, c in zip(known["id"], _col(known, "method"), _col(known, "confidence"))}
    items: list[dict[str, Any]] = []
    every = [c for _, r in rows for c in split_candidates(r.get("candidates"))]
    info = candidate_info(every, gazetteer, style) if every else {}
    for _, r in rows:
        fid = _text(r.get("feature_id"))
        feat = by_id.get(fid, {})
        cands = split_candidates(r.get("candidates"))
        items.append({
            "fid": fid, "name": _text(r.get("name")), "doc": _text(r.get("doc")),
            "status": _text(r.get("reason")) or "not-found",
            "method": _text(feat.get("method")) or "none",
            "conf": _float(feat.get("confidence")),
            "cands": [{"raw": c, **info[c]} for c in cands],
            "quote": _text(r.get("quote")), "task_path": _text(r.get("task_path")),
        })
    drawn = drawable(features)
    if not len(drawn) or "precision" not in drawn.columns:
        return items
    for r in drawn.to_dict("records"):
        # the rule `geoplan review` applies, so the panel and the sheet list the same names
        status = review_status(_text(r.get("method")), _text(r.get("precision")), _float(r.get("confidence")),
                               _text(r.get("reason")))
        if status is None:
            continue
        items.append({
            "fid": _text(r.get("id")), "name": _text(r.get("name")), "doc": _text(r.get("doc")),
            "status": status, "prec": _text(r.get("precision")),
            "method": _text(r.get("method")), "conf": _float(r.get("confidence")),
            "cands": [], "quote": _text(r.get("quote")), "task_path": _text(r.get("task_path")),
        })
    return items


def _col(frame: pd.DataFrame, name: str) -> list[Any]:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def _float(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0.0
    return f if f == f else 0.0


class ReviewPanel(Panel):
    """The decisions panel: candidates to pick, a point to click, the sheet to download."""

    name = "review"
    css = """
.gp-review{max-width:420px}
.gp-review summary{cursor:pointer;font-weight:700;color:#6a3d9a}
.gp-review .gp-review-hint{color:#666;font-size:11px;margin:3px 0}
.gp-review .gp-review-list{max-height:26vh;overflow:auto}
.gp-review .gp-review-item{border-top:1px solid #eee;padding:3px 0}
.gp-review .gp-review-item.gp-review-focus{background:#f3ecfa}
.gp-review .gp-review-item.gp-review-done .gp-review-name::after{content:" ✓";color:#2a8a2a}
.gp-review .gp-review-status{color:#777;font-size:11px}
.gp-review button{margin:1px 3px 1px 0;font-size:11px}
.gp-review .gp-review-decision{color:#2a6a2a}
.gp-placing .leaflet-container,.gp-placing.leaflet-container{cursor:crosshair}"""
    body = SHEET_JS + """
    var ITEMS = panelData(), COLUMNS = {{ this.columns_json }}, CFG = {{ this.config_json }};
    var REASONS = CFG.reasons, PLANS = {};
    (api.plans || []).forEach(function (p) { PLANS[p.doc] = p.label; });
    var dir = location.pathname.replace(/[^\\/]*$/, "");
    var KEY = "geoplan-review:" + dir;
    function load() { try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; } }
    var decisions = load();
    function keyOf(it) { return it.doc + "\\u0001" + it.name; }
    // a browser that refuses storage (private mode, file:// locked down) still lets the planner decide and download
    function persist() { try { localStorage.setItem(KEY, JSON.stringify(decisions)); } catch (e) { /* kept in the page */ } }
    function baseRow(it) {
      return {name: it.name, doc: it.doc, jurisdiction: "", gazetteer_id: "", lon: "", lat: "", crs: "EPSG:4326",
              precision_m: "", note: "", status: it.status, current_method: it.method,
              current_confidence: it.conf.toFixed(2), candidates: it.cands.map(function (c) { return c.raw; }).join(" | "),
              quote: it.quote, task_path: it.task_path};
    }
    function textSpan(t) {  // a text node: names are data (and come back from localStorage), never markup
      var s = document.createElement("span"); s.textContent = t; return s;
    }
    var decidedLayer = L.layerGroup().addTo(map), pending = null, focusI = -1;
    function drawDecisions() {
      decidedLayer.clearLayers();
      Object.keys(decisions).forEach(function (k) {
        var d = decisions[k];
        if (!d.ll) { return; }
        L.circleMarker(d.ll, {radius: CFG.radius, color: CFG.color, weight: 3, fillOpacity: 0.25, dashArray: "3 3",
                              className: "gp-review-decided"})
          .bindTooltip(textSpan(d.row.name)).addTo(decidedLayer);
      });
    }
    function decide(it, fields, ll, label) {
      var row = baseRow(it);
      for (var f in fields) { row[f] = fields[f]; }
      row.status = "decided";
      decisions[keyOf(it)] = {row: row, ll: ll, label: label || ""};
      persist(); render(); drawDecisions();
    }
    function fmt(s, vals) { return s.replace(/\\{(\\w+)\\}/g, function (m, k) { return vals[k] !== undefined ? vals[k] : m; }); }
    var details = document.createElement("details"); details.id = "gp-review-details";
    var summary = document.createElement("summary");
    var hint = document.createElement("div"); hint.className = "gp-review-hint"; hint.textContent = L10N.hint;
    var status = document.createElement("div"); status.className = "gp-review-hint"; status.id = "gp-review-placing";
    var dl = document.createElement("button"); dl.id = "gp-review-download"; dl.textContent = L10N.download;
    var list = document.createElement("div"); list.className = "gp-review-list";
    details.append(summary, hint, dl, status, list);
    div.appendChild(details);
    function button(cls, text, fn) {
      var b = document.createElement("button"); b.className = cls; b.textContent = text;
      b.addEventListener("click", fn); return b;
    }
    function render() {
      var done = ITEMS.filter(function (it) { return decisions[keyOf(it)]; }).length;
      summary.textContent = fmt(L10N.title, {n: ITEMS.length, k: done});
      list.textContent = "";
      if (!details.open) { return; }  // built when opened: a large build has thousands to review
      ITEMS.forEach(function (it, i) {
        var box = document.createElement("div"); box.className = "gp-review-item"; box.dataset.i = i;
        box.dataset.fid = it.fid;
        var d = decisions[keyOf(it)];
        if (d) { box.classList.add("gp-review-done"); }
        if (i === focusI) { box.classList.add("gp-review-focus"); }
        var name = document.createElement("b"); name.className = "gp-review-name"; name.textContent = it.name;
        var st = document.createElement("div"); st.className = "gp-review-status";
        var why = it.status.indexOf("fallback-") === 0 ? fmt(L10N.approximate, {p: CFG.precisions[it.prec] || it.prec})
          : (REASONS[it.status] || L10N[it.status] || it.status);
        st.textContent = why + (PLANS[it.doc] ? " · " + PLANS[it.doc] : "");
        box.append(name, st);
        it.cands.forEach(function (c) {
          if (!c.ll) {
            var s = document.createElement("div"); s.className = "gp-review-status";
            s.textContent = L10N.listed + c.name + (c.where ? "（" + c.where + "）" : "") + L10N.no_position;
            box.appendChild(s); return;
          }
          var b = button("gp-review-cand", L10N.candidate + c.name + (c.where ? "（" + c.where + "）" : ""), function () {
            decide(it, {gazetteer_id: c.id, note: fmt(L10N.note_candidate, {name: c.name})}, c.ll, c.name);
            map.setView(c.ll, Math.max(map.getZoom(), CFG.candidate_zoom));
          });
          b.dataset.id = c.id;
          box.appendChild(b);
        });
        box.appendChild(button("gp-review-place", L10N.place, function () { startPlacing(it); }));
        if (d) {
          var r = d.row, txt = document.createElement("div"); txt.className = "gp-review-decision";
          txt.textContent = r.gazetteer_id ? fmt(L10N.decided_candidate, {name: d.label || r.gazetteer_id})
            : fmt(L10N.decided_point, {lon: r.lon, lat: r.lat, m: r.precision_m});
          box.appendChild(txt);
          box.appendChild(button("gp-review-undo", L10N.undo, function () {
            delete decisions[keyOf(it)]; persist(); render(); drawDecisions();
          }));
        }
        list.appendChild(box);
      });
    }
    function startPlacing(it) {
      pending = it;
      map.getContainer().classList.add("gp-placing");
      status.textContent = fmt(L10N.placing, {name: it.name});
    }
    function stopPlacing() {
      pending = null; map.getContainer().classList.remove("gp-placing"); status.textContent = "";
    }
    map.on("click", function (e) {
      if (!pending) { return; }
      var it = pending, z = map.getZoom(), lat = e.latlng.lat, lng = L.Util.wrapNum(e.latlng.lng, [-180, 180], true);
      // the ground size of click_px screen pixels here: how exact a click at this zoom can be
      var mpp = 156543.03392 * Math.cos(lat * Math.PI / 180) / Math.pow(2, z);
      var m = Math.max(1, Math.round(mpp * CFG.click_px));
      stopPlacing();
      decide(it, {lon: lng.toFixed(6), lat: lat.toFixed(6), crs: CFG.crs, precision_m: String(m),
                  note: fmt(L10N.note_point, {z: z})}, [lat, lng]);
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape" && pending) { stopPlacing(); } });
    dl.addEventListener("click", function () {
      var seen = {}, rows = [];
      Object.keys(decisions).sort().forEach(function (k) { seen[k] = true; rows.push(decisions[k].row); });
      ITEMS.forEach(function (it) { if (!seen[keyOf(it)]) { seen[keyOf(it)] = true; rows.push(baseRow(it)); } });
      geoplanSheets.save(geoplanSheets.csv(COLUMNS, rows), L10N.file, "text/csv;charset=utf-8");
    });
    // opened: list built once (open() may have built it already); closed: dropped, rebuilt fresh when reopened
    details.addEventListener("toggle", function () {
      if (!details.open) { list.textContent = ""; } else if (!list.firstChild) { render(); }
    });
    var byFid = {};
    ITEMS.forEach(function (it, i) { byFid[it.fid] = i; });
    api.review = {
      items: ITEMS, decisions: function () { return decisions; },
      open: function (fid) {
        var i = byFid[fid];
        if (i === undefined) { return false; }
        focusI = i;
        details.open = true;
        render();
        var box = list.querySelector(".gp-review-item[data-i='" + i + "']");
        box.scrollIntoView({block: "nearest"});
        return true;
      }
    };
    // the one popup is built on click (features.py): the button goes in as it is built
    api.onPopup(function (f, node) {
      var fid = f.data.id;
      if (byFid[fid] === undefined) { return; }
      node.appendChild(button("gp-review-open", L10N.review, function () { api.review.open(fid); }));
    });
    render(); drawDecisions();"""

    def __init__(self, features: gpd.GeoDataFrame, unresolved: pd.DataFrame | None, gazetteer: Any = None,
                 position: str = "bottomleft", style: MapStyle | None = None, datum: str = "WGS-84") -> None:
        """``features``: the frame the map was drawn from (its datum is ``datum``, as the clicks will be)."""
        super().__init__(position, style)
        style = style or load_style()
        cfg = style.section("review")
        self.items = review_items(features, unresolved, gazetteer, style)
        gcj = canonical_crs(datum) == "GCJ-02"
        if gcj:  # the gazetteer is WGS-84; a candidate is drawn where the shifted tiles show it
            for item in self.items:
                for c in item["cands"]:
                    if c["ll"]:
                        lon, lat = wgs84_to_gcj02(c["ll"][1], c["ll"][0])
                        c["ll"] = [round(lat, 6), round(lon, 6)]
        self.data_json = script_json(self.items)
        self.columns_json = script_json(list(REVIEW_COLUMNS))
        self.config_json = script_json({
            "reasons": dict(panel_labels("unresolved", style).get("reasons", {})),
            "precisions": {p: style.precision_label(p) for p in PRECISIONS},
            "crs": "GCJ-02" if gcj else "EPSG:4326",
            "click_px": float(cfg.get("click_px", 10)),
            "radius": int(cfg.get("radius", 9)),
            "color": str(cfg.get("color", "#6a3d9a")),
            "candidate_zoom": int(cfg.get("candidate_zoom", 13)),
        })
