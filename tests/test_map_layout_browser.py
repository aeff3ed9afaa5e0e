"""The map's layout in headless Chromium at a laptop's 1366×768 and at 1400×900.

A popup must never open under a panel: for the features nearest each corner
of the map (where the panels sit), with every panel unfolded as far as it
goes, the opened popup's rectangle meets no panel's rectangle and stays
inside the map.  Panels fold behind their heading and stay folded on reload
and on the next map.  Screenshots go to ``test-output/`` (printed).
"""

from __future__ import annotations

import pytest

from geoplan.map import render_map

pytestmark = pytest.mark.browser

from test_map import make_basemap, make_plan_layer, make_unresolved  # noqa: E402  (same folder)
from test_map_browser import SHOTS, Page, browser  # noqa: E402,F401  (skips the module without Chromium)

VIEWPORTS = [(1366, 768), (1400, 900)]
PANELS = ["gp-search", "gp-filters", "gp-layers", "gp-legend"]

# the shown feature whose popup anchor lies nearest each corner of the map, in container pixels
NEAREST_CORNERS = """(() => {
  const api = geoplanMap, map = api.map, size = map.getSize();
  const corners = {tl: [0, 0], tr: [size.x, 0], bl: [0, size.y], br: [size.x, size.y]};
  const out = {};
  for (const [name, c] of Object.entries(corners)) {
    let best = null, dist = Infinity;
    api.features.forEach(f => {
      if (!f.shown) { return; }
      const ll = f.layer.getLatLng ? f.layer.getLatLng() : f.layer.getCenter();
      const p = map.latLngToContainerPoint(ll);
      if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) { return; }
      const d = Math.hypot(p.x - c[0], p.y - c[1]);
      if (d < dist) { dist = d; best = f.index; }
    });
    out[name] = best;
  }
  return out;
})()"""

RECTS = """(() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const panels = Array.from(document.querySelectorAll('.leaflet-control-container .leaflet-control, .gp-title'))
    .filter(el => el.getBoundingClientRect().width > 0)
    .map(el => ({id: el.id || el.className, rect: box(el)}));
  const popup = document.querySelector('.leaflet-popup');
  return {map: box(geoplanMap.map.getContainer()), popup: popup ? box(popup) : null, panels: panels};
})()"""


def _meets(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def map_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("layout") / "plan.html"
    title = "示例规划 · 一个相当长的规划标题用来占满标题栏的宽度"
    return render_map(make_plan_layer(), out, unresolved=make_unresolved(), title=title, basemap=make_basemap())


def _unfold_everything(p: Page) -> None:
    """Every panel at its largest: the unresolved list, the feature table and the review list open, every
    theme's kinds listed."""
    for details in ("#gp-unresolved details", "#gp-table-details", "#gp-review-details"):
        p.js(f"document.querySelector('{details}').open = true")
    p.page.locator("#gp-table-rows tbody tr").first.wait_for(timeout=5000)
    p.page.locator("#gp-review-details .gp-review-item").first.wait_for(timeout=5000)
    p.js("document.querySelectorAll('#gp-layers details').forEach(d => d.open = true)")
    for pid in PANELS:
        assert p.js(f"!document.getElementById('{pid}').classList.contains('gp-collapsed')")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_popups_near_every_corner_clear_every_panel(browser, map_file, viewport):
    p = Page(browser, map_file)
    try:
        p.page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        p.js("geoplanMap.map.invalidateSize({animate: false})")
        # a fresh browser profile: nothing folded yet; unfold the legend a short screen folds at first
        legend = p.page.locator("#gp-legend")
        if "gp-collapsed" in (legend.get_attribute("class") or ""):
            legend.locator(".gp-panel-toggle").click()
        _unfold_everything(p)
        # open panels share their side of the map: none runs over another
        rects = p.js(RECTS)["panels"]
        overlaps = [(a["id"], b["id"]) for i, a in enumerate(rects) for b in rects[i + 1:] if _meets(a["rect"], b["rect"])]
        assert overlaps == [], (viewport, overlaps)
        picks = p.js(NEAREST_CORNERS)
        assert all(v is not None for v in picks.values()), picks
        for corner, index in picks.items():
            p.js("void geoplanMap.map.closePopup()")
            assert p.js(f"geoplanMap.openPopup({index})")
            p.page.locator(".leaflet-popup-content .gp-popup-name").wait_for(timeout=5000)
            p.page.wait_for_timeout(450)  # the auto-pan animation
            r = p.js(RECTS)
            popup, frame = r["popup"], r["map"]
            assert popup is not None
            assert frame[0] <= popup[0] and frame[1] <= popup[1] and popup[2] <= frame[2] and popup[3] <= frame[3], (
                corner, popup, frame)
            covering = [x["id"] for x in r["panels"] if _meets(popup, x["rect"])]
            assert covering == [], (corner, viewport, covering)
            p.shot(f"layout-{viewport[0]}x{viewport[1]}-{corner}.png")
        assert p.errors == [] and p.remote_requests() == []
        print(f"screenshots in {SHOTS}")
    finally:
        p.page.close()


def test_panels_fold_and_stay_folded_on_reload_and_on_the_next_map(browser, map_file, tmp_path):
    other = render_map(make_plan_layer().iloc[:20], tmp_path / "other.html", title="另一张图", basemap=make_basemap())
    p = Page(browser, map_file)
    try:
        p.page.set_viewport_size({"width": 1366, "height": 768})
        heights = {pid: p.js(f"document.getElementById('{pid}').getBoundingClientRect().height") for pid in PANELS}
        for pid in PANELS:
            toggle = p.page.locator(f"#{pid} > .gp-panel-toggle")
            if p.js(f"document.getElementById('{pid}').classList.contains('gp-collapsed')"):
                toggle.click()  # unfold first what a short screen folds
                heights[pid] = p.js(f"document.getElementById('{pid}').getBoundingClientRect().height")
            toggle.click()
            assert p.js(f"document.getElementById('{pid}').classList.contains('gp-collapsed')")
            assert p.page.locator(f"#{pid} > .gp-panel-body").is_hidden()
            folded = p.js(f"document.getElementById('{pid}').getBoundingClientRect().height")
            assert folded < heights[pid] and folded < 40, (pid, folded, heights[pid])
        p.shot("layout-folded.png")
        # the filters still work while folded: folding hides, it does not reset
        total = p.visible()
        p.js("geoplanMap.setFilter('theme', '生态')")
        assert 0 < p.visible() < total
        counts = p.js("Array.from(document.querySelectorAll('#gp-layers summary .gp-n'))"
                      ".map(e => parseInt(e.textContent.slice(1), 10))")
        assert sum(counts) == p.visible()  # the folded layer list kept counting
        for target in (map_file, other):
            p.page.goto(target.as_uri())
            p.page.wait_for_function("window.geoplanMap !== undefined")
            for pid in PANELS:
                assert p.js(f"document.getElementById('{pid}').classList.contains('gp-collapsed')"), (target.name, pid)
        for pid in PANELS:
            p.page.locator(f"#{pid} > .gp-panel-toggle").click()
            assert p.page.locator(f"#{pid} > .gp-panel-body").is_visible()
        assert p.errors == []
    finally:
        p.page.close()
