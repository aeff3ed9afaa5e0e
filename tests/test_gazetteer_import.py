"""Importing a planning bureau's own layers into the gazetteer."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon

from geoplan.errors import LayerImportError
from geoplan.gazetteer import Gazetteer
from geoplan.gazetteer.importers import import_layer
from geoplan.datum import wgs84_to_bd09, wgs84_to_gcj02

GEOD = Geod(ellps="WGS84")
QINGPU = "310118"
# test-only coordinates inside 青浦区
LON, LAT = 121.05, 31.10


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


@pytest.fixture(scope="session")
def national(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer.load(layers_dir=tmp_path_factory.mktemp("none"), cache_dir=cache_dir)


@pytest.fixture()
def frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "名称": ["甲项目", "乙河道", "丙园区"],
            "类型": ["other", "river", "industrial_park"],
            "别名": ["甲;甲工程", "", "丙"],
        },
        geometry=[
            Point(LON, LAT),
            LineString([(LON, LAT), (LON + 0.01, LAT + 0.01)]),
            Polygon([(LON, LAT), (LON + 0.01, LAT), (LON + 0.01, LAT + 0.01), (LON, LAT)]),
        ],
        crs="EPSG:4326",
    )


def read(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


@pytest.mark.parametrize(("suffix", "driver"), [(".geojson", "GeoJSON"), (".gpkg", "GPKG"), (".shp", "ESRI Shapefile")])
def test_import_vector_formats(tmp_path: Path, frame, national: Gazetteer, suffix: str, driver: str, cache_dir: Path) -> None:
    src = tmp_path / f"bureau{suffix}"
    expected = ["Point", "LineString", "Polygon"]
    if driver == "ESRI Shapefile":  # one geometry type per shapefile
        frame = frame.set_geometry([Point(LON, LAT), Point(LON + 0.01, LAT), Point(LON, LAT + 0.01)])
        expected = ["Point"] * 3
    frame.to_file(src, driver=driver)
    out = import_layer(src, dest_dir=tmp_path / "user", county_of=national.county_of)
    feats = read(out)
    assert [f["properties"]["name"] for f in feats] == ["甲项目", "乙河道", "丙园区"]
    assert [f["geometry"]["type"] for f in feats] == expected
    assert feats[0]["properties"]["aliases"] == ["甲", "甲工程"]
    assert all(f["properties"]["admin_code"] == QINGPU for f in feats)
    g = Gazetteer.load(layers_dir=tmp_path / "nolayers", user_layers=[out], cache_dir=cache_dir)
    (hit,) = g.lookup("甲工程", within="青浦区")
    assert hit.origin == "user" and hit.kind == "other" and hit.admin_names[-1] == "青浦区"
    assert hit.geometry.equals_exact(Point(LON, LAT), 1e-9)


def test_import_projected_crs_is_reprojected(tmp_path: Path, frame) -> None:
    src = tmp_path / "utm.gpkg"
    frame.to_crs("EPSG:32651").to_file(src, driver="GPKG")
    feats = read(import_layer(src, dest_dir=tmp_path / "user"))
    x, y = feats[0]["geometry"]["coordinates"]
    assert metres((x, y), (LON, LAT)) < 0.01


@pytest.mark.parametrize(("crs", "forward"), [("GCJ-02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_import_csv_from_a_chinese_web_map(tmp_path: Path, crs: str, forward) -> None:
    wx, wy = forward(LON, LAT)
    assert metres((wx, wy), (LON, LAT)) > 100  # the shift the import must undo
    src = tmp_path / "项目清单.csv"
    src.write_text(f"名称,经度,纬度,类型,精度\n西岑试点,{wx:.8f},{wy:.8f},innovation_center,50\n", encoding="utf-8")
    out = import_layer(src, crs=crs, dest_dir=tmp_path / "user")
    (f,) = read(out)
    x, y = f["geometry"]["coordinates"]
    assert metres((x, y), (LON, LAT)) < 0.5
    p = f["properties"]
    assert p["source_crs"] in ("GCJ-02", "BD-09") and p["precision_m"] == 50 and p["kind"] == "innovation_center"
    assert out.name.endswith(".geojson") and out.name.isascii()


def test_import_csv_with_column_mapping(tmp_path: Path) -> None:
    src = tmp_path / "list.csv"
    src.write_text("proj,x_coord,y_coord,code\nA园,121.05,31.10,P-7\n", encoding="utf-8")
    out = import_layer(
        src,
        mapping={"name": "proj", "lon": "x_coord", "lat": "y_coord", "id": "code"},
        dest_dir=tmp_path / "user",
        default_kind="industrial_park",
    )
    (f,) = read(out)
    assert f["properties"]["id"] == "P-7" and f["properties"]["kind"] == "industrial_park"


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="31.10" lon="121.05"><tag k="name" v="测试码头"/><tag k="amenity" v="ferry_terminal"/></node>
  <node id="2" lat="31.11" lon="121.06"/>
  <node id="3" lat="31.12" lon="121.07"/>
  <node id="4" lat="31.13" lon="121.08"><tag k="highway" v="bus_stop"/></node>
  <way id="10"><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="name" v="测试公路"/></way>
</osm>
"""


