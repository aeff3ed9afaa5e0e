"""How the panels share the screen with the map: they fold away, and popups keep clear of them.

At 1366×768 the filters, layer list, legend and unresolved list take a third
of the map, and a popup opened near a corner used to open under them (name and
quote rows hidden).  Three rules fix it:

- every panel has a toggle (its heading) that folds it to one line; the state
  is kept in the browser's ``localStorage`` so it survives moving between the
  index, plan and theme maps;
- the open panels of a bottom corner share the height its top corner leaves
  (:js:`fitCorners`), so the unresolved list, the review list and the feature
  table open together bottom-left do not run up over the search and filters;
- a popup is panned clear of every control as they are *now*
  (:js:`popupPadding`): each control counts either as a side column (the left
  or right padding is its width) or as a top/bottom strip (the padding is its
  height), whichever takes less of the map, and the popup's height is capped
  to what is left.  Leaflet's ``autoPanPaddingTopLeft/BottomRight`` then
  keeps the popup inside that free rectangle.
"""

from __future__ import annotations

from folium.template import Template

from geoplan.map.element import PageElement
from geoplan.map.styles import MapStyle, load_style


class PanelLayout(PageElement):
    """``window.geoplanLayout``: panel toggles with remembered state, and the popup's free rectangle."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.gp-panel-toggle{display:block;width:100%;margin:0;padding:1px 18px 1px 0;border:0;background:none;cursor:pointer;
  font:700 12px/1.5 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;text-align:left;position:relative;color:#333}
.gp-panel-toggle:after{content:"\\25BE";position:absolute;right:2px;top:0;color:#888}
.gp-collapsed .gp-panel-toggle:after{content:"\\25B8"}
.gp-collapsed .gp-panel-body{display:none}
.gp-collapsed{max-height:none !important}
@media (max-height: 800px) { .gp-panel{max-height:40vh} }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var KEY = "geoplan.panels", C = {{ this.cfg|tojson }}, memory = {};
  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return memory; }
  }
  function save(name, value) {
    var s = load(); s[name] = value; memory = s;
    try { window.localStorage.setItem(KEY, JSON.stringify(s)); } catch (e) { /* file:// without storage */ }
  }
  function changed() {
    var api = window.geoplanMap;
    if (!api) { return; }
    window.geoplanLayout.fitCorners(api.map);
    if (api.fitPopup) { api.fitPopup(); }
  }
  function isOpen(el) {  // an unfolded panel; one that is a single <details> is open with it
    if (!el.classList.contains("gp-panel") || el.classList.contains("gp-collapsed")) { return false; }
    var only = el.children.length === 1 ? el.firstElementChild : null;
    return !(only && only.tagName === "DETAILS" && !only.open);
  }
  var scheduled = false;
  function later() {  // once every panel is on the map (they are added one after another)
    if (scheduled) { return; }
    scheduled = true;
    setTimeout(function () {
      changed();
      window.addEventListener("resize", changed);
    }, 0);
  }
  window.geoplanLayout = {
    // fold a panel behind a toggle showing `label`; a panel that is one <details> folds with it instead
    collapsible: function (div, name, label) {
      later();
      var stored = load()[name];
      var only = div.children.length === 1 ? div.firstElementChild : null;
      if (only && only.tagName === "DETAILS") {
        if (stored !== undefined) { only.open = !stored; }
        only.addEventListener("toggle", function () { save(name, !only.open); changed(); });
        return;
      }
      var body = document.createElement("div");
      body.className = "gp-panel-body";
      while (div.firstChild) { body.appendChild(div.firstChild); }
      var btn = document.createElement("button");
      btn.type = "button"; btn.className = "gp-panel-toggle"; btn.textContent = label;
      div.append(btn, body);
      function set(folded) {
        div.classList.toggle("gp-collapsed", folded);
        btn.setAttribute("aria-expanded", folded ? "false" : "true");
      }
      var folded = stored !== undefined ? !!stored : (C.folded_when_short || []).indexOf(name) >= 0
        && window.innerHeight < (C.short_screen_px || 0);
      set(folded);
      btn.addEventListener("click", function () {
        folded = !folded; set(folded); save(name, folded); changed();
      });
    },
    // the open panels of a bottom corner share the height the top corner leaves them: three open lists
    // stacked bottom-left (unresolved, review, table) would otherwise run up over the search and filters
    fitCorners: function (map) {
      var c = map.getContainer(), H = c.clientHeight, M = C.margin_px || 8;
      ["left", "right"].forEach(function (side) {
        var top = c.querySelector(".leaflet-top.leaflet-" + side);
        var bottom = c.querySelector(".leaflet-bottom.leaflet-" + side);
        if (!top || !bottom) { return; }
        var open = [], fixed = 0;
        Array.prototype.forEach.call(bottom.children, function (el) {
          if (isOpen(el)) { open.push(el); el.style.maxHeight = ""; }
          else { fixed += el.getBoundingClientRect().height + (parseFloat(getComputedStyle(el).marginBottom) || 0); }
        });
        if (!open.length) { return; }
        var gap = parseFloat(getComputedStyle(open[0]).marginBottom) || 0;
        var room = H - top.getBoundingClientRect().height - fixed - M;
        var share = Math.max(C.min_panel_px || 80, Math.floor(room / open.length - gap));
        open.forEach(function (el) { el.style.maxHeight = share + "px"; });
      });
    },
    // the free rectangle for a popup: padding top-left / bottom-right in pixels, and its greatest height
    popupPadding: function (map) {
      var c = map.getContainer().getBoundingClientRect(), M = C.margin_px || 8;
      var pad = {left: 0, right: 0, top: 0, bottom: 0};
      var els = map.getContainer().querySelectorAll(".leaflet-control-container .leaflet-control, .gp-title");
      Array.prototype.forEach.call(els, function (el) {
        var r = el.getBoundingClientRect();
        if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") { return; }
        var left = r.left + r.width / 2 < c.left + c.width / 2;
        var top = r.top + r.height / 2 < c.top + c.height / 2;
        // a side column costs its width over the map's width, a strip its height over the map's height
        if (r.width / c.width <= r.height / c.height) {
          if (left) { pad.left = Math.max(pad.left, r.right - c.left); }
          else { pad.right = Math.max(pad.right, c.right - r.left); }
        } else if (top) { pad.top = Math.max(pad.top, r.bottom - c.top); }
        else { pad.bottom = Math.max(pad.bottom, c.bottom - r.top); }
      });
      var tip = C.tip_px || 30;
      return {
        tl: [pad.left + M, pad.top + M],
        br: [pad.right + M, pad.bottom + M],
        maxHeight: Math.max(C.min_height_px || 120, c.height - pad.top - pad.bottom - 2 * M - tip)
      };
    }
  };
})();
{% endmacro %}
"""
    )

    def __init__(self, style: MapStyle | None = None) -> None:
        super().__init__()
        self._name = "PanelLayout"
        self.cfg = (style or load_style()).section("layout")
