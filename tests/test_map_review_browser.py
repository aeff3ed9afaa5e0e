"""The feature table, the plan-text page and review in the map, in headless Chromium.

What a planner does: sorts and filters the table, clicks a row, downloads what
is shown; follows "在规划中查看" to the plan's text; picks a candidate or clicks
the map for a name geoplan could not place, downloads the sheet and rebuilds
with it.  Downloads are read back with geoplan's own readers.  Screenshots go
to ``test-output/``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geoplan.io.cells import escape_cell, unescape_frame
from geoplan.map import render_map
from geoplan.map.textpage import write_text_page
from geoplan.records import REVIEW_COLUMNS

from test_map import make_plan_layer, make_unresolved
from test_map_browser import Page, browser, playwright_api  # noqa: F401  (the browser fixture)
from test_map_review import DOC, FakeGazetteer, _mentions, _plan_text

pytestmark = pytest.mark.browser

#: names a spreadsheet would run, and names that need CSV quoting
TRICKY = ["=1+1园", "+86路", "-区", "@某处", "'引号", "\t制表", 'a,"b"\n换行']


@pytest.fixture(scope="module")
def tricky_layer() -> gpd.GeoDataFrame:
    layer = make_plan_layer()
    base = layer.iloc[0].to_dict()
    extra = [{**base, "id": f"tricky-{i}", "name": n, "theme": "交通", "precision": "feature", "method": "exact",
              "located": True, "geometry": Point(121.02 + i * 0.003, 31.12)} for i, n in enumerate(TRICKY)]
    return gpd.GeoDataFrame(pd.concat([layer, gpd.GeoDataFrame(extra, crs=layer.crs)], ignore_index=True),
                            geometry="geometry", crs="EPSG:4326")


@pytest.fixture(scope="module")
def table_map(tmp_path_factory, tricky_layer) -> Path:
    out = tmp_path_factory.mktemp("table") / "plan.html"
    unresolved = make_unresolved().assign(candidates="g:1; g:2")
    return render_map(tricky_layer, out, unresolved=unresolved, title="示例规划", basemap=tricky_layer.iloc[:0],
                      gazetteer=FakeGazetteer())


@pytest.fixture
def page(browser, table_map):  # noqa: F811
    p = Page(browser, table_map)
    yield p
    p.page.close()


def _rows(p: Page) -> list[list[str]]:
    return p.js("""Array.from(document.querySelectorAll('#gp-table-rows tbody tr'))
                     .map(tr => Array.from(tr.cells).map(td => td.title || td.textContent))""")


def test_table_follows_the_filters_sorts_and_zooms(page):
    p = page
    p.page.click("#gp-table-details summary")
    # the rows are built on the panel's toggle event, which the browser fires after the click returns
    p.page.wait_for_function("document.querySelectorAll('#gp-table-rows tbody tr').length > 0", timeout=10_000)
    assert len(_rows(p)) == p.visible() == p.js("geoplanMap.locatedCount")
    n_traffic = p.js("geoplanMap.count(d => d.theme === '交通')")
    p.js("geoplanMap.setTheme('交通', false)")
    assert len(_rows(p)) == p.visible() == p.js("geoplanMap.locatedCount") - n_traffic
    p.js("geoplanMap.setTheme('交通', true)")
    # precision: in the order of maps/styles.toml, reversed on a second click
    order = p.js("geoplanMap.precisions.map(x => x.label)")
    p.page.click("#gp-table-rows th[data-col=precision]")
    ranks = [order.index(r[5]) for r in _rows(p)]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
    p.page.click("#gp-table-rows th[data-col=precision]")
    assert [order.index(r[5]) for r in _rows(p)] == sorted(ranks, reverse=True)
    p.page.click("#gp-table-rows th[data-col=name]")
    names = [r[0] for r in _rows(p)]
    assert names == p.js("(n) => n.slice().sort((a, b) => a.localeCompare(b, 'zh-Hans-CN', {numeric: true}))", names)
    # a click on a row zooms to the feature and opens its popup
    p.page.locator("#gp-table-rows tbody tr", has_text="淀山湖").first.click()
    p.page.locator(".leaflet-popup-content .gp-popup-name").wait_for(timeout=10_000)
    assert p.page.locator(".leaflet-popup-content .gp-popup-name").inner_text() == "淀山湖"
    p.shot("table-sorted-zoomed.png")


def test_the_popup_of_a_fallback_feature_opens_it_in_the_review_list(page):
    """The one popup is built on click: the review button is added as it is built and still acts."""
    p = page
    index = p.js("geoplanMap.features.find(f => f.data.name === '金泽镇').index")
    assert p.js(f"geoplanMap.openPopup({index})")
    button = p.page.locator(".leaflet-popup-content .gp-review-open")
    button.wait_for(timeout=5000)
    assert p.js("document.getElementById('gp-review-details').open") is False
    button.click()
    # the click's handlers may run after an auto-pan frame on a loaded machine: wait for the effect
    p.page.wait_for_function("document.getElementById('gp-review-details').open", timeout=5000)
    focused = p.page.locator("#gp-review-details .gp-review-item.gp-review-focus")
    focused.first.wait_for(timeout=5000)
    assert focused.count() == 1 and "金泽镇" in focused.inner_text()
    # an exact feature has nothing to review: no button in its popup
    exact = p.js("geoplanMap.features.find(f => f.data.prec === 'feature' && f.data.m === 'area').index")
    assert p.js(f"geoplanMap.openPopup({exact})")
    p.page.locator(".leaflet-popup-content .gp-popup-name").wait_for(timeout=5000)
    assert p.page.locator(".leaflet-popup-content .gp-review-open").count() == 0
    assert p.errors == []


def _download(p: Page, selector: str) -> bytes:
    with p.page.expect_download() as info:
        p.page.click(selector)
    return Path(info.value.path()).read_bytes()


def test_downloads_hold_what_is_shown_csv_escaped_like_geoplan(page, tricky_layer, tmp_path):
    p = page
    p.page.click("#gp-table-details summary")
    data = _download(p, "#gp-table-csv")
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    raw = list(csv.DictReader(io.StringIO(text)))
    shown = set(p.js("geoplanMap.features.filter(f => f.shown).map(f => f.data.id)"))
    assert {r["id"] for r in raw} == shown
    by_id = {r["id"]: r for r in raw}
    for i, name in enumerate(TRICKY):
        cell = by_id[f"tricky-{i}"]["name"]
        assert cell == escape_cell(name)  # the same cell geoplan's own CSV writers write
    back = unescape_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
    assert set(back["name"]) >= set(TRICKY)
    lake = back[back["id"] == "lake-dianshanhu"].iloc[0]
    geom = tricky_layer.set_index("id").loc["lake-dianshanhu", "geometry"]
    assert geom.contains(Point(float(lake["lon"]), float(lake["lat"]))) and lake["crs"] == "EPSG:4326"
    assert lake["kind"] == "lake" and lake["themes"] == "生态;文旅"  # field values as exported: not the labels

    # the GeoJSON of a filtered page: only that theme, geometry as drawn
    p.js("geoplanMap.setFilter('theme', '生态')")
    path = tmp_path / "shown.geojson"
    path.write_bytes(_download(p, "#gp-table-geojson"))
    got = gpd.read_file(path)
    assert set(got["id"]) == set(p.js("geoplanMap.features.filter(f => f.shown).map(f => f.data.id)"))
    assert len(got) < len(shown)
    src = tricky_layer.set_index("id")
    for fid, g in zip(got["id"], got.geometry):
        want = src.loc[fid, "geometry"]
        if want.geom_type == "Point":
            assert g.geom_type == "Point" and g.distance(want) < 1e-5
        else:
            assert g.geom_type.replace("Multi", "") == want.geom_type.replace("Multi", "")
            assert g.hausdorff_distance(want) < 1e-5


def test_the_popup_opens_the_plan_text_at_the_mention(browser, tmp_path):  # noqa: F811
    norm, outline = _plan_text()
    mentions = _mentions(norm.text, [("东湖大道", "f-road"), ("东站", "f-east")])
    write_text_page(tmp_path, DOC, "示例区发展规划", norm.text, outline.nodes, mentions)
    layer = gpd.GeoDataFrame(
        [{"id": "f-road", "name": "东湖大道", "kind": "road", "theme": "交通", "doc": DOC, "located": True,
          "precision": "feature", "task_path": "一、交通建设 > （一）道路", "geometry": Point(121.0, 31.0)},
         {"id": "f-east", "name": "东站", "kind": "station", "theme": "交通", "doc": DOC, "located": True,
          "precision": "feature", "geometry": Point(121.05, 31.02)}],
        geometry="geometry", crs="EPSG:4326")
    out = render_map(layer, tmp_path / "index.html", mentions=mentions, basemap=layer.iloc[:0], text_docs={DOC})
    p = Page(browser, out)
    try:
        p.js("geoplanMap.focus(0)")
        link = p.page.locator(".leaflet-popup-content .gp-textlink")
        link.wait_for(timeout=10_000)
        assert link.inner_text() == "在规划中查看"
        with p.page.context.expect_page() as info:
            link.click()
        text = info.value
        text.wait_for_load_state()
        text.wait_for_function("document.querySelector('mark.gp-current') !== null", timeout=10_000)
        first = mentions[mentions["feature_id"] == "f-road"].iloc[0]
        assert text.evaluate("location.hash") == f"#m{first['start']}-{first['end']}.f-road"
        assert text.evaluate("document.querySelector('mark.gp-current').id") == f"m{first['start']}-{first['end']}"
        # every mention of the feature marked, and the page steps through them
        assert text.evaluate("document.querySelectorAll('mark.gp-same').length") == 2
        text.click("#gp-text-next")
        second = mentions[mentions["feature_id"] == "f-road"].iloc[1]
        assert text.evaluate("document.querySelector('mark.gp-current').id") == f"m{second['start']}-{second['end']}"
        # an outline entry goes to its heading
        text.locator("#gp-text-nav a", has_text="生态保护").click()
        assert text.evaluate("location.hash").startswith("#h")
        text.screenshot(path=str(Path(__file__).resolve().parents[1] / "test-output" / "text-page.png"))
        text.close()
    finally:
        p.page.close()


def _click_map(p: Page, fx: float, fy: float) -> None:
    """A real mouse click at a fraction of the map's size (not on a panel)."""
    box = p.page.locator(".leaflet-container").bounding_box()
    p.page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def _decide(p: Page) -> dict:
    """The review panel: a candidate for the unresolved name, a click on the map for the fallback town."""
    p.page.click("#gp-review-details summary")
    p.page.locator(".gp-review-item", has_text="未知").locator(".gp-review-cand", has_text="甲镇").click()
    p.page.locator(".gp-review-item", has_text="金泽镇").locator(".gp-review-place").click()
    assert "金泽镇" in p.page.locator("#gp-review-placing").inner_text()
    _click_map(p, 0.62, 0.55)
    return p.js("geoplanMap.review.decisions()")


