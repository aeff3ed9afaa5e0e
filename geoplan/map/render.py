"""``render_map``: the planner's map of one plan's layer, in one HTML file.

Assembles the elements of this package on an :class:`OfflineMap` in the order
the browser needs them (libraries, basemap, features registry, then the
controls that drive the registry) and writes the page atomically, so a map
open in a browser or being synced never shows a half-written file.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from html import escape
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geoplan.atomic import write_text
from geoplan.datum import canonical_crs
from geoplan.map.assets import OfflineAssets, OfflineMap
from geoplan.map.attribution import Attribution
from geoplan.map.baselayers import OFFLINE, BaseLayerSwitch, switch_choices
from geoplan.map.basemap import VectorBasemap, gazetteer_basemap_source, select_basemap, shift_to_gcj02
from geoplan.map.features import PlanFeatures, drawable, focus_bounds
from geoplan.map.filters import FilterPanel
from geoplan.map.layercontrol import GroupedLayerControl
from geoplan.map.layout import PanelLayout
from geoplan.map.legend import Legend
from geoplan.map.plans import plan_labels
from geoplan.map.review import ReviewPanel
from geoplan.map.popup import _text
from geoplan.map.search import SearchBox
from geoplan.map.styles import load_style
from geoplan.map.table import FeatureTable
from geoplan.map.textlink import TextLinks, text_links
from geoplan.map.title import TitleBar
from geoplan.map.unresolved import UnresolvedPanel

log = logging.getLogger(__name__)


def _to_wgs84(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if features.crs is not None and features.crs.to_epsg() != 4326:
        return features.to_crs(4326)
    return features


def render_map(
    features: gpd.GeoDataFrame,
    out_path: Path,
    *,
    unresolved: pd.DataFrame | None = None,
    mentions: pd.DataFrame | None = None,
    title: str = "",
    assets: str = "inline",
    tiles: str | None = None,
    basemap: gpd.GeoDataFrame | None = None,
    text_docs: Collection[str] = (),
    gazetteer: Any = None,
    tile_keys: Mapping[str, str] | None = None,
    write_assets: bool = True,
) -> Path:
    """Write the interactive map of ``features`` to ``out_path`` and return the path.

    The map draws every feature it is given: the caller selects them with
    :func:`geoplan.output.filter.filter_layers`, the one filter the CLI, the
    theme layers and the theme maps share.  ``assets`` is ``"inline"`` (one self-contained file)
    or ``"files"`` (libraries in ``assets/`` beside it, written unless ``write_assets`` is
    False: a build writes them once for all its maps); ``tiles`` names an
    online provider from ``maps/styles.toml`` (none by default: the map makes
    no network request, and is the one the page opens on; the others of the
    base-layer switch load only when chosen); ``tile_keys`` gives a keyed
    provider its key by name (``{"Tianditu": "…"}``; else its ``key_env``); ``mentions`` (the build's mentions table) lets the
    page's task filter see every task a feature is named in; ``basemap`` is a gazetteer-like frame (name, kind,
    geometry) to draw county outlines and water from; when None the embedded
    gazetteer is used if it loads, and an empty frame means no basemap.
    ``text_docs``: the plans whose text page (``text_<doc>.html``, see
    :mod:`geoplan.map.textpage`) is beside the map; their popups link to it.
    ``gazetteer`` gives the review panel the positions of unresolved names'
    candidates (none: the candidates are listed by id only).
    """
    style = load_style()
    out_path = Path(out_path)
    if not isinstance(features, gpd.GeoDataFrame):
        features = gpd.GeoDataFrame(features, geometry="geometry", crs="EPSG:4326")
    features = _to_wgs84(features)

    initial, tile_crs = OFFLINE, "WGS-84"
    if tiles:
        initial, spec = style.tiles(tiles)
        tile_crs = str(spec.get("crs", "WGS-84"))

    if basemap is None:
        basemap = gazetteer_basemap_source(features)
    if basemap is None:
        base = None
    elif "role" in basemap.columns:  # already selected (basemap_from_gazetteer): not again
        base = basemap
    else:
        base = select_basemap(basemap, features, style)

    page_datum = canonical_crs(tile_crs)
    if page_datum == "BD-09":  # Leaflet draws no BD-09 tiles: features would sit half a kilometre off them
        raise ValueError("tiles in BD-09 are not supported: choose WGS-84 or GCJ-02 tiles")
    if page_datum == "GCJ-02":
        features = shift_to_gcj02(features)
        base = shift_to_gcj02(base) if base is not None and len(base) else base

    view = style.section("view")
    shown = drawable(features)
    focus = focus_bounds(features)
    if focus is not None:
        minx, miny, maxx, maxy = focus
        location = [(miny + maxy) / 2, (minx + maxx) / 2]
        zoom = int(view.get("max_zoom_on_fit", 14))
    else:
        location = list(view.get("default_center", [35.0, 105.0]))
        zoom = int(view.get("default_zoom", 4))

    max_zoom = int(view.get("max_zoom", 18))
    m = OfflineMap(location=location, zoom_start=min(zoom, max_zoom), tiles=None, control_scale=True, maxZoom=max_zoom)
    # branca writes the <title> unescaped; a plan title is document text
    m.get_root().title = escape(title or "geoplan")
    asset_el = OfflineAssets(assets)
    asset_el.add_to(m)
    PanelLayout(style).add_to(m)
    if base is not None and len(base):
        VectorBasemap(base, style).add_to(m)

    theme_names = [_text(t) or style.default_theme for t in shown["theme"]] if "theme" in shown.columns else []
    theme_styles = style.themes(theme_names)
    PlanFeatures(features, style, theme_styles, mentions).add_to(m)
    BaseLayerSwitch(switch_choices(style, tile_crs, tile_keys, tiles), initial, style=style).add_to(m)
    GroupedLayerControl(style=style).add_to(m)
    SearchBox(style=style).add_to(m)
    FilterPanel(style=style).add_to(m)
    Legend(theme_styles, style).add_to(m)
    FeatureTable(features, style=style, datum=tile_crs).add_to(m)
    ReviewPanel(features, unresolved, gazetteer, style=style, datum=tile_crs).add_to(m)
    if text_docs and mentions is not None:
        TextLinks(text_links(mentions, set(text_docs)), style).add_to(m)
    if unresolved is not None:
        UnresolvedPanel(unresolved, style=style, plans=plan_labels(features)).add_to(m)
    if title:
        TitleBar(title).add_to(m)
    sources = [*(base["source"] if base is not None and "source" in base.columns else []),
               *(shown["source"].dropna().astype(str) if "source" in shown.columns else [])]
    Attribution(sources, style).add_to(m)

    html = m.get_root().render()
    if assets == "files" and write_assets:
        asset_el.write_files(out_path.parent)
    write_text(out_path, html)
    log.info("map written: %s (%d features drawn, %d bytes)", out_path, len(shown), len(html.encode("utf-8")))
    return out_path
