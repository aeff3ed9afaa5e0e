"""A large map's drawing mode in headless Chromium: dots and outlines on a canvas, no clustering.

Past ``[performance] dots_min_points`` exact points the page draws them as
dots on one canvas (the cluster tree of thousands of markers cost more than
the rest of the page); filters, counts, search and popups must work the same.
The thresholds are lowered here through a copy of ``maps/`` so a small layer
takes that path.
"""

from __future__ import annotations

import shutil

import pytest

from geoplan.map import render_map

pytestmark = pytest.mark.browser

from test_map import make_basemap, make_plan_layer  # noqa: E402  (same folder)
from test_map_browser import Page, browser  # noqa: E402,F401  (skips the module without Chromium)


@pytest.fixture(scope="module")
def dots_map(tmp_path_factory):
    from geoplan import paths
    from geoplan.map.styles import load_style

    tmp = tmp_path_factory.mktemp("large")
    maps = tmp / "maps"
    shutil.copytree(paths.maps_dir(), maps)
    styles = maps / "styles.toml"
    text = styles.read_text("utf-8")
    assert "dots_min_points = 2000" in text and "canvas_min_paths = 2000" in text
    styles.write_text(text.replace("dots_min_points = 2000", "dots_min_points = 5"), "utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("GEOPLAN_MAPS", str(maps))
    load_style.cache_clear()
    try:
        layer = make_plan_layer()
        out = render_map(layer, tmp / "dots.html", title="大图层", basemap=make_basemap())
    finally:
        mp.undo()
        load_style.cache_clear()
    return layer, out


#: no zoom or pan animation running: a zoom animation that ends after a later setView puts its own view back
STILL = "!geoplanMap.map._animatingZoom && !(geoplanMap.map._panAnim && geoplanMap.map._panAnim._inProgress)"


def test_dots_on_canvas_filter_search_and_open(browser, dots_map):
    layer, out = dots_map
    located = int((layer["located"].astype(bool) & layer.geometry.notna()).sum())
    p = Page(browser, out)
    try:
        assert p.errors == [] and p.remote_requests() == []
        assert p.js("geoplanMap.locatedCount") == located and p.visible() == located
        # nothing clustered, nothing as an SVG element: all on canvas
        assert p.js("document.querySelectorAll('.marker-cluster, .gp-marker, path.gp-feature').length") == 0
        assert p.js("document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-pane canvas').length") >= 1
        drawn = layer[layer["located"].astype(bool) & layer.geometry.notna()]
        eco = int((drawn["theme"] == "生态").sum())
        p.page.locator("#gp-layers input.gp-theme-toggle[data-theme='生态']").uncheck()
        assert p.visible() == located - eco
        p.page.locator("#gp-layers input.gp-theme-toggle[data-theme='生态']").check()
        assert p.visible() == located
        point = drawn[(drawn.geom_type == "Point") & (drawn["precision"] == "feature")]["name"].iloc[0]
        p.page.locator("#gp-search-input").fill(point)
        p.page.locator("#gp-search-input").press("Enter")
        p.page.locator(".leaflet-popup-content .gp-popup-name").wait_for(timeout=5000)
        assert p.page.locator(".leaflet-popup-content .gp-popup-name").inner_text() == point
        # a click on a dot opens its popup (canvas hit-testing)
        p.page.wait_for_function(STILL)
        p.js("void geoplanMap.map.closePopup()")
        xy = p.js(f"""(() => {{ const f = geoplanMap.features.find(f => f.data.name === {point!r});
                   const pt = geoplanMap.map.latLngToContainerPoint(f.layer.getLatLng());
                   const r = geoplanMap.map.getContainer().getBoundingClientRect();
                   return [r.left + pt.x, r.top + pt.y]; }})()""")
        p.page.mouse.click(xy[0], xy[1])
        p.page.locator(".leaflet-popup-content .gp-popup-name").wait_for(timeout=5000)
        assert p.page.locator(".leaflet-popup-content .gp-popup-name").inner_text() == point
        # every kind of drawing on the one canvas takes its clicks (stacked canvases would hide all but the top)
        for mode in ("area", "line", "approx"):
            p.page.wait_for_function(STILL)
            p.js("void geoplanMap.map.closePopup()")
            name, x, y = p.js("""m => { const f = geoplanMap.features.find(f => f.data.m === m && f.shown);
                const ll = m === 'line' ? f.layer.getLatLngs()[2] : (f.layer.getLatLng ? f.layer.getLatLng() : f.layer.getCenter());
                geoplanMap.map.setView(ll, 15, {animate: false});
                const pt = geoplanMap.map.latLngToContainerPoint(ll), r = geoplanMap.map.getContainer().getBoundingClientRect();
                return [f.data.name, r.left + pt.x, r.top + pt.y]; }""", mode)
            p.page.wait_for_timeout(300)
            p.page.mouse.click(x, y)
            p.page.locator(".leaflet-popup-content .gp-popup-name").wait_for(timeout=5000)
            assert p.page.locator(".leaflet-popup-content .gp-popup-name").inner_text() == name, mode
        # a row of the feature table zooms to its dot and opens the one popup on it
        p.page.wait_for_function(STILL)
        p.js("void geoplanMap.map.closePopup()")
        p.js("void geoplanMap.map.setZoom(9, {animate: false})")
        p.page.click("#gp-table-details summary")
        row = p.page.locator("#gp-table-rows tbody tr", has_text=point).first
        row.click()
        p.page.locator(".leaflet-popup-content .gp-popup-name").wait_for(timeout=5000)
        assert p.page.locator(".leaflet-popup-content .gp-popup-name").inner_text() == point
        assert p.js("geoplanMap.map.getZoom()") >= 15
        p.shot("map-dots-canvas.png")
        assert p.errors == []
    finally:
        p.page.close()
