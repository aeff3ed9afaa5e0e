"""Importing an OSM extract (PBF): the named features plans use, streamed in chunks, merged by name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from shapely.geometry import shape

from geoplan.errors import LayerImportError
from geoplan.gazetteer import Gazetteer
from geoplan.gazetteer import osm_read
from geoplan.gazetteer.importers import import_layer
from geoplan.gazetteer.osm_layer import OSM_LICENSE, import_osm
from geoplan.vocab import osm_tags


@pytest.fixture(scope="module")
def osmium() -> str:
    exe = shutil.which("osmium")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("osmium (osmium-tool) missing: CI must import a real PBF file")
        pytest.skip("osmium-tool not installed")
    return exe


def _node(i: int, lon: float, lat: float, **tags: str) -> str:
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<node id="{i}" lat="{lat}" lon="{lon}">{body}</node>'


def _way(i: int, refs: list[int], **tags: str) -> str:
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{i}">{nds}{body}</way>'


def write_pbf(osmium: str, folder: Path, nodes: list[str], ways: list[str], stem: str = "extract") -> Path:
    """An OSM XML file of the given objects, converted to PBF by osmium (objects must be in id order)."""
    xml = folder / f"{stem}.osm"
    xml.write_text("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"test\">\n"
                   + "\n".join(nodes + ways) + "\n</osm>\n", encoding="utf-8")
    pbf = folder / f"{stem}.osm.pbf"
    subprocess.run([osmium, "cat", str(xml), "-o", str(pbf), "--overwrite", "--no-progress"], check=True,
                   capture_output=True)
    return pbf


@pytest.fixture()
def extract(osmium: str, tmp_path: Path) -> Path:
    """A made-up extract: a lake (closed way), a river in two ways, two piers of one name 50 km apart,
    a hospital node, an industrial zone, and things no plan names (a shop, an unnamed bus stop)."""
    nodes = [
        _node(1, 121.05, 31.10, name="测试码头", amenity="ferry_terminal"),
        _node(2, 121.06, 31.11), _node(3, 121.07, 31.12), _node(4, 121.06, 31.12),
        _node(5, 121.10, 31.15), _node(6, 121.14, 31.17),
        _node(7, 121.50, 31.50, name="测试码头", amenity="ferry_terminal"),
        _node(8, 121.08, 31.13, name="某超市", shop="supermarket"),
        _node(9, 121.09, 31.14, highway="bus_stop"),
        _node(10, 121.20, 31.20, name="测试医院", amenity="hospital"),
        _node(11, 121.30, 31.30), _node(12, 121.31, 31.30), _node(13, 121.31, 31.31),
        _node(14, 121.25, 31.25, name="测试江", railway="station", station="subway", alt_name="测试江站"),
        _node(15, 121.26, 31.26, name="测试东站", railway="station"),
    ]
    ways = [
        _way(20, [2, 3, 4, 2], natural="water", name="测试湖", alt_name="测湖"),
        _way(21, [3, 5], waterway="river", name="测试河"),
        _way(22, [5, 6], waterway="river", name="测试河"),
        _way(23, [11, 12, 13, 11], landuse="industrial", name="测试工业区"),
        _way(24, [5, 6], highway="residential", name="某小路"),
    ]
    return write_pbf(osmium, tmp_path, nodes, ways)


def _read(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def test_extract_keeps_the_named_features_plans_use(extract: Path, tmp_path: Path) -> None:
    out = tmp_path / "user" / "extract.geojson"
    stats = import_osm(extract, out, county_of=lambda geom: None)
    feats = _read(out)
    by_name: dict[str, list[dict]] = {}
    for f in feats:
        by_name.setdefault(f["properties"]["name"], []).append(f)
    # the shop, the residential street and the unnamed bus stop are not what plans name
    # a station tagged without 站 is named with it, and its bare name (a river's, here) is no alias
    assert set(by_name) == {"测试码头", "测试湖", "测试河", "测试医院", "测试工业区", "测试江站", "测试东站"}
    kinds = {n: fs[0]["properties"]["kind"] for n, fs in by_name.items()}
    assert kinds == {"测试码头": "hub", "测试湖": "lake", "测试河": "river", "测试医院": "hospital",
                     "测试工业区": "industrial_park", "测试江站": "station", "测试东站": "station"}
    assert by_name["测试江站"][0]["properties"]["aliases"] == []
    # the lake is its outline, not the closed way's line; its other name is an alias
    (lake,) = by_name["测试湖"]
    assert lake["geometry"]["type"] == "Polygon" and lake["properties"]["aliases"] == ["测湖"]
    # a river's two ways are one feature; two piers 50 km apart stay two
    (river,) = by_name["测试河"]
    assert shape(river["geometry"]).geom_type == "LineString" and "merged from 2" in river["properties"]["note"]
    assert len(by_name["测试码头"]) == 2
    assert all(f["properties"]["license"] == OSM_LICENSE for f in feats)
    assert {f["properties"]["id"] for f in by_name["测试码头"]} == {"osm-n1", "osm-n7"}
    assert stats.features == len(feats) and stats.by_kind["hub"] == 2


def test_extract_is_read_in_bounded_chunks(osmium: str, tmp_path: Path) -> None:
    """Memory is bounded by the chunk size, not by the extract: 1,200 named nodes read 100 at a time."""
    nodes = [_node(i, 120.0 + (i % 40) * 0.05, 30.0 + (i // 40) * 0.05, name=f"站{i}", railway="station")
             for i in range(1, 1201)]
    pbf = write_pbf(osmium, tmp_path, nodes, [], stem="many")
    stats = import_osm(pbf, tmp_path / "many.geojson", chunk_size=100)
    assert stats.objects == 1200 and stats.features == 1200
    assert stats.chunks == 12 and stats.max_chunk == 100
    assert stats.max_group == 1  # merging holds one name's pieces at a time


def test_reader_is_lazy_and_stops_osmium_when_abandoned(osmium: str, tmp_path: Path) -> None:
    nodes = [_node(i, 120.0 + i * 0.01, 30.0, name=f"站{i}", railway="station") for i in range(1, 301)]
    pbf = write_pbf(osmium, tmp_path, nodes, [], stem="lazy")
    chunks = osm_read.read_osm_chunks(pbf, osm_tags(), chunk_size=50)
    first = next(chunks)
    assert len(first) == 50 and all(f.osm_type == "n" for f in first)
    chunks.close()  # no error, no osmium left running


def test_import_layer_routes_an_extract_and_the_gazetteer_finds_it(
    extract: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = import_layer(extract, dest_dir=tmp_path / "user")
    cache = tmp_path_factory.getbasetemp() / "gazetteer-cache"  # the session's national layer, built once
    cache.mkdir(exist_ok=True)
    (tmp_path / "no-layers").mkdir()
    g = Gazetteer.load(layers_dir=tmp_path / "no-layers", user_layers=[out], cache_dir=cache)
    (lake,) = [f for f in g.lookup("测湖") if f.origin == "user"]
    assert lake.name == "测试湖" and lake.kind == "lake" and lake.precision_m == osm_tags().precision_m["polygon"]
    assert "OpenStreetMap" in lake.license  # ODbL by default
    stated = import_layer(extract, dest_dir=tmp_path / "user2", license="ODbL-1.0 (bureau licence 2026-17)")
    assert "bureau licence 2026-17" in stated.read_text(encoding="utf-8")


def test_unsorted_file_says_how_to_fix_it(osmium: str, tmp_path: Path) -> None:
    xml = tmp_path / "unsorted.osm"
    xml.write_text("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n"
                   + _node(2, 121.0, 31.0) + _node(3, 121.1, 31.1)
                   + _way(11, [2, 3], waterway="river", name="乙河") + _way(10, [2, 3], waterway="river", name="甲河")
                   + "\n</osm>\n", encoding="utf-8")
    with pytest.raises(LayerImportError, match="osmium sort"):
        import_osm(xml, tmp_path / "u.geojson")


def test_extract_without_any_kept_feature_is_an_error(osmium: str, tmp_path: Path) -> None:
    pbf = write_pbf(osmium, tmp_path, [_node(1, 121.0, 31.0, name="某超市", shop="supermarket")], [], stem="shops")
    with pytest.raises(LayerImportError, match="no named OSM feature"):
        import_osm(pbf, tmp_path / "shops.geojson")
    assert not (tmp_path / "shops.geojson").exists()


def test_missing_osmium_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(osm_read, "osmium_exe", lambda: None)
    src = tmp_path / "x.osm.pbf"
    src.write_bytes(b"\0")
    with pytest.raises(LayerImportError, match="apt-get install osmium-tool"):
        import_osm(src, tmp_path / "x.geojson")


def test_filter_expressions_cover_every_rule() -> None:
    exprs = osm_read.filter_expressions(osm_tags())
    assert "nwr/amenity=bus_station,college,ferry_terminal,hospital,school,university" in exprs
    assert "nwr/industrial" in exprs  # "*": any value
    keys = {e.split("/", 1)[1].split("=", 1)[0] for e in exprs}
    assert keys == {r.key for r in osm_tags().rules}


@pytest.mark.parametrize(("kwargs", "field"), [({"crs": "GCJ-02"}, "crs"), ({"mapping": {"name": "名称"}}, "mapping"),
                                                    ({"kinds": {"lake"}}, "kinds")])
def test_options_that_do_not_apply_to_osm_are_refused(tmp_path: Path, kwargs: dict, field: str) -> None:
    src = tmp_path / "x.osm.pbf"
    src.write_bytes(b"\0")
    with pytest.raises(LayerImportError) as exc:
        import_layer(src, dest_dir=tmp_path / "user", **kwargs)
    assert exc.value.field == field
