"""Filter controls: by top-level plan task, by theme and by precision.

Filters combine with the layer control (a feature shows only if every one lets
it through) and act on the ``geoplanMap`` registry, so clustered markers are
really removed from the cluster group and cluster counts stay true.
"""

from __future__ import annotations

from geoplan.map.panel import Panel
from geoplan.map.styles import MapStyle


class FilterPanel(Panel):
    """Task and theme drop-downs, precision checkboxes and a "shown / located" counter."""

    name = "filters"
    css = """
.gp-filters{max-width:260px}
.gp-filters select{max-width:240px;width:100%;margin:1px 0 4px}
.gp-filters label{display:block}
.gp-filters .gp-h{font-weight:700;margin-top:2px}"""
    body = """
    function option(value, text) {
      var o = document.createElement("option"); o.value = value; o.textContent = text; return o;
    }
    function heading(text) {
      var h = document.createElement("div"); h.className = "gp-h"; h.textContent = text; return h;
    }
    var task = document.createElement("select"); task.id = "gp-filter-task";
    task.appendChild(option("", L10N.all_tasks));
    api.tasks.forEach(function (t) { task.appendChild(option(t.id, t.title)); });
    task.addEventListener("change", function () { api.setFilter("task", task.value); });
    var theme = document.createElement("select"); theme.id = "gp-filter-theme";
    theme.appendChild(option("", L10N.all_themes));
    api.themes.forEach(function (t) { theme.appendChild(option(t.name, t.label)); });
    theme.addEventListener("change", function () { api.setFilter("theme", theme.value); });
    div.append(heading(L10N.task), task, heading(L10N.theme), theme, heading(L10N.precision));
    api.precisions.forEach(function (p) {
      var lab = document.createElement("label");
      var cb = document.createElement("input");
      cb.type = "checkbox"; cb.checked = true; cb.className = "gp-filter-precision"; cb.value = p.id;
      cb.addEventListener("change", function () { api.setPrecision(p.id, cb.checked); });
      var s = document.createElement("span"); s.textContent = p.label;
      lab.append(cb, s);
      div.appendChild(lab);
    });
    var counter = document.createElement("div"); counter.id = "gp-count"; counter.className = "gp-h";
    div.appendChild(counter);
    api.onChange(function () {
      counter.textContent = L10N.shown.replace("{n}", api.visibleCount()).replace("{total}", api.locatedCount);
    });"""

    def __init__(self, position: str = "topleft", style: MapStyle | None = None) -> None:
        super().__init__(position, style)
