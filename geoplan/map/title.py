"""The map's title bar: which plan this is, so a screenshot says what it shows."""

from __future__ import annotations

from html import escape

from folium.template import Template

from geoplan.map.element import PageElement
from geoplan.map.safejson import script_json


class TitleBar(PageElement):
    """A centred, escaped title over the map."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.gp-title{position:absolute;top:8px;left:50%;transform:translateX(-50%);z-index:1000;pointer-events:none;
  background:rgba(255,255,255,.9);padding:4px 12px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);
  font:600 15px/1.4 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:50%;text-align:center}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var el = document.createElement("div");
  el.className = "gp-title"; el.id = "gp-title";
  el.innerHTML = {{ this.html_json }};
  {{ this._parent.get_name() }}.getContainer().appendChild(el);
})();
{% endmacro %}
"""
    )

    def __init__(self, title: str) -> None:
        super().__init__()
        self._name = "TitleBar"
        self.title = title
        self.html_json = script_json(escape(title))
