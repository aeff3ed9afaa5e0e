"""The map in a real browser: headless Debian Chromium driven by Playwright.

Checks what a planner would: the page opens with no request leaving file://,
no console error, every located feature is drawn, and the theme switch, search,
task and precision filters and popups behave.  Skipped only where Chromium is
absent and not in CI (in CI a missing browser is a failure).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geoplan.map import render_map
from geoplan.output import filter_layers

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[1] / "test-output"
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing and CI is set: the browser tests must run in CI")
    pytest.skip(f"{CHROMIUM} not installed (install Debian's chromium to run the browser tests)",
                allow_module_level=True)

playwright_api = pytest.importorskip("playwright.sync_api") if not os.environ.get("CI") else __import__(
    "playwright.sync_api", fromlist=["sync_playwright"])

from test_map import make_basemap, make_plan_layer, make_unresolved  # noqa: E402  (same folder)

DOM_COUNT = """(() => {
  const paths = document.querySelectorAll('path.gp-feature').length;
  const markers = document.querySelectorAll('.leaflet-marker-pane .gp-marker').length;
  let clustered = 0;
  document.querySelectorAll('.leaflet-marker-pane .marker-cluster').forEach(e => clustered += parseInt(e.textContent, 10));
  return paths + markers + clustered;
})()"""


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Page:
    """A loaded map page plus what it requested and logged."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.geoplanMap !== undefined", timeout=30_000)
        self.page.wait_for_timeout(300)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def visible(self) -> int:
        return self.js("geoplanMap.visibleCount()")

    def dom_count(self, expected: int | None = None) -> int:
        """Features drawn in the DOM: paths + single markers + the counts shown on clusters.

        MarkerCluster animates (un)clustering for ~250 ms, during which a marker
        and its cluster are both in the DOM; with ``expected`` wait (up to 3 s)
        for the page to settle on that number before reading it.
        """
        if expected is not None:
            try:
                self.page.wait_for_function(f"{DOM_COUNT} === {int(expected)}", timeout=3000)
            except playwright_api.TimeoutError:
                pass  # the assertion that follows reports the number actually drawn
        return self.js(DOM_COUNT)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.page.wait_for_timeout(400)  # let popup fades and cluster animations finish
        self.page.screenshot(path=str(SHOTS / name))

    def remote_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]


@pytest.fixture(scope="module")
def layer():
    return make_plan_layer()


@pytest.fixture(scope="module")
def located(layer) -> int:
    return int((layer["located"].astype(bool) & layer.geometry.notna()).sum())


@pytest.fixture(scope="module", params=["inline", "files"])
def built(request, tmp_path_factory, layer):
    out = tmp_path_factory.mktemp(f"map-{request.param}") / "plan.html"
    render_map(layer, out, unresolved=make_unresolved(), title="示例规划 · 测试", assets=request.param,
               basemap=make_basemap())
    return request.param, out


@pytest.fixture
def page(browser, built):
    p = Page(browser, built[1])
    yield p
    p.page.close()


def test_loads_offline_without_errors_and_draws_every_feature(page, built, located):
    assert page.remote_requests() == []
    assert page.requests and all(u.startswith("file:") for u in page.requests if not u.startswith("data:"))
    assert page.errors == []
    assert page.js("geoplanMap.locatedCount") == located
    assert page.visible() == located
    assert page.dom_count(located) == located
    assert page.js("document.querySelectorAll('path.gp-base-admin').length") == 2
    assert page.js("document.querySelectorAll('path.gp-base-water').length") == 1
    assert page.js("document.querySelectorAll('#gp-legend .gp-legend-theme').length") == 4
    assert page.js("document.querySelectorAll('#gp-unresolved .gp-unresolved-row').length") == 1
    assert "显示 %d / %d" % (located, located) in page.js("document.getElementById('gp-count').textContent")
    page.shot(f"map-{built[0]}.png")


def test_switching_a_theme_off_hides_all_its_features(page, layer, located):
    drawn = layer[layer["located"].astype(bool) & layer.geometry.notna()]
    eco = int((drawn["theme"] == "生态").sum())
    page.page.locator("#gp-layers input.gp-theme-toggle[data-theme='生态']").uncheck()
    assert page.visible() == located - eco
    assert page.dom_count(located - eco) == located - eco
    assert page.js("geoplanMap.count(d => d.theme === '生态')") == 0
    page.shot("theme-off.png")
    page.page.locator("#gp-layers input.gp-theme-toggle[data-theme='生态']").check()
    assert page.dom_count(located) == located
    # one kind inside a theme
    page.page.locator("#gp-layers details.gp-theme[data-theme='生态'] summary").click()
    lakes = int(((drawn["theme"] == "生态") & (drawn["kind"] == "lake")).sum())
    page.page.locator("#gp-layers input.gp-kind-toggle[data-theme='生态'][data-kind='lake']").uncheck()
    assert page.visible() == located - lakes


