"""Several plans on one map: plan titles, each plan's own task tree, per-plan maps, drawing by size."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geoplan.io import read_layers
from geoplan.map.features import area_km2, build_payload, zoom_range
from geoplan.map.plans import plan_label, plan_labels, task_index
from geoplan.map.styles import load_style


def _feature(fid: str, doc: str, title: str, task_id: str, task_path: str, geometry, **extra) -> dict:
    row = {"id": fid, "name": fid, "kind": "park", "doc": doc, "doc_title": title, "task_id": task_id,
           "task_path": task_path, "task_top": task_id.split("/")[0], "theme": "生态", "themes": "生态",
           "located": True, "precision": "feature", "precision_m": 50.0, "method": "exact", "geometry": geometry}
    row.update(extra)
    return row


@pytest.fixture
def two_plans() -> gpd.GeoDataFrame:
    """Two plans that both have a chapter 三; the second has no title."""
    rows = [
        _feature("a1", "010_east", "东区规划", "三/(一)", "三、生态 > (一)湖泊", Point(121.0, 31.0)),
        _feature("a2", "010_east", "东区规划", "一", "一、总则", Point(121.01, 31.0)),
        _feature("b1", "011_west", "", "三", "三、交通", Point(121.1, 31.0)),
        _feature("b2", "011_west", "", "三/(二)", "三、交通 > (二)轨道", Point(121.11, 31.0)),
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def test_plan_label_is_the_title_or_the_id():
    assert plan_label("010_east", "东区规划") == "东区规划"
    assert plan_label("011_west", "") == "011"
    assert plan_label("plain", "  ") == "plain"


def test_each_plan_has_its_own_titled_tree(two_plans):
    _, plans = task_index(two_plans)
    by_doc = {p["doc"]: p for p in plans}
    assert by_doc["010_east"]["label"] == "东区规划" and by_doc["011_west"]["label"] == "011"
    east = {t["id"]: t for t in by_doc["010_east"]["tasks"]}
    west = {t["id"]: t for t in by_doc["011_west"]["tasks"]}
    assert set(east) == {"三", "三/(一)", "一"} and set(west) == {"三", "三/(二)"}
    assert east["三"]["title"] == "三、生态" and west["三"]["title"] == "三、交通"
    assert east["三/(一)"]["title"] == "(一)湖泊" and east["三/(一)"]["depth"] == 1


def test_task_mentions_add_tasks_and_order_the_tree(two_plans):
    mentions = pd.DataFrame([
        {"feature_id": "a2", "doc": "010_east", "task_id": "一", "task_path": "一、总则", "is_task": True, "start": 5},
        {"feature_id": "a1", "doc": "010_east", "task_id": "三/(一)", "task_path": "三、生态 > (一)湖泊",
         "is_task": True, "start": 900},
        {"feature_id": "a1", "doc": "010_east", "task_id": "二", "task_path": "二、产业", "is_task": True, "start": 400},
        {"feature_id": "a2", "doc": "010_east", "task_id": "四", "task_path": "四、保障", "is_task": False, "start": 950},
    ])
    tids, plans = task_index(two_plans, mentions)
    assert tids["a1"] == ["三/(一)", "二"]
    east = next(p for p in plans if p["doc"] == "010_east")
    # in the order of the text; a mention outside tasks adds nothing
    assert [t["id"] for t in east["tasks"]] == ["一", "二", "三", "三/(一)"]


def test_popup_and_unresolved_name_plans_by_title(two_plans):
    style = load_style()
    payload = build_payload(two_plans, style, style.themes(["生态"]))
    popups = {f["id"]: f["p"][1] for f in payload["features"]}
    assert "东区规划" in popups["a1"] and not any("010_east" in v for v in popups["a1"])
    assert "011" in popups["b1"] and not any("011_west" in v for v in popups["b1"])
    assert plan_labels(two_plans) == {"010_east": "东区规划", "011_west": "011"}


def test_large_polygons_are_outlined_regions_and_small_ones_areas():
    style = load_style()
    limit = float(style.section("region")["min_area_km2"])
    big = box(119.0, 30.0, 122.0, 32.0)  # tens of thousands of km²
    small = box(121.0, 31.0, 121.05, 31.05)
    assert area_km2(big) > limit > area_km2(small) > 0
    feats = gpd.GeoDataFrame([
        _feature("big", "d", "规划", "一", "一、总则", big),
        _feature("small", "d", "规划", "一", "一、总则", small),
    ], geometry="geometry", crs="EPSG:4326")
    payload = build_payload(feats, style, style.themes(["生态"]))
    modes = {f["id"]: f["m"] for f in payload["features"]}
    assert modes == {"big": "region", "small": "area"}
    assert payload["style"]["region"]["fill_opacity"] == 0


def test_fallback_circles_only_at_meaningful_zooms():
    approx = load_style().section("approximate")
    lo, hi = float(approx["min_px"]), float(approx["max_px"])
    town = zoom_range(2500, 31.0, lo, hi)
    city = zoom_range(90_000, 31.0, lo, hi)
    assert city[0] < town[0] and city[1] < town[1]
    # a city-wide circle is not drawn at street zooms, a town circle not at country zooms
    assert city[1] < 12 and town[0] > 6
    feats = gpd.GeoDataFrame([
        _feature("t", "d", "规划", "一", "一、总则", Point(121.0, 31.0), precision="town", precision_m=2500.0),
    ], geometry="geometry", crs="EPSG:4326")
    style = load_style()
    [rec] = build_payload(feats, style, style.themes(["生态"]))["features"]
    assert rec["m"] == "approx" and list(rec["z"]) == list(town)


# ------------------------------------------------------------------ Chinese labels
def test_popup_and_unresolved_words_are_chinese():
    from geoplan.map.popup import popup_html
    from geoplan.map.unresolved import unresolved_html

    style = load_style()
    row = {"name": "某产业园", "kind": "industrial_park", "method": "admin-fallback", "precision": "district",
           "precision_m": 5000.0, "doc": "020_x", "doc_title": ""}
    html = popup_html(row, style)
    assert "industrial_park" not in html and "admin-fallback" not in html and "020_x" not in html
    assert style.kind_label("industrial_park") in html and style.method_label("admin-fallback") in html
    unresolved = pd.DataFrame([{"name": "某园", "doc": "020_x", "kind": "industrial_park", "reason": "not-found",
                                "detail": "'某园' is in no gazetteer layer and holds no place geoplan knows",
                                "candidates": "", "quote": "", "task_path": ""}])
    panel = unresolved_html(unresolved, plans={"020_x": "某规划"}, kinds=style.kind_labels, style=style)
    assert not re.search(r"gazetteer|industrial_park|not-found|020_x", panel)
    assert "某规划" in panel and "某园" in panel


def test_every_method_kind_and_detail_of_a_build_reads_in_chinese(example_build):
    style = load_style()
    tables = read_layers(example_build)
    methods = set(tables.features["method"].dropna())
    assert methods
    for m in methods:
        assert not re.search(r"[A-Za-z]", style.method_label(m)), m
    for k in set(tables.features["kind"].dropna()) | set(tables.unresolved["kind"].dropna()):
        assert not re.search(r"[A-Za-z]", style.kind_label(k)), k
    for detail in tables.unresolved["detail"].dropna():
        assert style.detail_label(detail) != detail, detail
