"""A search box over names and aliases that zooms to the feature and opens it.

A plan names 淀山湖 in one chapter and 淀山湖 again as part of a longer
project; the planner types a name (or a short form from the aliases) and lands
on it.  Markers hidden in a cluster are reached with MarkerCluster's
``zoomToShowLayer``; a feature hidden by a filter is listed but greyed out.
"""

from __future__ import annotations

from geoplan.map.panel import Panel
from geoplan.map.styles import MapStyle


class SearchBox(Panel):
    """Type-ahead search (top left); Enter opens the best match."""

    name = "search"
    css = """
.gp-search input{width:220px;padding:3px 5px;font-size:13px;box-sizing:border-box}
.gp-search ul{list-style:none;margin:3px 0 0;padding:0;max-height:240px;overflow:auto}
.gp-search li{padding:2px 4px;cursor:pointer}
.gp-search li:hover,.gp-search li.gp-active{background:#eef}
.gp-search li.gp-hidden{color:#aaa;cursor:default}
.gp-search .gp-via{color:#888;font-size:11px;margin-left:4px}"""
    body = """
    var input = document.createElement("input");
    input.type = "search"; input.id = "gp-search-input"; input.placeholder = L10N.placeholder;
    var list = document.createElement("ul"); list.id = "gp-search-results";
    var status = document.createElement("div"); status.id = "gp-search-status";
    div.append(input, list, status);
    var hits = [];
    function go(hit) {
      if (!hit) { status.textContent = L10N.none; return; }
      if (!api.focus(hit.index)) { status.textContent = L10N.hidden; return; }
      status.textContent = "";
      list.innerHTML = "";
    }
    function show() {
      hits = api.find(input.value).slice(0, {{ this.limit }});
      list.innerHTML = "";
      status.textContent = input.value && !hits.length ? L10N.none : "";
      hits.forEach(function (h) {
        var li = document.createElement("li");
        li.textContent = h.name;
        if (h.via && h.via !== h.name) {
          var v = document.createElement("span"); v.className = "gp-via"; v.textContent = h.via; li.appendChild(v);
        }
        if (!h.shown) { li.className = "gp-hidden"; li.title = L10N.hidden; }
        li.addEventListener("click", function () { go(h); });
        list.appendChild(li);
      });
    }
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        show();
        var visible = hits.filter(function (h) { return h.shown; });
        go(visible[0] || hits[0]);
      }
    });"""

    def __init__(self, position: str = "topleft", limit: int = 20, style: MapStyle | None = None) -> None:
        super().__init__(position, style)
        self.limit = int(limit)
