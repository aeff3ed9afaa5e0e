"""The resolver index's townships by province: the same townships, in the same order, as a scan of every name."""

from __future__ import annotations

from shapely.geometry import Point

from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode.index import NameIndex


def _f(fid: str, name: str, kind: str, code: str, aliases=(), origin: str = "admin") -> GazetteerFeature:
    return GazetteerFeature(id=fid, name=name, kind=kind, geometry=Point(120.0, 31.0), precision_m=1000.0,
                            source="test", license="test", aliases=tuple(aliases), admin_code=code, origin=origin)


def _scan(index: NameIndex, provinces: set[str]) -> list[GazetteerFeature]:
    """What villages placement did before: every name of the index, townships of the provinces, first visit kept."""
    out: list[GazetteerFeature] = []
    for fs in index.by_name.values():
        for f in fs:
            if f.kind in ("town", "street") and f.origin == "admin" and (f.admin_code or "")[:2] in provinces:
                if all(f is not g for g in out):
                    out.append(f)
    return out


FEATURES = [
    _f("z1", "黎里镇", "town", "320509101", ["黎里"]),
    _f("s1", "朱家角镇", "town", "310118102", ["朱家角"]),
    _f("c1", "吴江区", "district", "320509", ["吴江"]),
    _f("z2", "平望镇", "town", "320509102", ["平望"]),
    _f("s2", "花木街道", "street", "310115005", ["花木"]),
    _f("z3", "黎里镇", "town", "320509101", origin="curated"),  # not an administrative unit
    _f("h1", "留下街道", "street", "330106001", ["留下", "黎里"]),  # shares an alias with 黎里镇
]


def test_townships_are_those_of_the_provinces_in_scan_order():
    index = NameIndex(FEATURES)
    for provinces in ({"32"}, {"31"}, {"32", "33"}, {"31", "32", "33"}, {"44"}):
        got = index.townships(sorted(provinces))
        assert [f.id for f in got] == [f.id for f in _scan(index, provinces)]
    assert [f.id for f in index.townships(["32", "33"])] == ["z1", "h1", "z2"]  # 留下街道 is first seen under 黎里


def test_a_province_named_twice_gives_its_townships_once():
    index = NameIndex(FEATURES)
    assert [f.id for f in index.townships(["31", "31"])] == ["s1", "s2"]
