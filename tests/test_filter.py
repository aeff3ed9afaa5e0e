"""filter_layers and ``geoplan filter``: each option, combinations, unknown values."""

from __future__ import annotations

import pyogrio
import pytest
from click.testing import CliRunner

from geoplan.cli import main
from geoplan.errors import FilterError
from geoplan.io import export
from geoplan.output.filter import filter_layers, normalize_task, task_matches

from test_export import DOC_A, DOC_B, plan_layers


@pytest.fixture
def layers():
    return plan_layers()


def names(layers) -> list[tuple[str, str]]:
    return sorted(zip(layers.features["doc"].str[:3], layers.features["name"]))


def test_theme_matches_every_task_theme_of_a_feature(layers):
    got = filter_layers(layers, theme="文旅")
    # 淀山湖: its first task is 生态, a later one 文旅; the 水乡 project by its name
    assert names(got) == [("000", "水乡客厅配套工程"), ("000", "淀山湖")]
    both = filter_layers(layers, theme=["交通", "科创"])
    assert names(both) == [("000", "17号线西延伸"), ("000", "西岑站"), ("002", "张江科学城")]
    # a theme named only outside tasks (产业, in a review section) does not count
    assert len(filter_layers(layers, theme="产业").features) == 0
    # mentions and unresolved rows follow their features
    assert set(got.mentions["feature_id"]) == set(got.features["id"])
    assert len(filter_layers(layers, theme="城市更新").unresolved) == 1


def test_task_prefix_is_on_whole_segments_and_uses_every_task_mention(layers):
    assert task_matches("四/(四)/1", "四/(四)") and task_matches("四/(四)", "四/(四)")
    assert not task_matches("四/(四十)/2", "四/(四)")
    got = filter_layers(layers, task="四/(四)")
    # 淀山湖's first task is 三/(二)/1, its second 四/(四)/2
    assert names(got) == [("000", "17号线西延伸"), ("000", "水乡客厅配套工程"), ("000", "淀山湖")]
    assert names(filter_layers(layers, task="四/（四十）")) == [("000", "西岑站")]
    assert normalize_task(" 四／（四） / 1") == "四/(四)/1"
    assert len(filter_layers(layers, task="四").features) == 5


def test_kind_doc_precision(layers):
    assert names(filter_layers(layers, kind="lake")) == [("000", "淀山湖"), ("002", "淀山湖")]
    assert names(filter_layers(layers, kind=["metro_line", "station"])) == [("000", "17号线西延伸"), ("000", "西岑站")]
    assert len(filter_layers(layers, doc="002").features) == 3
    assert len(filter_layers(layers, doc=DOC_A).features) == 6
    assert names(filter_layers(layers, precision="town")) == [("000", "朱家角镇")]
    none = filter_layers(layers, precision="none")
    assert not none.features["located"].any() and len(none.unresolved) == 2
    assert len(filter_layers(layers, precision=["feature", "town"]).features) == 7


def test_within_spatial_for_located_and_region_for_unlocated(layers, gazetteer):
    qingpu = filter_layers(layers, within="青浦区", gazetteer=gazetteer)
    assert ("002", "张江科学城") not in names(qingpu)
    assert ("002", "淀山湖") in names(qingpu)  # located inside, whatever the plan's region
    assert ("000", "水乡客厅配套工程") in names(qingpu)  # unlocated, plan region 青浦区
    assert ("002", "某新城综合体") not in names(qingpu)  # unlocated, region 上海市 is wider than 青浦区
    assert names(filter_layers(layers, within="310118", gazetteer=gazetteer)) == names(qingpu)
    assert names(filter_layers(layers, within="浦东新区", gazetteer=gazetteer)) == [("002", "张江科学城")]
    city = filter_layers(layers, within="上海市", gazetteer=gazetteer)
    assert len(city.features) == len(layers.features)
    both = filter_layers(layers, within=["浦东新区", "青浦区"], gazetteer=gazetteer)
    assert len(both.features) == len(qingpu.features) + 1


def test_options_combine(layers, gazetteer):
    got = filter_layers(layers, theme="生态", doc="000", precision="feature", within="青浦区", gazetteer=gazetteer)
    assert names(got) == [("000", "淀山湖"), ("000", "环湖绿道")]
    assert len(filter_layers(layers, theme="交通", kind="lake").features) == 0


@pytest.mark.parametrize(
    "option, value, listed",
    [
        ("theme", "交同", "交通"),
        ("kind", "lakes", "metro_line"),
        ("precision", "exact", "district"),
        ("doc", "007", "000"),
        ("task", "四/(四十一)", "四/(四)/1"),
    ],
)
def test_unknown_values_list_the_allowed_ones(layers, option, value, listed):
    with pytest.raises(FilterError) as err:
        filter_layers(layers, **{option: value})
    assert err.value.field == option and listed in err.value.allowed
    assert listed in str(err.value)


def test_unknown_area(layers, gazetteer):
    with pytest.raises(FilterError) as err:
        filter_layers(layers, within="火星区", gazetteer=gazetteer)
    assert "青浦区" in err.value.allowed


# ------------------------------------------------------------------------- CLI
@pytest.fixture
def gpkg(layers, tmp_path):
    path = tmp_path / "in.gpkg"
    export(layers, path)
    return path


def test_cli_filter_writes_the_selection(gpkg, tmp_path, gazetteer):
    out = tmp_path / "sel.geojson"
    res = CliRunner().invoke(main, ["filter", str(gpkg), "--theme", "生态", "--theme", "科创", "--doc", "000",
                                    "--precision", "feature", "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = pyogrio.read_dataframe(out)
    assert sorted(got["name"]) == ["淀山湖", "环湖绿道"]
    assert (tmp_path / "sel_themes" / "生态.geojson").is_file()
    out2 = tmp_path / "qingpu.gpkg"
    res = CliRunner().invoke(main, ["filter", str(gpkg), "--within", "青浦区", "--task", "四/(四)", "-o", str(out2)])
    assert res.exit_code == 0, res.output
    assert sorted(pyogrio.read_dataframe(out2, layer="features")["name"]) == ["17号线西延伸", "水乡客厅配套工程", "淀山湖"]
    assert "3 of 9 features" in res.output


def test_cli_filter_unknown_value_exits_2_listing_allowed(gpkg, tmp_path):
    res = CliRunner().invoke(main, ["filter", str(gpkg), "--kind", "subway", "-o", str(tmp_path / "x.geojson")])
    assert res.exit_code == 2
    assert "unknown kind 'subway'" in res.stderr and "metro_line" in res.stderr
    assert not (tmp_path / "x.geojson").exists()


def test_cli_export_converts_formats(gpkg, tmp_path):
    res = CliRunner().invoke(main, ["export", str(gpkg), "--to", str(tmp_path / "plan.shp")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "plan_polygons.shp").is_file()
    res = CliRunner().invoke(main, ["export", str(gpkg), "--to", str(tmp_path / "plan.kml")])
    assert res.exit_code == 7 and "unknown output format" in res.stderr
