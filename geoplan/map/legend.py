"""A categorical legend: theme colours, and what each symbol says about precision.

The symbol legend matters as much as the colours: a dashed circle means "only
the town/district/city is known", which a planner must not read as a site.
The HTML is built here, escaped, so labels from the theme file are safe.
"""

from __future__ import annotations

from html import escape

from branca.element import MacroElement
from folium.template import Template

from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle, ThemeStyle


def legend_html(themes: list[ThemeStyle], style: MapStyle, title: str = "图例") -> str:
    """The legend's inner HTML: one row per theme, then the geometry/precision symbols."""
    rows = "".join(
        f"<div class='gp-legend-theme' data-theme='{escape(t.name, quote=True)}'>"
        f"<span class='gp-swatch' style='background:{escape(t.color, quote=True)}'></span>{escape(t.label)}</div>"
        for t in themes
    )
    approx = style.section("approximate")
    dash = escape(str(approx.get("dash", "6 6")), quote=True)
    labels = {p: escape(style.precision_label(p)) for p in ("feature", "town", "district", "city")}
    symbols = (
        "<div class='gp-legend-sym'><svg width='22' height='14'><circle cx='11' cy='7' r='5' fill='#666' "
        f"stroke='#fff' stroke-width='2'/></svg>{labels['feature']}（点）</div>"
        "<div class='gp-legend-sym'><svg width='22' height='14'><path d='M1 12 L8 4 L14 10 L21 2' fill='none' "
        "stroke='#666' stroke-width='3'/></svg>线状要素</div>"
        "<div class='gp-legend-sym'><svg width='22' height='14'><rect x='2' y='2' width='18' height='10' "
        "fill='#666' fill-opacity='.25' stroke='#666' stroke-width='2'/></svg>面状要素</div>"
        "<div class='gp-legend-sym'><svg width='22' height='14'><circle cx='11' cy='7' r='6' fill='#666' "
        f"fill-opacity='.08' stroke='#666' stroke-width='1.5' stroke-dasharray='{dash}'/></svg>"
        f"{labels['town']} / {labels['district']} / {labels['city']}（虚线圈=可能范围）</div>"
    )
    return (
        f"<div class='gp-legend-title'>{escape(title)}</div>{rows}"
        f"<hr class='gp-legend-hr'/>{symbols}"
    )


class Legend(MacroElement):
    """The legend as a Leaflet control (bottom right)."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.gp-legend-title{font-weight:700;margin-bottom:3px}
.gp-legend-hr{border:0;border-top:1px solid #ddd;margin:4px 0}
.gp-legend-sym svg{vertical-align:-3px;margin-right:4px}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "gp-panel gp-legend leaflet-control");
    div.id = "gp-legend";
    div.innerHTML = {{ this.html_json }};
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(self, themes: list[ThemeStyle], style: MapStyle, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.position = position
        self.html = legend_html(themes, style)
        self.html_json = script_json(self.html)
