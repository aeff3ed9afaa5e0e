"""End to end: the five real plans through the whole pipeline, checked as a planner would."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import shape

pytestmark = pytest.mark.corpus

QINGPU = "cn-310118"


def _plan(result, prefix):
    return next(p for p in result.plans if p.doc.startswith(prefix))


def _feature(layers, prefix, name):
    f = layers.features
    rows = f[(f["doc"].str.startswith(prefix)) & (f["name"] == name)]
    assert len(rows) == 1, f"{name} not a feature of plan {prefix}: {sorted(f[f['doc'].str.startswith(prefix)]['name'])}"
    return rows.iloc[0]


def test_every_plan_is_processed(corpus_build, corpus_files):
    result, _ = corpus_build
    assert not result.errors
    assert len(result.plans) == len(corpus_files) == 5
    for p in result.plans:
        top = [n for n in p.outline.nodes if n.parent is p.outline.root]
        assert len(top) >= 4, f"{p.doc}: task tree has only {len(top)} top-level sections"
        assert any(n.is_task for n in p.outline.nodes), p.doc
        assert len(p.features) >= 20, f"{p.doc}: only {len(p.features)} features"


def test_top_level_sections(corpus_build):
    result, _ = corpus_build
    titles = {p.doc[:3]: [n.title for n in p.outline.nodes if n.parent is p.outline.root] for p in result.plans}
    # read off the plans: 000 has five 一、… sections, 004 is organised in 第X章 chapters
    assert any("主要任务" in t for t in titles["000"])
    assert any("发展成就" in t for t in titles["000"])
    assert sum(1 for t in titles["004"] if t) >= 10


def test_jurisdictions(corpus_build):
    result, _ = corpus_build
    j = {p.doc[:3]: (p.jurisdiction.name if p.jurisdiction else None) for p in result.plans}
    assert j["000"] == "青浦区"
    assert j["001"] == "松江区"
    assert j["003"] == "湖州市"
    assert j["004"] == "闵行区"
    assert j["002"] in ("上海市",)


@pytest.mark.parametrize(
    "name, geom_types",
    [
        ("淀山湖", {"Polygon", "MultiPolygon", "Point"}),
        ("朱家角镇", {"Point", "Polygon", "MultiPolygon"}),
        ("17号线西延伸", {"LineString", "MultiLineString"}),
        ("西岑科创中心", {"Point", "Polygon", "MultiPolygon"}),
    ],
)
def test_key_places_of_000_inside_qingpu(corpus_build, gazetteer, name, geom_types):
    result, _ = corpus_build
    row = _feature(result.layers, "000", name)
    assert bool(row["located"]), row["reason"]
    geom = row.geometry
    assert geom.geom_type in geom_types
    if name == "淀山湖" and geom.geom_type == "Point":
        assert row["precision_m"] >= 2000  # honestly a point standing for a lake
    qingpu = gazetteer.get(QINGPU).geometry
    # inside 青浦区, or within the feature's stated precision of it
    tolerance_deg = (row["precision_m"] or 0) / 111_000
    assert qingpu.buffer(tolerance_deg).contains(geom.representative_point()), name
    assert row["source"] and row["source_crs"] and row["method"] in ("exact", "alias", "derived", "override")


def test_every_quote_is_in_the_plan(corpus_build):
    result, _ = corpus_build
    texts = {p.doc: p.norm.text for p in result.plans}
    raws = {p.doc: p.raw.text for p in result.plans}
    for row in result.layers.features.itertuples():
        assert row.quote and row.quote in texts[row.doc], (row.doc, row.name)
    for m in result.layers.mentions.itertuples():
        # a mention's raw span covers text that holds the surface (after normalisation)
        raw = raws[m.doc][m.raw_start : m.raw_end]
        assert raw, (m.doc, m.surface)
        assert m.sentence in texts[m.doc]


def test_unlocated_features_are_reported_not_dropped(corpus_build):
    result, out = corpus_build
    f = result.layers.features
    unlocated = f[~f["located"]]
    assert len(unlocated) == len(result.layers.unresolved)
    assert unlocated.geometry.isna().all()
    assert set(result.layers.unresolved["reason"]) <= {"not-found", "ambiguous", "outside-jurisdiction"}
    csv_text = (out / "unresolved.csv").read_text(encoding="utf-8-sig")
    assert csv_text.count("\n") == len(unlocated) + 1 or len(unlocated) == 0


def test_what_is_not_a_place_is_reported_with_its_rule(corpus_build):
    import csv

    from geoplan.extract.rejected import REPORT_COLUMNS, RULES

    result, out = corpus_build
    with (out / "not_a_place.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and tuple(rows[0]) == REPORT_COLUMNS
    assert {r["rule"] for r in rows} <= set(RULES) and all(r["reason"] and r["sentence"] for r in rows)
    kept = set(result.layers.mentions["surface"])
    # a span set aside at one place may be a name elsewhere; most are never kept
    assert sum(r["surface"] not in kept for r in rows) > len(rows) / 2
    assert result.layers.mentions["name_confidence"].between(0, 1, inclusive="right").all()


def test_precision_is_stated_for_every_located_feature(corpus_build):
    result, _ = corpus_build
    loc = result.layers.features[result.layers.features["located"]]
    assert set(loc["precision"]) <= {"feature", "town", "district", "city"}
    assert loc["precision_m"].notna().all() and (loc["precision_m"] > 0).all()
    assert loc["method"].isin(["exact", "alias", "contained-name", "admin-fallback", "derived", "group", "override"]).all()
    assert (loc["reason"].str.len() > 0).all()


def test_output_folder(corpus_build):
    result, out = corpus_build
    gj = json.loads((out / "layers" / "features.geojson").read_text(encoding="utf-8"))
    assert gj["type"] == "FeatureCollection" and "crs" not in gj
    assert len(gj["features"]) == len(result.layers.features)
    required = {"id", "name", "kind", "doc", "task_id", "task_path", "theme", "mentions", "quote", "located",
                "precision", "precision_m", "method", "confidence", "source", "source_crs"}
    for feat in gj["features"]:
        assert required <= set(feat["properties"])
        if feat["properties"]["located"]:
            g = shape(feat["geometry"])
            minx, miny, maxx, maxy = g.bounds
            assert 73 <= minx <= maxx <= 136 and 3 <= miny <= maxy <= 54  # lon/lat order, China
        else:
            assert feat["geometry"] is None
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["features"] == len(gj["features"])
    assert sum(report["located_by_precision"].values()) == report["located"]
    gpkg = gpd.read_file(out / "layers" / "geoplan.gpkg", layer="features")
    assert len(gpkg) == len(gj["features"])


def test_map_holds_every_theme_with_located_features(corpus_build):
    result, out = corpus_build
    html = (out / "maps" / "index.html").read_text(encoding="utf-8")
    located = result.layers.features[result.layers.features["located"]]
    for theme in located["theme"].unique():
        assert theme in html
        assert (out / "maps" / f"theme_{theme}.html").exists()
    # no script, stylesheet or image is fetched from the network (links in text are fine)
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?://""", html)


