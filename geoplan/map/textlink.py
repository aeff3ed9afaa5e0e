"""The popup's "在规划中查看" link to the feature's mention on its plan-text page.

Why a separate element: the popup (:mod:`geoplan.map.popup`) is the same
wherever a map is drawn, but the link only makes sense where a text page was
written beside the map (``build`` and ``map`` write them; a map rendered alone
has none).  So the links are a table ``feature id → href`` added to the page
only with the pages, and the link is put into the popup as it is built
(``geoplanMap.onPopup``: the page has one popup, built on click).
"""

from __future__ import annotations

from collections.abc import Mapping

from folium.template import Template

from geoplan.map.element import PageElement
from geoplan.map.panel import panel_labels
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle
from geoplan.map.textpage import first_mentions, text_href

import pandas as pd


def text_links(mentions: pd.DataFrame | None, docs: set[str]) -> dict[str, str]:
    """``feature id → text_<doc>.html#m<start>-<end>.<feature key>`` for the features of the plans in ``docs``."""
    return {fid: text_href(doc, s, e, fid) for fid, (doc, s, e) in first_mentions(mentions).items() if doc in docs}


class TextLinks(PageElement):
    """Adds the link to the plan's text to a feature's popup when it opens."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>
.gp-textlink{display:inline-block;margin-top:4px;font-weight:700}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var LINKS = {{ this.links_json }}, L10N = {{ this.labels_json }}, api = window.geoplanMap;
  if (!api) { return; }
  api.onPopup(function (f, node) {
    var href = LINKS[f.data.id];
    if (!href) { return; }
    var a = document.createElement("a");
    a.className = "gp-textlink"; a.href = href; a.target = "_blank"; a.rel = "noopener";
    a.textContent = L10N.link;
    node.appendChild(a);
  });
})();
{% endmacro %}
"""
    )

    def __init__(self, links: Mapping[str, str], style: MapStyle | None = None) -> None:
        super().__init__()
        self._name = "TextLinks"
        self.links = dict(links)
        self.links_json = script_json(self.links)
        self.labels_json = script_json(panel_labels("text", style))