def test_search_finds_dianshanhu_and_opens_it(page):
    box = page.page.locator("#gp-search-input")
    box.fill("淀山")
    assert "淀山湖" in page.page.locator("#gp-search-results").inner_text()
    box.press("Enter")
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "淀山湖" in popup.locator(".gp-popup-name").inner_text()
    assert popup.locator("mark").first.inner_text() in ("淀山湖", "淀湖")
    # the alias finds it too
    page.js("geoplanMap.map.closePopup()")
    box.fill("淀湖")
    box.press("Enter")
    popup.wait_for(timeout=5000)
    assert "淀山湖" in popup.locator(".gp-popup-name").inner_text()
    page.shot("search-dianshanhu.png")


def test_search_reaches_a_clustered_marker(page):
    page.js("geoplanMap.map.setZoom(8)")
    page.page.wait_for_timeout(400)
    assert page.js("document.querySelectorAll('.marker-cluster').length") > 0
    target = page.js("""geoplanMap.features.filter(f => f.data.m === 'marker'
                        && !geoplanMap.map.hasLayer(f.layer))[0].data.name""")
    page.page.locator("#gp-search-input").fill(target)
    page.page.locator("#gp-search-input").press("Enter")
    page.page.locator(".leaflet-popup-content").wait_for(timeout=10_000)
    assert page.page.locator(".leaflet-popup-content .gp-popup-name").inner_text() == target


def test_task_filter_narrows(page, layer, located):
    drawn = layer[layer["located"].astype(bool) & layer.geometry.notna()]
    under = drawn["task_id"].str.startswith("3/") | (drawn["task_id"] == "3")
    expected = int(under.sum())
    assert 0 < expected < located
    # the task list is the plan's own tree, titled: 任务3 is task 3
    page.page.locator("#gp-filter-task").select_option(label="任务3")
    assert page.visible() == expected
    assert page.dom_count(expected) == expected
    assert page.js("geoplanMap.count(d => !d.tids.some(t => t.indexOf('3/') === 0))") == 0
    # filters combine with the theme filter
    page.page.locator("#gp-filter-theme").select_option("产业")
    both = int((under & (drawn["theme"] == "产业")).sum())
    assert page.visible() == both
    page.page.locator("#gp-filter-task").select_option("")
    page.page.locator("#gp-filter-theme").select_option("")
    assert page.visible() == located


def test_precision_filter(page, layer, located):
    drawn = layer[layer["located"].astype(bool) & layer.geometry.notna()]
    coarse = int(drawn["precision"].isin(["town", "district", "city"]).sum())
    assert coarse > 0
    circles = page.js("document.querySelectorAll('path.gp-approx').length")
    assert circles == int((drawn["precision"].isin(["town", "district", "city"]) & (drawn.geom_type == "Point")).sum())
    for p in ("town", "district"):
        box = page.page.locator(f"#gp-filters input.gp-filter-precision[value='{p}']")
        if box.count():
            box.uncheck()
    assert page.visible() == located - coarse
    assert page.js("document.querySelectorAll('path.gp-approx').length") == 0
    assert page.dom_count(located - coarse) == located - coarse
    page.page.locator("#gp-filters input.gp-filter-precision[value='feature']").uncheck()
    assert page.visible() == 0 and page.dom_count(0) == 0


def test_popups_show_markup_as_text(page):
    page.js("geoplanMap.focus(geoplanMap.features.find(f => f.data.id === 'xss').index)")
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "<script>window.__xss=1</script>" in text
    assert '<img src=x onerror="window.__xss=2">' in text
    assert popup.locator("script, img, b").count() == 0
    assert page.js("window.__xss === undefined")
    unresolved = page.page.locator("#gp-unresolved")
    unresolved.locator("summary").click()
    assert "某<i>未知</i>园区" in unresolved.inner_text()
    assert page.js("window.__xss === undefined")
    assert page.remote_requests() == []
    assert page.errors == []
    page.shot("popup-escaped.png")