def test_maps_share_one_asset_bundle(corpus_build):
    """Index, plan and theme maps refer to one maps/assets/ (written once), none inlines Leaflet.

    The plan-text pages beside them need no library: they load nothing.
    """
    _, out = corpus_build
    pages = sorted((out / "maps").glob("*.html"))
    texts = [p for p in pages if p.name.startswith("text_")]
    maps = [p for p in pages if p not in texts]
    assert len(maps) >= 3 and texts
    for page in texts:
        assert re.findall(r'<script src="([^"]+)"', page.read_text(encoding="utf-8")) == [], page.name
    for page in maps:
        html = page.read_text(encoding="utf-8")
        srcs = re.findall(r'<script src="([^"]+)"', html)
        assert srcs == ["assets/leaflet.js", "assets/leaflet.markercluster.js"], page.name
        assert "@preserve" not in html  # the banner of Leaflet's source: the library is not inlined
    for ref in ("leaflet.js", "leaflet.markercluster.js", "leaflet.css", "images/layers.png"):
        assert (out / "maps" / "assets" / ref).is_file(), ref
    assert [p.name for p in (out / "maps").iterdir() if p.is_dir()] == ["assets"]


def test_same_place_in_two_plans_shares_entity_id(corpus_build):
    result, _ = corpus_build
    f = result.layers.features
    exact = f[f["located"] & f["method"].isin(["exact", "alias"])]
    shared = exact.groupby("gazetteer_id")["doc"].nunique()
    shared = shared[shared >= 2]
    assert len(shared) >= 3, "the plans share places (上海, 虹桥国际开放枢纽, 长三角…)"
    for gid in shared.index:
        assert exact[exact["gazetteer_id"] == gid]["entity_id"].nunique() == 1, gid
    # and different places never share one
    per_entity = exact.groupby("entity_id")["gazetteer_id"].nunique()
    assert (per_entity == 1).all()
