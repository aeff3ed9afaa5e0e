"""The map's table, plan-text page and review panel without a browser: what the page is given.

The browser half (sorting, downloads, decisions, the rebuild with the
downloaded sheet) is in ``test_map_review_browser.py``.  The texts here are
written for the tests; no plan text is copied.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from shapely.geometry import Point, Polygon

from geoplan.map import render_map
from geoplan.map.review import review_items
from geoplan.map.table import export_rows
from geoplan.map.textpage import first_mentions, mention_anchor, text_page_name, write_text_page
from geoplan.normalize import normalize
from geoplan.outline import build_outline
from geoplan.records import RawDocument

from test_map import make_plan_layer, make_unresolved

DOC = "demo_plan"
#: a short plan of our own: headings at three levels, names, a nested name and markup that must stay text
TEXT = """示例区发展规划

一、交通建设
（一）道路
建设<script>window.__xss=1</script>东湖大道，连接东站与西站。东站扩建工程年内开工。
（二）公交
优化东湖大道公交线网。
二、生态保护
保护东湖水质。
"""


def _plan_text(text: str = TEXT):
    raw = RawDocument(path=Path(f"{DOC}.txt"), text=text, encoding="utf-8", format="txt")
    norm = normalize(raw)
    return norm, build_outline(norm)


def _mentions(text: str, names: list[tuple[str, str]]) -> pd.DataFrame:
    """A mentions table for ``text``: every occurrence of each (surface, feature id); the first is a task mention."""
    rows = []
    for surface, fid in names:
        for m in re.finditer(re.escape(surface), text):
            rows.append({"feature_id": fid, "doc": DOC, "name": surface, "surface": surface,
                         "start": m.start(), "end": m.end(), "is_task": True})
    return pd.DataFrame(rows)


@pytest.fixture
def plan_text():
    norm, outline = _plan_text()
    mentions = _mentions(norm.text, [("东湖大道", "f-road"), ("东站", "f-east"), ("西站", "f-west"),
                                     ("东湖", "f-lake")])
    # 东湖 also matches inside 东湖大道: a mention nested in another one
    return norm, outline, mentions


def test_text_page_marks_every_mention_with_its_anchor_and_escapes_the_text(tmp_path, plan_text):
    norm, outline, mentions = plan_text
    out = write_text_page(tmp_path, DOC, "示例<b>规划</b>", norm.text, outline.nodes, mentions)
    assert out == tmp_path / text_page_name(DOC)
    html = out.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    body = soup.find(id="gp-text-body")
    # document markup is text: no element from the plan, the title escaped too
    assert body.find("script") is None and "<script>window.__xss=1</script>" in body.get_text()
    assert soup.title.get_text() == "示例<b>规划</b>" and soup.title.find("b") is None
    # the page's text is the plan's text, character for character
    assert body.get_text() == norm.text
    for _, m in mentions.iterrows():
        anchor = soup.find(id=mention_anchor(m["start"], m["end"]))
        assert anchor is not None, f"no anchor for {m['name']} at {m['start']}"
        if anchor.name == "mark":
            assert anchor.get_text() == m["surface"] and anchor["data-f"] == m["feature_id"]  # no doc: the id is the key
        else:  # nested: its anchor sits right before the mark holding it
            assert anchor.find_next("mark").get_text() == "东湖大道"
    marks = body.find_all("mark")
    assert len(marks) == len(mentions) - 2  # the two 东湖 inside 东湖大道 are anchors, not marks
    # the headings as an outline whose links land
    links = soup.find(id="gp-text-nav").find_all("a")
    titles = [a.get_text() for a in links]
    assert titles == [n.title for n in outline.nodes if n.title.strip()]
    assert "道路" in "".join(titles) and "生态保护" in "".join(titles)
    for a in links:
        assert soup.find(id=a["href"][1:]) is not None


def test_a_title_holding_a_page_slot_is_text_not_a_slot(tmp_path, plan_text):
    """The page is filled in one pass: a title reading like a slot name is not filled again."""
    norm, outline, mentions = plan_text
    out = write_text_page(tmp_path, DOC, "规划@BODY@@NAV@", norm.text, outline.nodes, mentions)
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert soup.title.get_text() == "规划@BODY@@NAV@"
    assert len(soup.find_all(id="gp-text-body")) == 1 and len(soup.find_all(id="gp-text-nav")) == 1


def test_a_span_naming_two_features_is_one_mark_for_both(tmp_path):
    """“东站、西站扩建工程”: 东站 is a station and the first part of a project; one mark, both features."""
    norm, outline = _plan_text()
    start = norm.text.index("东站")
    mentions = pd.DataFrame([
        {"feature_id": f"{DOC}:aaaa", "doc": DOC, "name": "东站", "surface": "东站", "start": start,
         "end": start + 2, "is_task": True},
        {"feature_id": f"{DOC}:bbbb", "doc": DOC, "name": "东站扩建工程", "surface": "东站", "start": start,
         "end": start + 2, "is_task": True},
    ])
    html = write_text_page(tmp_path, DOC, "t", norm.text, outline.nodes, mentions).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    marks = soup.select(f"#{mention_anchor(start, start + 2)}")
    assert len(marks) == 1 and marks[0]["data-f"] == "aaaa bbbb" and marks[0]["title"] == "东站、东站扩建工程"
    assert len(soup.select("[id]")) == len({t["id"] for t in soup.select("[id]")})  # no id twice
    from geoplan.map.textlink import text_links

    assert text_links(mentions, {DOC})[f"{DOC}:bbbb"].endswith(f"#{mention_anchor(start, start + 2)}.bbbb")


def test_a_changed_plan_gets_no_text_page(tmp_path, plan_text):
    norm, outline, mentions = plan_text
    changed = "前言。" + norm.text  # the plan file edited since the build: every offset moved
    assert write_text_page(tmp_path, DOC, "t", changed, outline.nodes, mentions) is None
    assert not (tmp_path / text_page_name(DOC)).exists()


def test_the_popup_links_to_the_first_task_mention():
    mentions = pd.DataFrame([
        {"feature_id": "a", "doc": "d", "start": 5, "end": 7, "is_task": False},
        {"feature_id": "a", "doc": "d", "start": 20, "end": 22, "is_task": True},
        {"feature_id": "a", "doc": "d", "start": 30, "end": 32, "is_task": True},
        {"feature_id": "b", "doc": "d", "start": 40, "end": 42, "is_task": False},
    ])
    assert first_mentions(mentions) == {"a": ("d", 20, 22), "b": ("d", 40, 42)}


def _embedded(html: str, var: str) -> object:
    m = re.search(var + r" = (\{.*?\}|\[.*?\])[;,]", html)
    assert m, f"{var} not in the page"
    return json.loads(m.group(1))


def test_links_only_to_text_pages_written_beside_the_map(tmp_path, plan_text):
    norm, outline, mentions = plan_text
    layer = gpd.GeoDataFrame(
        [{"id": fid, "name": n, "kind": "road", "theme": "交通", "doc": DOC, "located": True, "precision": "feature",
          "geometry": Point(121.0 + i * 0.01, 31.0)} for i, (fid, n) in enumerate([("f-road", "东湖大道"),
                                                                                    ("f-east", "东站")])],
        geometry="geometry", crs="EPSG:4326")
    with_text = render_map(layer, tmp_path / "a.html", mentions=mentions, basemap=layer.iloc[:0],
                           text_docs={DOC}).read_text(encoding="utf-8")
    links = _embedded(with_text, "LINKS")
    first_road = mentions[mentions["feature_id"] == "f-road"].iloc[0]
    assert links["f-road"] == f"{text_page_name(DOC)}#{mention_anchor(first_road['start'], first_road['end'])}.f-road"
    without = render_map(layer, tmp_path / "b.html", mentions=mentions, basemap=layer.iloc[:0]).read_text(encoding="utf-8")
    assert "LINKS = " not in without


class FakeGazetteer:
    """Two candidates: one with a position, one without."""

    class F:
        def __init__(self, fid, name, geometry):
            self.id, self.name, self.kind, self.geometry = fid, name, "town", geometry
            self.admin_names = ("上海市", "青浦区", name)

        @property
        def point(self):  # as GazetteerFeature.point: the inner point when no seat is known
            return None if self.geometry is None else self.geometry.representative_point()

    def __init__(self):
        self._f = {"g:1": self.F("g:1", "甲镇", Polygon([(121, 31), (121.1, 31), (121.1, 31.1), (121, 31.1)])),
                   "g:2": self.F("g:2", "乙镇", None)}

    def get(self, fid):
        return self._f.get(fid)


def test_review_items_are_the_unresolved_and_the_fallbacks_with_candidate_positions():
    layer = make_plan_layer()
    unresolved = make_unresolved().assign(candidates="g:1; g:2; online address")
    items = review_items(layer, unresolved, FakeGazetteer())
    names = [i["name"] for i in items]
    assert names[0] == "某<i>未知</i>园区" and items[0]["status"] == "not-found"
    cands = {c["raw"]: c for c in items[0]["cands"]}
    assert cands["g:1"]["name"] == "甲镇" and Polygon([(121, 31), (121.1, 31), (121.1, 31.1),
                                                       (121, 31.1)]).contains(Point(cands["g:1"]["ll"][::-1]))
    assert cands["g:2"]["ll"] is None and cands["online address"]["ll"] is None  # listed, not choosable
    fallbacks = layer[layer["located"].astype(bool) & layer["precision"].isin(["town", "district", "city"])
                      & ~layer["method"].isin(["exact", "alias", "override"])]
    assert len(fallbacks) and names[1:] == list(fallbacks["name"])
    # candidates as unresolved.csv writes them: "<id> <name> [<kind>; <chain>]", or a village by its township
    described = make_unresolved().assign(candidates="g:1 甲镇 [town; 上海市/青浦区]; 丙村 in 丁街道, 某区 | g:2 乙镇 [town; x]")
    got = review_items(layer, described, FakeGazetteer())[0]["cands"]
    assert [c["raw"] for c in got] == ["g:1 甲镇 [town; 上海市/青浦区]", "丙村 in 丁街道, 某区", "g:2 乙镇 [town; x]"]
    assert [c["id"] for c in got] == ["g:1", "", "g:2"] and [c["ll"] is not None for c in got] == [True, False, False]
    # a town found as itself is at town precision because it is a town: nothing to review ...
    as_itself = layer.assign(method="exact", confidence=0.9)
    assert [i["name"] for i in review_items(as_itself, None)] == []
    # ... unless, as `geoplan review` lists it, its confidence is low or it lies outside the plan's area
    unsure = as_itself.assign(confidence=0.5)
    assert {i["status"] for i in review_items(unsure, None)} == {"low-confidence"}
    outside = as_itself.assign(reason="exact name; lies outside 青浦区")
    assert {i["status"] for i in review_items(outside, None)} == {"placed-outside"}


def test_export_rows_follow_the_registry_and_points_lie_inside_their_shapes():
    layer = make_plan_layer()
    out = export_rows(layer)
    drawn = layer[layer["located"].astype(bool) & layer.geometry.notna()]
    assert len(out["rows"]) == len(drawn)
    assert len(out["paths"]) == len(set(drawn["task_path"].fillna("")))  # each path once
    for row, geom, path, method in zip(out["rows"], drawn.geometry, drawn["task_path"], drawn["method"]):
        assert out["paths"][row[0]] == (path if isinstance(path, str) else "") and row[1] == method
        pt = Point(row[5], row[6])
        assert geom.distance(pt) < 1e-5


def test_build_and_map_write_the_text_pages_their_popups_link_to(example_build, tmp_path):
    """``build`` writes ``maps/text_<doc>.html``; ``geoplan map`` of the build folder writes them beside its map."""
    import shutil

    from click.testing import CliRunner

    from geoplan.cli import main

    report = json.loads((example_build / "report.json").read_text(encoding="utf-8"))
    docs = [p["doc"] for p in report["plans"]]
    for doc in docs:
        assert (example_build / "maps" / text_page_name(doc)).is_file()
    assert text_page_name(docs[0]) in (example_build / "maps" / "index.html").read_text(encoding="utf-8")

    for source in (example_build, example_build / "layers" / "geoplan.gpkg"):
        out = tmp_path / source.name / "map.html"
        res = CliRunner().invoke(main, ["map", str(source), "-o", str(out)])
        assert res.exit_code == 0, res.output
        page = out.parent / text_page_name(docs[0])
        assert page.read_text(encoding="utf-8") == (example_build / "maps" / text_page_name(docs[0])).read_text(
            encoding="utf-8")
        links = _embedded(out.read_text(encoding="utf-8"), "LINKS")
        assert links and all(h.startswith(text_page_name(docs[0]) + "#m") for h in links.values())

    # a build whose plan file is gone: a map without text links, not links to nothing
    moved = tmp_path / "moved"
    shutil.copytree(example_build, moved)
    report["plans"][0]["file"] = str(tmp_path / "no-such-plan.txt")
    (moved / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    out2 = tmp_path / "moved-map" / "map.html"
    res = CliRunner().invoke(main, ["map", str(moved), "-o", str(out2)])
    assert res.exit_code == 0, res.output
    assert not (out2.parent / text_page_name(docs[0])).exists()
    assert "LINKS = " not in out2.read_text(encoding="utf-8")


def _data(html: str, element_id: str) -> object:
    """The JSON block ``element_id`` of the page (a panel's ``data_json``)."""
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert m, element_id
    return json.loads(m.group(1))


def _after(html: str, marker: str) -> object:
    """The JSON value written right after ``marker`` in the page."""
    return json.JSONDecoder().raw_decode(html, html.index(marker) + len(marker))[0]


def test_over_gcj02_tiles_clicks_and_downloads_say_gcj02(tmp_path):
    """On 高德 tiles the page draws in GCJ-02: a clicked point is written with crs GCJ-02 (converted on read)."""
    layer = make_plan_layer()
    unresolved = make_unresolved().assign(candidates="g:1")
    plain = render_map(layer, tmp_path / "a.html", basemap=layer.iloc[:0], unresolved=unresolved,
                       gazetteer=FakeGazetteer()).read_text(encoding="utf-8")
    shifted = render_map(layer, tmp_path / "b.html", tiles="高德", basemap=layer.iloc[:0], unresolved=unresolved,
                         gazetteer=FakeGazetteer()).read_text(encoding="utf-8")
    from geoplan.datum import wgs84_to_gcj02

    lat, lon = _data(plain, "gp-review-data")[0]["cands"][0]["ll"]
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert _data(shifted, "gp-review-data")[0]["cands"][0]["ll"] == pytest.approx([glat, glon], abs=1e-6)
    assert _after(plain, "CFG = ")["crs"] == "EPSG:4326" and _after(plain, "DATUM = ") == "WGS-84"
    assert _after(shifted, "CFG = ")["crs"] == "GCJ-02" and _after(shifted, "DATUM = ") == "GCJ-02"
    from geoplan.datum import canonical_crs

    assert canonical_crs(_after(shifted, "CFG = ")["crs"]) == "GCJ-02"  # a crs --overrides accepts
