"""The jurisdiction-free name table: scoping per plan, and sharing it between plans.

A build prepares :class:`NameTable` once and gives it to the extractor of every
jurisdiction; these tests check that the scope rules still hold per plan and that
a shared table gives each extractor exactly what its own table would.
"""

from __future__ import annotations

import pytest

from geoplan.extract import Extractor
from geoplan.extract.scope import NameTable
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.jurisdiction import Jurisdiction

from factories import unit_feature as _feature


@pytest.fixture(scope="module")
def features() -> list[GazetteerFeature]:
    """Units of 上海 and 浙江, townships in two districts, a curated river and national stations."""
    return [
        _feature("sh", "上海市", "province", "310000", ["上海"]),
        _feature("qp", "青浦区", "district", "310118", ["青浦"]),
        _feature("pd", "浦东新区", "district", "310115", ["浦东"]),
        _feature("zjj", "朱家角镇", "town", "310118102", ["朱家角"]),
        _feature("hm", "花木街道", "street", "310115005", ["花木"]),
        _feature("hz", "杭州市", "city", "330100", ["杭州"]),
        _feature("xh", "西湖区", "district", "330106", ["西湖"]),
        _feature("lp", "留下街道", "street", "330106001", ["留下"]),
        _feature("dph", "淀浦河", "river", "310118", origin="curated"),
        _feature("qpz", "青浦站", "station", "310118", ["青浦"], origin="national"),
        _feature("hzd", "杭州东站", "station", "330104", ["杭州东"], origin="national"),
        # the same id twice: the later feature wins, as the gazetteer's dict by id does
        _feature("dph", "淀浦河", "river", "310118", ["淀浦"], origin="curated"),
    ]


QINGPU = Jurisdiction(code="310118", name="青浦区", level="district", feature_id="qp")
XIHU = Jurisdiction(code="330106", name="西湖区", level="district", feature_id="xh")


def _names(table: NameTable, j: Jurisdiction) -> set[str]:
    return {n for n, _ in table.pairs(j, {j.province_prefix})}


def test_township_short_forms_only_inside_the_plans_area(features):
    names = _names(NameTable(features), QINGPU)
    assert {"朱家角镇", "朱家角"} <= names
    assert "花木街道" in names  # the full name across the city
    assert "花木" not in names  # a short form outside the plan's own district
    assert "留下街道" not in names and "留下" not in names  # another province's township


def test_far_units_keep_full_names_and_city_short_forms(features):
    names = _names(NameTable(features), QINGPU)
    assert {"杭州市", "杭州", "西湖区"} <= names
    assert "西湖" not in names  # a far county's short form is an ordinary word
    assert "杭州东站" not in names  # a far station is more often a word than that station
    assert "青浦站" in names


def test_a_repeated_id_keeps_its_first_place_and_last_feature(features):
    table = NameTable(features)
    ids = [fid for _, fid in table.pairs(QINGPU, {"31"})]
    assert ids.count("dph") == 2  # 淀浦河 and the later feature's alias 淀浦
    assert table.features["dph"].aliases == ("淀浦",)


def test_shared_table_gives_each_jurisdiction_what_its_own_would(features):
    shared = NameTable(features)
    for j in (QINGPU, XIHU, None):
        own = Extractor(features, j)
        reused = Extractor(shared, j)
        assert list(reused.matcher._names.items()) == list(own.matcher._names.items())  # same ids, same order
        assert reused.discoverer.known == own.discoverer.known
        assert reused.discoverer.locators == own.discoverer.locators
