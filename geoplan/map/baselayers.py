"""The base-layer switch: the offline basemap, or online tiles that load only when chosen.

The page must make no request until the planner asks for one (offline by
default; a request also tells a tile server what is being planned).  So the
online providers of ``[tiles.*]`` in ``maps/styles.toml`` marked ``switch``
are listed as choices, and their tile layers are created only when one is
picked.  Only providers drawn in the page's datum are offered: the features
are WGS-84 unless the map was made for a GCJ-02 provider (高德), and a
WGS-84 page on GCJ-02 tiles would sit hundreds of metres off.  A provider
that needs a key (天地图) is offered only when one is given, on the command
line or in the environment variable its ``key_env`` names; the key is then in
the page, as any browser map's is.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from geoplan.datum import canonical_crs
from geoplan.map.panel import Panel
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle, load_style

OFFLINE = "offline"


def _datum(spec: Mapping[str, Any]) -> str:
    return canonical_crs(str(spec.get("crs", "WGS-84")))


def provider_key(name: str, spec: Mapping[str, Any], keys: Mapping[str, str] | None) -> str:
    """The key for provider ``name``: given in ``keys`` (by name, any case), else from its ``key_env``."""
    for k, v in (keys or {}).items():
        if k.lower() == name.lower() and v:
            return v
    env = spec.get("key_env")
    return os.environ.get(str(env), "") if env else ""


def switch_choices(style: MapStyle, datum: str, keys: Mapping[str, str] | None = None,
                   chosen: str | None = None) -> list[dict[str, Any]]:
    """The choices of the switch: the offline basemap, then each online provider the page can use.

    ``chosen`` (a provider's name as ``render_map(tiles=…)`` accepts it) is
    always offered.  Each choice is ``{"id", "label", "url", "options",
    "overlay"}`` (``url`` empty for the offline basemap).
    """
    words = style.section("labels").get("basemaps", {})
    out: list[dict[str, Any]] = [{"id": OFFLINE, "label": str(words.get("offline", OFFLINE)), "url": ""}]
    chosen_key = style.tiles(chosen)[0] if chosen else None
    want = canonical_crs(datum)
    for name, spec in style.section("tiles").items():
        if name == "aliases" or not isinstance(spec, dict):
            continue
        if not (spec.get("switch") or name == chosen_key) or _datum(spec) != want:
            continue
        key = provider_key(name, spec, keys)
        needs_key = "{key}" in str(spec.get("url", ""))
        if needs_key and not key:
            continue
        options: dict[str, Any] = {"attribution": str(spec.get("attribution", name)),
                                   "maxZoom": int(spec.get("max_zoom", 18))}
        if spec.get("subdomains"):
            options["subdomains"] = spec["subdomains"]
        if needs_key:
            options["key"] = key
        out.append({"id": name, "label": str(spec.get("label", name)), "url": str(spec["url"]),
                    "overlay": str(spec.get("overlay_url", "")), "options": options})
    return out


class BaseLayerSwitch(Panel):
    """Radio buttons choosing the base layer (top right, above the layer list)."""

    name = "basemaps"
    css = """
.gp-basemaps label{display:block;white-space:nowrap}"""
    body = """
    var P = {{ this.choices_json }}, layers = [];
    function choose(id) {
      layers.forEach(function (l) { map.removeLayer(l); });
      layers = [];
      var p = P.filter(function (x) { return x.id === id; })[0] || P[0];
      var base = window.geoplanBasemap;
      if (p.url) {  // created now, not before: nothing is requested until a provider is chosen
        layers.push(L.tileLayer(p.url, p.options));
        if (p.overlay) { layers.push(L.tileLayer(p.overlay, L.extend({}, p.options, {attribution: ""}))); }
        layers.forEach(function (l) { l.addTo(map); });
        if (base && map.hasLayer(base)) { map.removeLayer(base); }
      } else if (base && !map.hasLayer(base)) { base.addTo(map); }
      map.getContainer().dataset.basemap = p.id;
    }
    P.forEach(function (p) {
      var lab = document.createElement("label");
      var rb = document.createElement("input");
      rb.type = "radio"; rb.name = "gp-basemap"; rb.value = p.id; rb.className = "gp-basemap-choice";
      rb.checked = p.id === {{ this.initial|tojson }};
      rb.addEventListener("change", function () { if (rb.checked) { choose(p.id); } });
      var s = document.createElement("span"); s.textContent = p.label;
      lab.append(rb, s);
      div.appendChild(lab);
    });
    choose({{ this.initial|tojson }});"""

    def __init__(self, choices: list[dict[str, Any]], initial: str = OFFLINE, position: str = "topright",
                 style: MapStyle | None = None) -> None:
        super().__init__(position, style or load_style())
        self.choices = choices
        self.choices_json = script_json(choices)
        self.initial = initial
