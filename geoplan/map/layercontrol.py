"""A layer control grouped by theme, then kind.

Leaflet's own control lists flat overlays; a plan has ten themes and twenty
kinds, and a planner thinks "hide everything about 交通" first and "only the
metro lines" second.  Each theme is a checkbox that hides all its features
(markers inside clusters included, because it goes through the
``geoplanMap`` registry), with its kinds as sub-checkboxes and live counts.
"""

from __future__ import annotations

from geoplan.map.panel import Panel
from geoplan.map.styles import MapStyle


class GroupedLayerControl(Panel):
    """Theme → kind checkboxes, top right, collapsible."""

    name = "layers"
    css = """
.gp-layers{min-width:170px}
.gp-layers summary{cursor:pointer;list-style-position:outside}
.gp-layers .gp-kinds{margin:2px 0 4px 18px}
.gp-layers .gp-n{color:#888;margin-left:3px}"""
    body = """
    var counters = [];
    api.themes.forEach(function (t) {
      var det = document.createElement("details");
      det.className = "gp-theme";
      det.dataset.theme = t.name;
      var sum = document.createElement("summary");
      var cb = document.createElement("input");
      cb.type = "checkbox"; cb.checked = true; cb.className = "gp-theme-toggle"; cb.dataset.theme = t.name;
      cb.addEventListener("change", function () { api.setTheme(t.name, cb.checked); });
      var sw = document.createElement("span");
      sw.className = "gp-swatch"; sw.style.background = t.color;
      var lab = document.createElement("span"); lab.textContent = t.label;
      var n = document.createElement("span"); n.className = "gp-n";
      sum.append(cb, sw, lab, n);
      det.appendChild(sum);
      counters.push([n, function (c) { return c.theme[t.name] || 0; }]);
      var kinds = document.createElement("div"); kinds.className = "gp-kinds";
      t.kinds.forEach(function (k) {
        var row = document.createElement("label"); row.style.display = "block";
        var kb = document.createElement("input");
        kb.type = "checkbox"; kb.checked = true; kb.className = "gp-kind-toggle";
        kb.dataset.theme = t.name; kb.dataset.kind = k.kind;
        kb.addEventListener("change", function () { api.setKind(t.name, k.kind, kb.checked); });
        var kl = document.createElement("span"); kl.textContent = t.label + " · " + k.label;
        var kn = document.createElement("span"); kn.className = "gp-n";
        row.append(kb, kl, kn);
        kinds.appendChild(row);
        counters.push([kn, function (c) { return c.key[t.name + "|" + k.kind] || 0; }]);
      });
      det.appendChild(kinds);
      div.appendChild(det);
    });
    api.onChange(function () {
      var c = api.tally();
      counters.forEach(function (x) { x[0].textContent = "(" + x[1](c) + ")"; });
    });"""

    def __init__(self, position: str = "topright", style: MapStyle | None = None) -> None:
        super().__init__(position, style)