def test_real_gazetteer_basemap(browser, tmp_path, layer, located):
    """The basemap drawn from the embedded gazetteer (county polygons) under the features."""
    from geoplan.map.basemap import gazetteer_basemap_source

    source = gazetteer_basemap_source(layer)
    if source is None or source.empty:
        pytest.skip("the embedded gazetteer could not be built here")
    out = render_map(layer, tmp_path / "real.html", unresolved=make_unresolved(), title="示例 · 行政区底图")
    p = Page(browser, out)
    try:
        assert p.remote_requests() == [] and p.errors == []
        assert p.js("document.querySelectorAll('path.gp-base-admin').length") >= 2
        assert p.dom_count(located) == located
        p.shot("map-gazetteer-basemap.png")
    finally:
        p.page.close()


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
REAL_PLAN = CORPUS / "000_72d84e130422b212.txt"


@pytest.mark.corpus
def test_real_build_map(browser, tmp_path):
    """A real plan through the whole pipeline, then the map in the browser."""
    if not REAL_PLAN.is_file():
        pytest.skip(f"corpus plan {REAL_PLAN} not available")
    from geoplan.pipeline import build

    result = build([REAL_PLAN])
    feats = result.layers.features
    located = int((feats["located"].astype(bool) & feats.geometry.notna()).sum())
    assert located > 0
    out = render_map(feats, tmp_path / "real.html", unresolved=result.layers.unresolved,
                     title=result.plans[0].outline.title)
    p = Page(browser, out)
    try:
        assert p.remote_requests() == [] and p.errors == []
        assert p.js("geoplanMap.locatedCount") == located
        assert p.dom_count(located) == located
        assert p.js("document.querySelectorAll('path.gp-base-admin').length") >= 1
        assert p.js("document.querySelectorAll('#gp-unresolved .gp-unresolved-row').length") == len(
            result.layers.unresolved)
        theme = p.js("geoplanMap.themes[0].name")
        n_theme = p.js(f"geoplanMap.count(d => d.theme === {theme!r})")
        p.js(f"geoplanMap.setTheme({theme!r}, false)")
        assert p.dom_count(located - n_theme) == located - n_theme
        p.js(f"geoplanMap.setTheme({theme!r}, true)")
        hits = p.js("geoplanMap.find('淀山湖')")
        if hits:  # the lake is in this plan; when located, search must reach it
            p.page.locator("#gp-search-input").fill("淀山湖")
            p.page.locator("#gp-search-input").press("Enter")
            p.page.locator(".leaflet-popup-content").wait_for(timeout=10_000)
            assert "淀山湖" in p.page.locator(".leaflet-popup-content .gp-popup-name").inner_text()
        p.js("geoplanMap.map.closePopup(); geoplanMap.map.fitBounds(geoplanBasemap.getBounds())")
        p.shot("map-real-000.png")
    finally:
        p.page.close()


@pytest.fixture(scope="module")
def corpus_build(corpus_build):
    """The five seed plans through the whole pipeline (index, per-plan and per-theme maps): the session's build."""
    from geoplan.io import read_layers

    _, out = corpus_build
    return out, read_layers(out)


def _located_ids(kept) -> set[str]:
    feats = kept.features
    return set(feats.loc[feats["located"].astype(bool) & feats.geometry.notna(), "id"])


@pytest.mark.corpus
def test_plan_selector_scopes_the_task_tree(browser, corpus_build):
    out, tables = corpus_build
    p = Page(browser, out / "maps" / "index.html")
    try:
        assert p.errors == [] and p.remote_requests() == []
        plans = p.js("geoplanMap.plans")
        docs = sorted(set(tables.features["doc"]))
        assert sorted(x["doc"] for x in plans) == docs
        boxes = p.page.locator("#gp-filter-plans input.gp-filter-plan")
        assert boxes.count() == len(docs)
        # every plan named by its title, or by its id when it has none: never by its file name
        labels = p.page.locator("#gp-filter-plans label").all_inner_texts()
        assert all(lab and lab not in docs for lab in labels)
        # none ticked: every plan's tree, one group per plan
        assert p.js("document.querySelectorAll('#gp-filter-task optgroup').length") == len(docs)
        one = plans[0]
        boxes.nth(0).check()
        groups = p.js("Array.from(document.querySelectorAll('#gp-filter-task optgroup')).map(g => g.label)")
        assert groups == [one["label"]]
        assert p.visible() == len(_located_ids(filter_layers(tables, doc=one["doc"])))
        # a task of that plan selects what `--doc … --task …` selects
        task = next(t for t in one["tasks"] if t["depth"] == 0)
        value = p.js("id => Array.from(document.querySelectorAll('#gp-filter-task option'))"
                     ".find(o => o.dataset.task === id).value", task["id"])
        p.page.locator("#gp-filter-task").select_option(value)
        expected = _located_ids(filter_layers(tables, doc=one["doc"], task=task["id"]))
        assert p.visible() == len(expected) > 0
        assert set(p.js("geoplanMap.features.filter(f => f.shown).map(f => f.data.id)")) == expected
        p.shot("map-plan-selector.png")
        # a second plan: both trees, the union of both plans
        boxes.nth(0).uncheck()
        boxes.nth(1).check()
        boxes.nth(0).check()
        assert p.js("document.querySelectorAll('#gp-filter-task optgroup').length") == 2
        two = filter_layers(tables, doc=[plans[0]["doc"], plans[1]["doc"]])
        p.page.locator("#gp-filter-task").select_option("")
        assert p.visible() == len(_located_ids(two))
    finally:
        p.page.close()


