"""Filter controls: by plan, by the chosen plans' tasks, by theme and by precision.

The plan checkboxes scope the task list: it shows the tree of each chosen plan
(every plan when none is ticked) under the plan's title, so a chapter "三"
is always the chapter of one plan.

Filters combine with the layer control (a feature shows only if every one lets
it through) and act on the ``geoplanMap`` registry, so clustered markers are
really removed from the cluster group and cluster counts stay true.
"""

from __future__ import annotations

from geoplan.map.panel import Panel
from geoplan.map.styles import MapStyle


class FilterPanel(Panel):
    """Plan checkboxes, task and theme drop-downs, precision checkboxes and a "shown / located" counter."""

    name = "filters"
    css = """
.gp-filters{max-width:260px}
.gp-filters select{max-width:240px;width:100%;margin:1px 0 4px}
.gp-filters label{display:block}
.gp-filters .gp-h{font-weight:700;margin-top:2px}
.gp-filters .gp-plans{max-height:9em;overflow:auto}"""
    body = """
    function option(value, text) {
      var o = document.createElement("option"); o.value = value; o.textContent = text; return o;
    }
    function heading(text) {
      var h = document.createElement("div"); h.className = "gp-h"; h.textContent = text; return h;
    }
    var plans = document.createElement("div"); plans.id = "gp-filter-plans"; plans.className = "gp-plans";
    var task = document.createElement("select"); task.id = "gp-filter-task";
    var choices = [];
    function fillTasks() {
      var chosen = api.plans.filter(function (p) { return api.state.docs[p.doc]; });
      var current = api.state.task;
      task.textContent = ""; choices = [];
      task.appendChild(option("", L10N.all_tasks));
      (chosen.length ? chosen : api.plans).forEach(function (p) {
        var group = document.createElement("optgroup"); group.label = p.label;
        p.tasks.forEach(function (t) {
          var indent = new Array(t.depth + 1).join("\u3000");
          var o = option(String(choices.length), indent + t.title);
          o.title = t.id;
          o.dataset.doc = p.doc; o.dataset.task = t.id;
          if (current && current.doc === p.doc && current.id === t.id) { o.selected = true; }
          choices.push({doc: p.doc, id: t.id});
          group.appendChild(o);
        });
        task.appendChild(group);
      });
    }
    api.plans.forEach(function (p) {
      var lab = document.createElement("label");
      var cb = document.createElement("input");
      cb.type = "checkbox"; cb.className = "gp-filter-plan"; cb.value = p.doc;
      cb.addEventListener("change", function () {
        var docs = [];
        plans.querySelectorAll("input.gp-filter-plan").forEach(function (c) { if (c.checked) { docs.push(c.value); } });
        api.setPlans(docs);
        fillTasks();
      });
      var s = document.createElement("span"); s.textContent = p.label;
      lab.append(cb, s);
      plans.appendChild(lab);
    });
    fillTasks();
    task.addEventListener("change", function () {
      var c = choices[parseInt(task.value, 10)];
      api.setTask(c ? c.doc : "", c ? c.id : "");
    });
    var theme = document.createElement("select"); theme.id = "gp-filter-theme";
    theme.appendChild(option("", L10N.all_themes));
    api.themes.forEach(function (t) { theme.appendChild(option(t.name, t.label)); });
    theme.addEventListener("change", function () { api.setFilter("theme", theme.value); });
    if (api.plans.length > 1) { div.append(heading(L10N.plan), plans); }
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
