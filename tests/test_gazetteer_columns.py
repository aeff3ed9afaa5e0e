"""The column store of gazetteer features: what goes in comes back, and a foreign store is rebuilt."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from geoplan.gazetteer.cache import cached
from geoplan.gazetteer.columns import from_columns, to_columns
from geoplan.gazetteer.model import GazetteerFeature


@pytest.fixture
def features() -> list[GazetteerFeature]:
    """Features of every geometry type, one without geometry, with extras and optional fields set or not."""
    square = Polygon([(121.0, 31.0), (121.1, 31.0), (121.1, 31.1), (121.0, 31.0)])
    return [
        GazetteerFeature(id="a", name="青浦区", kind="district", geometry=MultiPolygon([square]), precision_m=50.0,
                         source="test", license="test", aliases=("青浦",), admin_code="310118",
                         admin_names=("上海市", "上海市", "青浦区"), origin="admin", extra={"legacy_id": "x1"}),
        GazetteerFeature(id="b", name="淀浦河", kind="river", geometry=LineString([(121.0, 31.0), (121.2, 31.05)]),
                         precision_m=200.0, source="test", license="test", source_crs="EPSG:4490"),
        GazetteerFeature(id="c", name="青浦站", kind="station", geometry=Point(121.123456789, 31.987654321),
                         precision_m=30.0, source="test", license="test", part_of="a", note="invented"),
        GazetteerFeature(id="d", name="练塘镇", kind="town", geometry=None, precision_m=3000.0,
                         source="test", license="test", admin_code="310118103", origin="admin"),
        GazetteerFeature(id="e", name="方块", kind="zone", geometry=square, precision_m=10.0,
                         source="test", license="test"),
    ]


def test_features_come_back_equal_field_for_field(features):
    back = from_columns(pickle.loads(pickle.dumps(to_columns(features))))
    assert back == features  # dataclass equality: every compared field, geometry included
    assert [f.extra for f in back] == [f.extra for f in features]
    assert back[3].geometry is None
    assert back[2].geometry.coords[0] == (121.123456789, 31.987654321)  # WKB keeps every bit of a coordinate
    assert all(type(b) is GazetteerFeature for b in back)


def test_a_store_of_another_format_is_refused(features):
    with pytest.raises(ValueError):
        from_columns(features)  # a plain pickled list, as earlier versions stored
    cols = to_columns(features)
    cols["format"] = "something-else/9"
    with pytest.raises(ValueError):
        from_columns(cols)


def test_cached_rebuilds_what_decode_refuses(tmp_path: Path, features):
    calls = []

    def build():
        calls.append(1)
        return features

    (tmp_path / "layer-k.pkl").write_bytes(pickle.dumps(features))  # an earlier version's file
    value, hit = cached(tmp_path, "layer", "k", build, to_columns, from_columns)
    assert (value, hit, len(calls)) == (features, False, 1)
    value, hit = cached(tmp_path, "layer", "k", build, to_columns, from_columns)
    assert (value, hit, len(calls)) == (features, True, 1)
    assert isinstance(pickle.loads((tmp_path / "layer-k.pkl").read_bytes()), dict)  # stored by column


def test_a_cache_file_others_may_write_is_rebuilt_not_unpickled(tmp_path: Path) -> None:
    """Unpickling runs code: a cache file writable by others is never loaded."""
    import os

    value, hit = cached(tmp_path, "layer", "k1", lambda: ["built"])
    assert (value, hit) == (["built"], False)
    assert cached(tmp_path, "layer", "k1", lambda: ["again"]) == (["built"], True)  # ours: read back
    path = tmp_path / "layer-k1.pkl"
    path.write_bytes(pickle.dumps(["planted"]))
    os.chmod(path, 0o666)
    assert cached(tmp_path, "layer", "k1", lambda: ["rebuilt"]) == (["rebuilt"], False)