@pytest.mark.corpus
def test_page_filters_count_what_filter_layers_keeps(browser, corpus_build):
    """Theme, plan and task filters of the page against ``filter_layers``, on every value."""
    out, tables = corpus_build
    from geoplan.output.filter import present_themes

    p = Page(browser, out / "maps" / "index.html")
    try:
        shown = "geoplanMap.features.filter(f => f.shown).map(f => f.data.id)"
        for theme in present_themes(tables.features):
            p.js(f"geoplanMap.setFilter('theme', {theme!r})")
            assert set(p.js(shown)) == _located_ids(filter_layers(tables, theme=theme)), theme
        p.js("geoplanMap.setFilter('theme', '')")
        for plan in p.js("geoplanMap.plans"):
            p.js(f"geoplanMap.setPlans([{plan['doc']!r}])")
            assert set(p.js(shown)) == _located_ids(filter_layers(tables, doc=plan["doc"])), plan["doc"]
            for task in plan["tasks"][:8]:
                p.js(f"geoplanMap.setTask({plan['doc']!r}, {task['id']!r})")
                expected = _located_ids(filter_layers(tables, doc=plan["doc"], task=task["id"]))
                assert set(p.js(shown)) == expected, (plan["doc"], task["id"])
            p.js("geoplanMap.setTask('', '')")
        p.js("geoplanMap.setPlans([])")
        assert p.visible() == p.js("geoplanMap.locatedCount")
    finally:
        p.page.close()


def test_large_regions_under_and_circles_by_zoom(browser, tmp_path):
    """A province-sized polygon is an unfilled outline below the rest; a city circle hides up close."""
    import geopandas as gpd
    from shapely.geometry import Point, box

    base = {"kind": "zone", "doc": "d", "doc_title": "规划", "task_id": "一", "task_path": "一、总则",
            "task_top": "一", "theme": "生态", "themes": "生态", "located": True, "method": "exact"}
    rows = [
        dict(base, id="big", name="大区域", precision="feature", precision_m=100.0, geometry=box(119.5, 30.0, 122.0, 32.0)),
        dict(base, id="small", name="小片区", precision="feature", precision_m=50.0,
             geometry=box(121.0, 31.0, 121.03, 31.03)),
        dict(base, id="city", name="某市", precision="city", precision_m=90_000.0, geometry=Point(121.2, 31.1)),
    ]
    layer = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    out = render_map(layer, tmp_path / "sizes.html", title="尺度", basemap=make_basemap().iloc[0:0])
    p = Page(browser, out)
    try:
        assert p.errors == []
        region = p.page.locator("path.gp-region")
        assert region.count() == 1 and region.get_attribute("fill") == "none"
        z = p.js("[getComputedStyle(geoplanMap.map.getPane('gpRegionPane')).zIndex,"
                 " getComputedStyle(geoplanMap.map.getPane('gpAreaPane')).zIndex].map(Number)")
        assert z[0] < z[1]
        hidden = "document.querySelector('path.gp-approx').classList.contains('gp-offzoom')"
        p.js("geoplanMap.map.setView([31.1, 121.2], 14, {animate: false})")
        assert p.js(hidden) is True
        p.js("geoplanMap.map.setView([31.1, 121.2], 7, {animate: false})")
        assert p.js(hidden) is False
        assert p.visible() == 3  # hidden at a zoom is not filtered out
        p.shot("map-sizes.png")
    finally:
        p.page.close()
