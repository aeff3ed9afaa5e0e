"""A panel listing the names geoplan found in the plan but could not place.

A map that silently drops what it could not locate looks complete when it is
not; the panel keeps those names in front of the planner with the reason
(not found, ambiguous, outside the jurisdiction) and the candidates, so the
review file can fix them.
"""

from __future__ import annotations

from html import escape
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from geoplan.map.popup import _text
from geoplan.map.safejson import script_json

#: How the unresolved reasons read to a planner; unknown reasons are shown as they are.
REASON_LABELS: dict[str, str] = {
    "not-found": "地名库中未找到",
    "ambiguous": "多处同名，无法确定",
    "outside-jurisdiction": "超出规划范围",
}


def unresolved_html(unresolved: pd.DataFrame | None, title: str = "未能定位的名称") -> str:
    """The panel's inner HTML; every cell escaped."""
    rows: list[str] = []
    frame = unresolved if unresolved is not None else pd.DataFrame()
    for _, r in frame.iterrows():
        reason = _text(r.get("reason"))
        cands = _text(r.get("candidates"))
        detail = escape(REASON_LABELS.get(reason, reason))
        note = _text(r.get("detail"))
        if note:
            detail += f"<div class='gp-cands'>{escape(note)}</div>"
        if cands:
            detail += f"<div class='gp-cands'>候选：{escape(cands)}</div>"
        quote = _text(r.get("quote"))
        rows.append(
            "<tr class='gp-unresolved-row'>"
            f"<td class='gp-u-name' title='{escape(quote, quote=True)}'>{escape(_text(r.get('name')))}</td>"
            f"<td>{escape(_text(r.get('kind')))}</td>"
            f"<td>{detail}</td>"
            f"<td>{escape(_text(r.get('task_path')))}</td>"
            f"<td>{escape(_text(r.get('doc')))}</td></tr>"
        )
    head = "<tr><th>名称</th><th>类型</th><th>原因</th><th>规划任务</th><th>规划</th></tr>"
    return (
        f"<details id='gp-unresolved-details'><summary>{escape(title)} ({len(rows)})</summary>"
        f"<table class='gp-unresolved-table'>{head}{''.join(rows)}</table></details>"
    )


class UnresolvedPanel(MacroElement):
    """The unresolved list as a collapsible control (bottom left)."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.gp-unresolved{max-width:520px}
.gp-unresolved summary{cursor:pointer;font-weight:700;color:#a33}
.gp-unresolved-table{border-collapse:collapse;margin-top:4px}
.gp-unresolved-table td,.gp-unresolved-table th{border-top:1px solid #eee;padding:2px 5px;text-align:left;vertical-align:top}
.gp-cands{color:#777;font-size:11px}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "gp-panel gp-unresolved leaflet-control");
    div.id = "gp-unresolved";
    div.innerHTML = {{ this.html_json }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(self, unresolved: pd.DataFrame | None, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "UnresolvedPanel"
        self.position = position
        self.count = 0 if unresolved is None else len(unresolved)
        self.html = unresolved_html(unresolved)
        self.html_json = script_json(self.html)

