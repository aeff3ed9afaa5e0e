"""The one Leaflet control every panel of the map is built on.

Layer list, search, filters, legend and unresolved list are each a box in a
corner of the map that must not pass clicks and wheel turns through to the map
below, and each shows words a planner reads, all of them from
``[labels.<panel>]`` in ``maps/styles.toml``.  A panel subclass states its
CSS, the corner, the element id and the JavaScript that fills ``div``; this
class writes the control around it, once.

In a panel's ``body`` (Jinja, ``this`` is the panel), these are in scope:
``div`` (the panel's element), ``map`` (the Leaflet map), ``api`` (the
``window.geoplanMap`` registry of :mod:`geoplan.map.features`), ``L10N``
(the panel's labels) and ``panelData()`` (its ``data_json``, a JSON block in
the page read on demand).
"""

from __future__ import annotations

from typing import Any, ClassVar

from folium.template import Template

from geoplan.map.element import PageElement
from geoplan.map.styles import MapStyle, load_style

_TEMPLATE = """
{% macro header(this, kwargs) %}
<style>
@CSS@
</style>
{% if this.data_json %}<script type="application/json" id="{{ this.element_id }}-data">{{ this.data_json }}</script>{% endif %}
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }}, api = window.geoplanMap, L10N = {{ this.labels|tojson }};
  // the panel's data block (``data_json``), parsed when the panel asks: JSON.parse is many times faster than
  // compiling the same data as a script literal, and a panel that is never opened need not read it at all
  function panelData() { return JSON.parse(document.getElementById({{ (this.element_id ~ "-data")|tojson }}).textContent); }
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "gp-panel " + {{ this.element_id|tojson }} + " leaflet-control");
    div.id = {{ this.element_id|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
@BODY@
    if (window.geoplanLayout) {  // folds behind its heading (map.layout)
      window.geoplanLayout.collapsible(div, {{ this.name|tojson }}, {{ this.toggle_label|tojson }});
    }
    return div;
  };
  ctl.addTo(map);
})();
{% endmacro %}
"""


def panel_labels(name: str, style: MapStyle | None = None) -> dict[str, Any]:
    """The words of panel ``name`` (``[labels.<name>]`` of ``maps/styles.toml``)."""
    return dict((style or load_style()).section("labels").get(name, {}))


class Panel(PageElement):
    """A map panel: a Leaflet control in one corner, its words from ``maps/styles.toml``."""

    #: the panel's ``[labels.<name>]`` table; its element id and CSS class are ``gp-<name>``
    name: ClassVar[str]
    css: ClassVar[str] = ""
    #: JavaScript filling ``div`` (see the module docstring)
    body: ClassVar[str]
    #: the panel's data (``script_json``), put in the page as a JSON block; empty: none
    data_json: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "body" in cls.__dict__:
            cls._template = Template(_TEMPLATE.replace("@CSS@", cls.css.strip()).replace("@BODY@", cls.body.rstrip()))

    def __init__(self, position: str, style: MapStyle | None = None) -> None:
        super().__init__()
        self._name = type(self).__name__
        self.position = position
        self.element_id = f"gp-{self.name}"
        self.labels = panel_labels(self.name, style)
        #: the heading of the panel's fold toggle (``[labels.panels]``)
        self.toggle_label = str((style or load_style()).section("labels").get("panels", {}).get(self.name, self.name))
