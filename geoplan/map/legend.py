"""A categorical legend: theme colours, and what each symbol says about precision.

The symbol legend matters as much as the colours: a dashed circle means "only
the town/district/city is known", which a planner must not read as a site.
The HTML is built here, escaped, so labels from the theme file are safe.
"""

from __future__ import annotations

from html import escape

from geoplan.map.panel import Panel, panel_labels
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle, ThemeStyle


def legend_html(themes: list[ThemeStyle], style: MapStyle, labels: dict[str, str] | None = None) -> str:
    """The legend's inner HTML: one row per theme, then the geometry/precision symbols."""
    words = labels if labels is not None else panel_labels("legend", style)
    w = {k: escape(str(v)) for k, v in words.items()}
    rows = "".join(
        f"<div class='gp-legend-theme' data-theme='{escape(t.name, quote=True)}'>"
        f"<span class='gp-swatch' style='background:{escape(t.color, quote=True)}'></span>{escape(t.label)}</div>"
        for t in themes
    )
    approx = style.section("approximate")
    dash = escape(str(approx.get("dash", "6 6")), quote=True)
    labels_p = {p: escape(style.precision_label(p)) for p in ("feature", "town", "district", "city")}
    symbols = (
        "<div class='gp-legend-sym'><svg width='22' height='14'><circle cx='11' cy='7' r='5' fill='#666' "
        f"stroke='#fff' stroke-width='2'/></svg>{labels_p['feature']}{w.get('point', '')}</div>"
        "<div class='gp-legend-sym'><svg width='22' height='14'><path d='M1 12 L8 4 L14 10 L21 2' fill='none' "
        f"stroke='#666' stroke-width='3'/></svg>{w.get('line', '')}</div>"
        "<div class='gp-legend-sym'><svg width='22' height='14'><rect x='2' y='2' width='18' height='10' "
        f"fill='#666' fill-opacity='.25' stroke='#666' stroke-width='2'/></svg>{w.get('polygon', '')}</div>"
        "<div class='gp-legend-sym'><svg width='22' height='14'><circle cx='11' cy='7' r='6' fill='#666' "
        f"fill-opacity='.08' stroke='#666' stroke-width='1.5' stroke-dasharray='{dash}'/></svg>"
        f"{labels_p['town']} / {labels_p['district']} / {labels_p['city']}{w.get('approximate', '')}</div>"
        "<div class='gp-legend-sym'><svg width='22' height='14'><rect x='2' y='2' width='18' height='10' "
        f"fill='none' stroke='#666' stroke-width='1.5' stroke-dasharray='2 3'/></svg>{w.get('region', '')}</div>"
    )
    # the panel's fold toggle carries the title ([labels.panels] legend)
    return f"{rows}<hr class='gp-legend-hr'/>{symbols}"


class Legend(Panel):
    """The legend as a Leaflet control (bottom right)."""

    name = "legend"
    css = """
.gp-legend-hr{border:0;border-top:1px solid #ddd;margin:4px 0}
.gp-legend-sym svg{vertical-align:-3px;margin-right:4px}"""
    body = """
    div.innerHTML = {{ this.html_json }};"""

    def __init__(self, themes: list[ThemeStyle], style: MapStyle, position: str = "bottomright") -> None:
        super().__init__(position, style)
        self.html = legend_html(themes, style, self.labels)
        self.html_json = script_json(self.html)
