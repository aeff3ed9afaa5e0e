"""Exports read back with GDAL: GeoPackage (+ QGIS styles), GeoJSON, Shapefile, CSV.

Every file is opened twice, through pyogrio and through GDAL's own ``ogrinfo``
(gdal-bin), so a file that only geoplan's reader understands fails here.  The
layers are built from pipeline records (two small synthetic plans naming the
same lake) so these tests do not depend on extraction quality.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from geoplan.errors import ExportError
from geoplan.io import export, read_layers, target_format
from geoplan.io.entities import merge_entities, split_by_plan
from geoplan.output.tables import FEATURE_COLUMNS, MENTION_COLUMNS, UNRESOLVED_COLUMNS, build_tables, entity_id
from geoplan.records import Location, Mention, PlanFeature

DOC_A = "000_aaaa1111"
DOC_B = "002_bbbb2222"
# a lake outline drawn counterclockwise on purpose is *not* assumed: this one is clockwise
LAKE = Polygon([(120.93, 31.10), (120.96, 31.17), (121.01, 31.16), (121.00, 31.09), (120.93, 31.10)][::-1])


def _mention(doc: str, name: str, kind: str, task_id: str, theme: str, start: int, is_task: bool = True,
             surface: str | None = None) -> Mention:
    return Mention(
        surface=surface or name, name=name, kind=kind, span=(start, start + len(name)),
        raw_span=(start + 3, start + 3 + len(name)), sentence=f"示例句子：建设{name}相关工程。",
        task_id=task_id, task_path=f"任务 {task_id}", theme=theme, origin="gazetteer", is_task=is_task, doc=doc,
        rule="",
    )


def _located(geom, precision="feature", gid=None, method="exact") -> Location:
    return Location(geometry=geom, precision=precision, precision_m=50.0 if precision == "feature" else 3000.0,
                    method=method, confidence=0.9, reason="test", source="test-layer", source_crs="EPSG:4326",
                    gazetteer_id=gid)


def _unlocated(reason="not-found") -> Location:
    return Location(geometry=None, precision="none", precision_m=None, method="none", confidence=0.0,
                    reason="no match", candidates=("甲", "乙"), unresolved_reason=reason)


def _feature(doc, name, kind, loc, mentions, region) -> PlanFeature:
    from geoplan.output.tables import feature_id

    f = PlanFeature(id=feature_id(doc, name), name=name, kind=kind, doc=doc, mentions=mentions, location=loc,
                    doc_title=f"{doc} 示例规划", region=region)
    f.entity_id = entity_id(f)
    return f


def plan_features() -> list[PlanFeature]:
    """Two plans: 淀山湖 in both (same gazetteer id), lines, points, a multipolygon, unlocated names."""
    a, b = DOC_A, DOC_B
    return [
        _feature(a, "淀山湖", "lake", _located(LAKE, gid="curated:lake:dianshanhu"), [
            _mention(a, "淀山湖", "lake", "三/(二)/1", "生态", 10),
            _mention(a, "淀山湖", "lake", "四/(四)/2", "文旅", 200),
            _mention(a, "淀山湖", "lake", "一", "产业", 5, is_task=False),
        ], "青浦区"),
        _feature(a, "17号线西延伸", "metro_line",
                 _located(LineString([(121.05, 31.11), (121.00, 31.10), (120.95, 31.09)])), [
            _mention(a, "17号线西延伸", "metro_line", "四/(四)/1", "交通", 300, surface="轨交17号线西延伸"),
        ], "青浦区"),
        _feature(a, "西岑站", "station", _located(Point(120.95, 31.09)), [
            _mention(a, "西岑站", "station", "四/(四十)/2", "交通", 400),
        ], "青浦区"),
        _feature(a, "朱家角镇", "town", _located(Point(121.05, 31.11), precision="town"), [
            _mention(a, "朱家角镇", "town", "四/(一)", "乡村振兴", 500),
        ], "青浦区"),
        _feature(a, "环湖绿道", "corridor", _located(MultiPolygon([
            Polygon([(120.90, 31.05), (120.91, 31.05), (120.91, 31.06), (120.90, 31.05)]),
            Polygon([(120.92, 31.05), (120.93, 31.05), (120.93, 31.06), (120.92, 31.05)]),
        ])), [_mention(a, "环湖绿道", "corridor", "三/(二)", "生态", 600)], "青浦区"),
        _feature(a, "水乡客厅配套工程", "other", _unlocated(), [
            _mention(a, "水乡客厅配套工程", "other", "四/(四)/3", "区域协同", 700),
        ], "青浦区"),
        _feature(b, "淀山湖", "lake", _located(LAKE, gid="curated:lake:dianshanhu"), [
            _mention(b, "淀山湖", "lake", "二/(一)", "生态", 50),
            _mention(b, "淀山湖", "lake", "二/(三)", "区域协同", 90),
        ], "上海市"),
        _feature(b, "张江科学城", "innovation_center", _located(Point(121.60, 31.20)), [
            _mention(b, "张江科学城", "innovation_center", "三/(一)", "科创", 120),
        ], "上海市"),
        _feature(b, "某新城综合体", "zone", _unlocated("ambiguous"), [
            _mention(b, "某新城综合体", "zone", "三/(二)", "城市更新", 150),
        ], "上海市"),
    ]


def plan_layers():
    return build_tables(plan_features())


@pytest.fixture
def layers():
    return plan_layers()


def ogrinfo(path: Path, layer: str | None = None) -> str:
    """``ogrinfo -ro -so FILE [LAYER]`` from gdal-bin (skips when gdal-bin is absent)."""
    exe = shutil.which("ogrinfo")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("ogrinfo (gdal-bin) missing: CI must read the exports back with GDAL")
        pytest.skip("ogrinfo (gdal-bin) not installed")
    cmd = [exe, "-ro", "-so", str(path)] + ([layer] if layer else [])
    done = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=True)
    return done.stdout


def ogr_count(info: str) -> int:
    line = next(l for l in info.splitlines() if l.startswith("Feature Count:"))
    return int(line.split(":")[1])


def is_wgs84(info: str) -> bool:
    return 'ID["EPSG",4326]' in info or ('GEOGCRS["WGS 84"' in info and "6378137" in info)


# ------------------------------------------------------------------ multi-plan
def test_same_place_in_two_plans_shares_entity_id_and_merges(layers):
    feats = layers.features
    lake = feats[feats["name"] == "淀山湖"]
    assert sorted(lake["doc"]) == [DOC_A, DOC_B]
    assert lake["entity_id"].nunique() == 1
    assert lake["id"].nunique() == 2
    others = feats[feats["name"] != "淀山湖"]
    assert not set(others["entity_id"]) & set(lake["entity_id"])
    ent = merge_entities(layers)
    assert len(ent) == feats["entity_id"].nunique()
    row = ent[ent["name"] == "淀山湖"].iloc[0]
    assert row["plans"] == 2 and row["docs"] == f"{DOC_A};{DOC_B}"
    # every theme the place is named under in a task of either plan, non-task mentions excluded
    assert set(row["themes"].split(";")) == {"生态", "文旅", "区域协同"}
    assert row["mentions"] == 5 and row["regions"] == "青浦区;上海市"
    assert row.geometry.equals(LAKE)


def test_admin_fallback_is_not_the_unit_itself():
    district = _feature(DOC_B, "浦东新区", "district", _located(Point(121.6, 31.2), "district", gid="cn-310115"),
                        [_mention(DOC_B, "浦东新区", "district", "一", "其他", 1)], "上海市")
    town = _feature(DOC_B, "张江镇", "town", _located(Point(121.6, 31.2), "district", gid="cn-310115",
                                                     method="admin-fallback"),
                    [_mention(DOC_B, "张江镇", "town", "一", "其他", 9)], "上海市")
    assert district.entity_id != town.entity_id


def test_feature_columns_carry_plan_title_region_and_all_task_themes(layers):
    f = layers.features.set_index("name")
    assert f.loc["西岑站", "doc_title"] == f"{DOC_A} 示例规划"
    assert f.loc["张江科学城", "region"] == "上海市"
    lake_a = layers.features[(layers.features["name"] == "淀山湖") & (layers.features["doc"] == DOC_A)].iloc[0]
    assert lake_a["themes"].split(";") == ["生态", "文旅"]


def test_split_by_plan_partitions_every_table(layers):
    parts = split_by_plan(layers)
    assert list(parts) == [DOC_A, DOC_B]
    assert sum(len(p.features) for p in parts.values()) == len(layers.features)
    assert sum(len(p.mentions) for p in parts.values()) == len(layers.mentions)
    assert set(parts[DOC_B].unresolved["name"]) == {"某新城综合体"}


# ------------------------------------------------------------------ GeoPackage
def test_gpkg_layers_counts_crs_types_and_chinese_text(layers, tmp_path):
    path = tmp_path / "plan.gpkg"
    export(layers, path)
    names = dict(pyogrio.list_layers(path))
    for required in ("features", "points", "lines", "polygons", "entities", "mentions", "unresolved", "layer_styles"):
        assert required in names
    assert names["mentions"] is None and names["unresolved"] is None
    assert names["points"] == "MultiPoint" and names["polygons"] == "MultiPolygon"
    # theme layers per geometry type: 生态 has the lake (2 plans) and the multipolygon corridor
    eco = pyogrio.read_dataframe(path, layer="theme_生态_polygons")
    assert sorted(eco["name"]) == ["淀山湖", "淀山湖", "环湖绿道"]
    assert "theme_交通_lines" in names and "theme_交通_points" in names
    # the lake of plan 000 is also named in a tourism task: it is in the 文旅 layer too
    assert "淀山湖" in set(pyogrio.read_dataframe(path, layer="theme_文旅_polygons")["name"])

    info = ogrinfo(path, "features")
    assert ogr_count(info) == len(layers.features) and is_wgs84(info)
    assert "located: Integer(Boolean)" in info and "mentions: Integer64" in info
    assert "precision_m: Real" in info and "name: String" in info
    assert ogr_count(ogrinfo(path, "mentions")) == len(layers.mentions)
    assert ogr_count(ogrinfo(path, "unresolved")) == 2
    assert ogr_count(ogrinfo(path, "lines")) == 1 and ogr_count(ogrinfo(path, "polygons")) == 3

    back = read_layers(path)
    assert list(back.features.columns) == [*FEATURE_COLUMNS, "geometry"]
    assert list(back.mentions.columns) == list(MENTION_COLUMNS)
    assert list(back.unresolved.columns) == list(UNRESOLVED_COLUMNS)
    assert back.features.crs.to_epsg() == 4326
    assert back.features["located"].dtype == bool and back.features["mentions"].dtype == "int64"
    pd.testing.assert_frame_equal(
        back.features.drop(columns="geometry"), layers.features.drop(columns="geometry"), check_dtype=False
    )
    assert back.mentions["surface"].tolist() == layers.mentions["surface"].tolist()
    assert "轨交17号线西延伸" in set(back.mentions["surface"])


def test_gpkg_layer_styles_one_row_per_theme_layer(layers, tmp_path):
    path = tmp_path / "plan.gpkg"
    export(layers, path)
    names = [n for n, _ in pyogrio.list_layers(path)]
    geometry_layers = [n for n in names if n in ("points", "lines", "polygons") or n.startswith("theme_")]
    styles = pyogrio.read_dataframe(path, layer="layer_styles", read_geometry=False)
    assert sorted(styles["f_table_name"]) == sorted(geometry_layers)
    assert styles["useAsDefault"].all() and set(styles["f_geometry_column"]) == {"geom"}
    with sqlite3.connect(path) as db:
        cols = [r[1] for r in db.execute("PRAGMA table_info(layer_styles)")]
        kind = db.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
    assert kind == ("attributes",)
    for c in ("id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
              "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"):
        assert c in cols
    themes_toml = __import__("tomllib").loads((Path(__file__).parents[1] / "maps" / "themes.toml").read_text("utf-8"))
    traffic = themes_toml["themes"]["交通"]["color"].lstrip("#")
    rgb = ",".join(str(int(traffic[i:i + 2], 16)) for i in (0, 2, 4))
    row = styles[styles["f_table_name"] == "theme_交通_lines"].iloc[0]
    qml = ET.fromstring(row["styleQML"].split("\n", 1)[1])  # past the DOCTYPE line
    assert qml.find("layerGeometryType").text == "1"
    sym = qml.find("renderer-v2/symbols/symbol")
    assert sym.get("type") == "line"
    color = sym.find("layer/Option/Option[@name='line_color']").get("value")
    assert color.startswith(rgb + ",")
    ET.fromstring(row["styleSLD"].split("\n", 1)[1])  # well-formed SLD
    poly = ET.fromstring(styles[styles["f_table_name"] == "polygons"].iloc[0]["styleQML"].split("\n", 1)[1])
    cats = poly.findall("renderer-v2/categories/category")
    assert poly.find("renderer-v2").get("attr") == "theme" and {c.get("value") for c in cats} >= {"生态", "科创"}


def test_gpkg_write_is_atomic(layers, tmp_path, monkeypatch):
    path = tmp_path / "plan.gpkg"
    export(layers, path)
    before = path.read_bytes()
    import geoplan.io.gpkg as gpkg_mod

    def boom(*a, **k):
        raise pyogrio.errors.DataSourceError("disk full (simulated)")

    monkeypatch.setattr(gpkg_mod, "merge_entities", lambda layers: (_ for _ in ()).throw(OSError("simulated")))
    with pytest.raises(ExportError):
        export(layers, path)
    monkeypatch.setattr(gpkg_mod.pyogrio, "write_dataframe", boom)
    with pytest.raises(ExportError, match="disk full"):
        export(layers, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.gpkg"]


# --------------------------------------------------------------------- GeoJSON
def test_geojson_rfc7946_merged_and_per_theme_byte_identical(layers, tmp_path):
    path = tmp_path / "plan.geojson"
    written = export(layers, path)["paths"]
    first = {k: Path(p).read_bytes() for k, p in written.items()}
    assert set(written) == {"features"} | {f"theme:{t}" for t in ("生态", "文旅", "交通", "乡村振兴", "区域协同", "科创", "城市更新")}
    export(plan_layers(), path)  # a fresh build of the same records
    assert {k: Path(p).read_bytes() for k, p in written.items()} == first

    doc = json.loads(first["features"])
    assert "crs" not in doc and len(doc["features"]) == len(layers.features)
    lake = next(f for f in doc["features"] if f["properties"]["name"] == "淀山湖")
    ring = lake["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw  # RFC 7946 §3.1.6 right-hand rule
    unlocated = next(f for f in doc["features"] if f["properties"]["name"] == "某新城综合体")
    assert unlocated["geometry"] is None and unlocated["properties"]["located"] is False

    theme = pyogrio.read_dataframe(written["theme:文旅"])
    # 淀山湖 by its 文旅 task; the project by its name (水乡: a designation's name says its theme)
    assert list(theme["name"]) == ["水乡客厅配套工程", "淀山湖"]
    info = ogrinfo(Path(written["features"]), "plan")
    assert ogr_count(info) == len(layers.features) and is_wgs84(info)
    assert "mentions: Integer" in info and "located: Integer(Boolean)" in info
    back = read_layers(path)
    assert back.features["name"].tolist() == layers.features["name"].tolist()
    assert back.features["precision_m"].isna().sum() == 2


# ------------------------------------------------------------------- Shapefile
def test_shapefile_per_geometry_type_field_map_round_trip(layers, tmp_path):
    path = tmp_path / "out" / "plan.shp"
    written = export(layers, path)["paths"]
    folder = path.parent
    for stem in ("plan_points", "plan_lines", "plan_polygons"):
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            assert (folder / f"{stem}{ext}").is_file()
        assert (folder / f"{stem}.cpg").read_text().strip().upper() == "UTF-8"
    fmap = json.loads((folder / "plan_fields.json").read_text("utf-8"))
    for table, mapping in fmap.items():
        assert all(len(s) <= 10 and s.isascii() for s in mapping)
        assert len({s.lower() for s in mapping}) == len(mapping)
    assert fmap["features"]["precisio_m"] == "precision_m" and fmap["features"]["gazette_id"] == "gazetteer_id"
    csv_map = pd.read_csv(folder / "plan_fields.csv")
    assert len(csv_map) == sum(len(m) for m in fmap.values())

    info = ogrinfo(folder / "plan_lines.shp", "plan_lines")
    assert ogr_count(info) == 1 and is_wgs84(info) and "Line String" in info
    assert "precisio_m: Real" in info and "mentions: Integer" in info
    pts = pyogrio.read_dataframe(folder / "plan_points.shp")
    assert pts.crs.to_epsg() == 4326 and set(pts["name"]) == {"西岑站", "朱家角镇", "张江科学城"}
    assert ogr_count(ogrinfo(folder / "plan_unlocated.dbf", "plan_unlocated")) == 2

    back = read_layers(path)
    assert len(back.features) == len(layers.features) and len(back.mentions) == len(layers.mentions)
    a = back.features.set_index("id").sort_index()
    b = layers.features.set_index("id").sort_index()
    for col in ("name", "themes", "located", "mentions", "precision_m", "gazetteer_id", "region"):
        pd.testing.assert_series_equal(a[col], b[col], check_dtype=False, check_names=False)
    assert a.geometry.notna().sum() == b["located"].sum()
    assert written["fields_json"] == folder / "plan_fields.json"


def test_shapefile_write_is_atomic(layers, tmp_path, monkeypatch):
    path = tmp_path / "plan.shp"
    export(layers, path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    import geoplan.io.shapefile as shp_mod

    real = shp_mod.pyogrio.write_dataframe
    calls = {"n": 0}

    def flaky(df, target, **kw):  # the second file fails after the first was written
        calls["n"] += 1
        if calls["n"] == 2:
            raise pyogrio.errors.DataLayerError("simulated failure")
        return real(df.assign(name="changed") if "name" in df.columns else df, target, **kw)

    monkeypatch.setattr(shp_mod.pyogrio, "write_dataframe", flaky)
    with pytest.raises(ExportError, match="simulated"):
        export(layers, path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# ------------------------------------------------------------------------- CSV
def test_csv_wkt_parses_and_gdal_reads_types(layers, tmp_path):
    path = tmp_path / "plan.csv"
    export(layers, path)
    raw = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert raw.columns[0] == "WKT"
    geoms = shapely.from_wkt([w or None for w in raw["WKT"]])
    assert sum(g is not None for g in geoms) == int(layers.features["located"].sum())
    lake = geoms[list(raw["name"]).index("淀山湖")]
    assert lake.equals_exact(LAKE, tolerance=1e-7)
    info = ogrinfo(path, "plan")
    assert ogr_count(info) == len(layers.features) and is_wgs84(info)
    assert "mentions: Integer64" in info and "located: Integer(Boolean)" in info and "confidence: Real" in info
    assert (tmp_path / "plan_mentions.csv").is_file() and (tmp_path / "plan_unresolved.csv").is_file()
    back = read_layers(path)
    assert back.features["located"].tolist() == layers.features["located"].tolist()
    assert back.mentions["is_task"].tolist() == layers.mentions["is_task"].tolist()


# ------------------------------------------------------------------- dispatcher
def test_dispatcher_by_suffix_and_errors(layers, tmp_path):
    assert target_format("x.GPKG") == "gpkg" and target_format("x.json") == "geojson"
    assert target_format("postgresql://u@127.0.0.1/db") == "postgis"
    with pytest.raises(ExportError, match="unknown output format"):
        export(layers, tmp_path / "plan.kml")
    with pytest.raises(ExportError, match="no such file"):
        read_layers(tmp_path / "missing.gpkg")
    with pytest.raises(ExportError, match="not a geoplan build folder"):
        read_layers(tmp_path)


def test_read_layers_from_build_folder(layers, tmp_path):
    from geoplan.io.geojson import write_geojson

    out = tmp_path / "build"
    write_geojson(layers.features, out / "layers" / "features.geojson")
    layers.mentions.to_csv(out / "mentions.csv", index=False, encoding="utf-8-sig")
    layers.unresolved.to_csv(out / "unresolved.csv", index=False, encoding="utf-8-sig")
    back = read_layers(out)
    assert len(back.features) == len(layers.features) and len(back.mentions) == len(layers.mentions)
    assert back.mentions["is_task"].dtype == bool and back.mentions["start"].dtype == "int64"
    export(layers, out / "layers" / "geoplan.gpkg")  # the GeoPackage wins when present
    assert read_layers(out).features["located"].sum() == layers.features["located"].sum()


# ------------------------------------------------------------------ real plans
@pytest.mark.corpus
def test_two_real_plans_share_entities_and_export(tmp_path, gazetteer):
    """000 (青浦区) and 002 (Shanghai-wide) name the same demonstration zone: one entity."""
    from conftest import corpus_file

    from geoplan.pipeline import build

    result = build([corpus_file("000"), corpus_file("002")], gazetteer=gazetteer)
    layers = result.layers
    ent = merge_entities(layers)
    shared = ent[ent["plans"] == 2]
    assert len(shared) >= 3
    for _, row in shared.iterrows():
        feats = layers.features[layers.features["entity_id"] == row["entity_id"]]
        assert feats["doc"].nunique() == 2
        exact = feats[feats["method"] != "admin-fallback"]
        assert exact["gazetteer_id"].nunique() == 1
    zone = ent[ent["name"] == "长三角生态绿色一体化发展示范区"].iloc[0]
    assert zone["plans"] == 2 and zone["docs"].startswith("000_") and "002_" in zone["docs"]
    assert set(layers.features["region"]) == {"青浦区", "上海市"}
    assert layers.features["doc_title"].str.len().gt(0).all()
    path = tmp_path / "two.gpkg"
    export(layers, path)
    assert ogr_count(ogrinfo(path, "features")) == len(layers.features)
    assert ogr_count(ogrinfo(path, "entities")) == len(ent)


def test_geojson_text_is_one_feature_per_line_and_stable(layers):
    from geoplan.io.geojson import geojson_text, to_geojson_dict

    text = geojson_text(layers.features)
    assert text == geojson_text(layers.features)  # the same bytes every time
    assert json.loads(text) == json.loads(json.dumps(to_geojson_dict(layers.features)))
    lines = text.splitlines()
    assert len(lines) == len(layers.features) + 2  # opening, one line per feature, closing
    assert all(json.loads(line.rstrip(","))["type"] == "Feature" for line in lines[1:-1])
    assert "\\u" not in text  # Chinese kept as UTF-8


def test_geojson_text_of_no_features_is_valid(layers):
    from geoplan.io.geojson import geojson_text

    empty = geojson_text(layers.features.iloc[:0])
    assert json.loads(empty) == {"type": "FeatureCollection", "features": []}
