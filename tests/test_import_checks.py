"""Imports check what a build would otherwise trust (issue 19): geometry, swapped lon/lat, layer names.

Reproducers: a self-intersecting polygon was used by ``build`` though
``validate`` rejects it; a point with lon/lat swapped but in range was placed
3,000 km away as exact; a second import with the same file stem overwrote the first.
"""

from __future__ import annotations

import json
import logging

import pytest

from geoplan.errors import LayerImportError
from geoplan.gazetteer.importers import import_layer

BOWTIE = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"name": "交叉地块"},
    "geometry": {"type": "Polygon", "coordinates": [[[121.0, 31.0], [121.1, 31.1], [121.1, 31.0], [121.0, 31.1], [121.0, 31.0]]]},
}]}


def test_self_intersecting_polygon_is_refused(tmp_path):
    src = tmp_path / "plots.geojson"
    src.write_text(json.dumps(BOWTIE, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LayerImportError, match=r"row 1, field 'geometry': invalid geometry: Self-intersection"):
        import_layer(src, dest_dir=tmp_path / "layers")
    assert not (tmp_path / "layers").exists() or not list((tmp_path / "layers").iterdir())


def test_swapped_point_is_warned(tmp_path, gazetteer, caplog):
    src = tmp_path / "projects.csv"
    # row 1: 乌鲁木齐 with its columns exchanged (in range, outside China); row 2: right; row 3: Paris, not in China either way
    src.write_text("name,lon,lat\n甲项目,43.8256,87.6168\n乙项目,121.0,31.1\n丙项目,2.35,48.85\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geoplan.gazetteer.importers"):
        import_layer(src, dest_dir=tmp_path / "layers", county_of=gazetteer.county_of)
    warned = [r.getMessage() for r in caplog.records if "swapped" in r.getMessage()]
    assert len(warned) == 1 and "row 1" in warned[0]


def test_equal_stems_get_their_own_layers(tmp_path):
    dest = tmp_path / "layers"
    files = []
    for d, name in (("a", "甲项目"), ("b", "乙项目")):
        (tmp_path / d).mkdir()
        f = tmp_path / d / "projects.csv"
        f.write_text(f"name,lon,lat\n{name},121.0,31.1\n", encoding="utf-8")
        files.append(f)
    first = import_layer(files[0], dest_dir=dest)
    second = import_layer(files[1], dest_dir=dest)
    assert first != second and first.exists() and second.exists()
    ids = [json.loads(p.read_text(encoding="utf-8"))["features"][0]["properties"]["id"] for p in (first, second)]
    assert ids[0] != ids[1]
    files[0].write_text("name,lon,lat\n丙项目,121.0,31.1\n", encoding="utf-8")
    assert import_layer(files[0], dest_dir=dest) == first  # re-importing a file replaces its own layer
    assert json.loads(first.read_text(encoding="utf-8"))["features"][0]["properties"]["name"] == "丙项目"
    assert len(list(dest.iterdir())) == 2