def test_review_decisions_are_kept_and_download_as_an_overrides_sheet(page, tmp_path):
    from geoplan.geocode.overrides import Overrides, decided_rows

    p = page
    # a candidate without a position is listed but cannot be chosen
    p.page.click("#gp-review-details summary")
    item = p.page.locator(".gp-review-item", has_text="未知")
    item.first.wait_for(timeout=10_000)  # the list is drawn as the panel opens (its toggle event)
    assert item.locator(".gp-review-cand").count() == 1 and "乙镇" in item.inner_text()
    p.page.click("#gp-review-details summary")
    decisions = _decide(p)
    assert len(decisions) == 2
    p.shot("review-decided.png")
    p.page.reload()
    p.page.wait_for_function("window.geoplanMap !== undefined")
    assert p.js("Object.keys(geoplanMap.review.decisions()).length") == 2  # kept by the browser
    assert p.js("document.querySelectorAll('path.gp-review-decided').length") == 2
    # the panel stays open across the reload, like every panel (map.layout), its list rebuilt
    assert p.js("document.getElementById('gp-review-details').open")
    p.page.locator(".gp-review-item", has_text="金泽镇").wait_for(timeout=5000)
    sheet = tmp_path / "复核表.csv"
    sheet.write_bytes(_download(p, "#gp-review-download"))
    header = next(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert tuple(header) == REVIEW_COLUMNS
    rows = {o.name: o for o in Overrides.load(sheet).rows}
    assert set(rows) == {"某<i>未知</i>园区", "金泽镇"}
    assert rows["某<i>未知</i>园区"].gazetteer_id == "g:1" and rows["某<i>未知</i>园区"].doc == "sample"
    town = rows["金泽镇"]
    bounds = p.js("geoplanMap.map.getBounds().toBBoxString()").split(",")
    assert float(bounds[0]) < town.lon < float(bounds[2]) and float(bounds[1]) < town.lat < float(bounds[3])
    assert town.crs == "EPSG:4326" and town.precision_m and town.precision_m > 1
    assert len(decided_rows(sheet)) == 2
    # undo removes a decision from the page and the sheet
    p.page.locator(".gp-review-item", has_text="金泽镇").locator(".gp-review-undo").click()
    assert p.js("Object.keys(geoplanMap.review.decisions()).length") == 1


def test_decide_in_the_page_download_rebuild_and_the_feature_is_an_override(browser, gazetteer, tmp_path):  # noqa: F811
    """End to end on a plan written for the test: build, decide in Chromium, download, rebuild with --overrides."""
    from geoplan.io import read_layers
    from geoplan.pipeline import build

    plan = tmp_path / "示例规划.txt"
    plan.write_text(
        "上海市青浦区示例发展规划\n\n一、交通建设\n（一）道路与枢纽\n推进朱家角镇对外交通改善，建设青浦新城站综合交通枢纽，"
        "规划建设蓝湾科创产业园配套道路。加强与北京路街道的交流合作。\n（二）公共交通\n优化金泽镇公交线网，推动练塘镇公交首末站建设。\n"
        "二、生态保护\n保护淀山湖水环境，推进元荡岸线生态修复。\n", encoding="utf-8")
    gaz = gazetteer
    first = build([plan], tmp_path / "out", gazetteer=gaz)
    unresolved = first.layers.unresolved
    # one name found nowhere (placed by a click), one that several places bear (a candidate picked)
    lost = unresolved[unresolved["candidates"].fillna("") == ""].iloc[0]["name"]
    shared = unresolved[unresolved["candidates"].fillna("").str.contains(r"\[")].iloc[0]["name"]
    assert (tmp_path / "out" / "maps" / f"text_{plan.stem}.html").is_file()
    p = Page(browser, tmp_path / "out" / "maps" / "index.html")
    try:
        assert p.errors == [] and p.remote_requests() == []
        p.page.click("#gp-review-details summary")
        p.page.locator(".gp-review-item", has_text=lost).locator(".gp-review-place").click()
        _click_map(p, 0.6, 0.5)
        pick = p.page.locator(".gp-review-item", has_text=shared).locator(".gp-review-cand").first
        chosen = pick.get_attribute("data-id")
        pick.click()
        decided = p.js("geoplanMap.review.decisions()")
        assert len(decided) == 2
        p.shot("review-e2e.png")
        sheet = tmp_path / "decisions.csv"
        sheet.write_bytes(_download(p, "#gp-review-download"))
    finally:
        p.page.close()
    second = build([plan], tmp_path / "out2", gazetteer=gaz, overrides=sheet)
    feats = second.layers.features.set_index("name")
    row = feats.loc[lost]
    assert row["method"] == "override" and bool(row["located"])
    dec = next(d["row"] for d in decided.values() if d["row"]["name"] == lost)
    assert row.geometry.distance(Point(float(dec["lon"]), float(dec["lat"]))) < 1e-6
    assert feats.loc[shared, "method"] == "override" and feats.loc[shared, "gazetteer_id"] == chosen
    assert feats.loc[shared].geometry.equals(gaz.get(chosen).geometry)
    # the written output says the same
    again = read_layers(tmp_path / "out2").features.set_index("name").loc[lost]
    assert again["method"] == "override"