def test_import_osm_xml(tmp_path: Path) -> None:
    """An OSM XML file goes through osmium-tool like a PBF (tests/test_osm_import.py tests the streaming)."""
    import os
    import shutil

    if shutil.which("osmium") is None:
        if os.environ.get("CI"):
            pytest.fail("osmium (osmium-tool) missing: CI must import OSM files")
        pytest.skip("osmium-tool not installed")
    src = tmp_path / "extract.osm"
    src.write_text(OSM_XML, encoding="utf-8")
    feats = read(import_layer(src, dest_dir=tmp_path / "user"))
    by_name = {f["properties"]["name"]: f for f in feats}
    assert set(by_name) == {"测试码头", "测试公路"}  # the unnamed bus stop is dropped
    assert by_name["测试码头"]["geometry"]["type"] == "Point"
    assert by_name["测试公路"]["geometry"]["type"] == "LineString"
    assert by_name["测试码头"]["properties"]["id"] == "osm-n1"


def test_import_osm_pbf(tmp_path: Path) -> None:
    """The same extract as PBF (written by Debian's osmium-tool), streamed through osmium."""
    import os
    import shutil
    import subprocess

    exe = shutil.which("osmium")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("osmium (osmium-tool) missing: CI must write a real PBF file")
        pytest.skip("osmium-tool not installed")
    xml = tmp_path / "extract.osm"
    xml.write_text(OSM_XML, encoding="utf-8")
    pbf = tmp_path / "extract.osm.pbf"
    subprocess.run([exe, "cat", str(xml), "-o", str(pbf), "--no-progress"], check=True, capture_output=True)
    assert pbf.read_bytes()[:64] != xml.read_bytes()[:64]  # really binary PBF, not renamed XML
    feats = read(import_layer(pbf, dest_dir=tmp_path / "user"))
    by_name = {f["properties"]["name"]: f for f in feats}
    assert set(by_name) == {"测试码头", "测试公路"}
    assert by_name["测试公路"]["geometry"]["type"] == "LineString"


# ----------------------------------------------------------------- bad files
def test_missing_column_names_file_and_field(tmp_path: Path) -> None:
    src = tmp_path / "nolat.csv"
    src.write_text("名称,经度\n甲,121.0\n", encoding="utf-8")
    with pytest.raises(LayerImportError) as exc:
        import_layer(src, dest_dir=tmp_path)
    assert "nolat.csv" in str(exc.value) and exc.value.field == "lat"


def test_mapped_column_absent(tmp_path: Path) -> None:
    src = tmp_path / "m.csv"
    src.write_text("名称,经度,纬度\n甲,121.0,31.1\n", encoding="utf-8")
    with pytest.raises(LayerImportError, match=r"m.csv, field 'proj'.*not in the file"):
        import_layer(src, mapping={"name": "proj"}, dest_dir=tmp_path)


@pytest.mark.parametrize(
    ("row", "pattern"),
    [
        ("乙,abc,31.1", r"bad.csv, row 2, field '经度': 'abc' is not a number"),
        ("乙,500,31.1", r"bad.csv, row 2, field '经度': longitude"),
        ("乙,121.0,95", r"bad.csv, row 2, field '纬度': latitude"),
        (",121.0,31.1", r"bad.csv, row 2, field '名称': empty name"),
    ],
)
def test_bad_rows_name_row_and_field(tmp_path: Path, row: str, pattern: str) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(f"名称,经度,纬度\n甲,121.0,31.1\n{row}\n", encoding="utf-8")
    with pytest.raises(LayerImportError, match=pattern):
        import_layer(src, dest_dir=tmp_path)


def test_unknown_kind_and_crs(tmp_path: Path) -> None:
    src = tmp_path / "k.csv"
    src.write_text("名称,经度,纬度,类型\n甲,121.0,31.1,spaceport\n", encoding="utf-8")
    with pytest.raises(LayerImportError, match=r"row 1, field '类型': unknown kind 'spaceport'"):
        import_layer(src, dest_dir=tmp_path)
    ok = tmp_path / "ok.csv"
    ok.write_text("名称,经度,纬度\n甲,121.0,31.1\n", encoding="utf-8")
    with pytest.raises(LayerImportError, match=r"ok.csv, field 'crs': unknown crs 'MARS-01'"):
        import_layer(ok, crs="MARS-01", dest_dir=tmp_path)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(LayerImportError, match="file not found"):
        import_layer(tmp_path / "nope.csv", dest_dir=tmp_path)
    odd = tmp_path / "x.xlsx"
    odd.write_bytes(b"PK")
    with pytest.raises(LayerImportError, match="unsupported file type"):
        import_layer(odd, dest_dir=tmp_path)
