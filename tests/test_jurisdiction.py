"""Which unit a plan is about: its title first, then the first lines, or the planner's word."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from geoplan.cli import main
from geoplan.errors import GazetteerError
from geoplan.jurisdiction import detect
from geoplan.pipeline import Context, build

# Written for these tests: a 嘉兴 plan whose opening paragraph names a county of
# its own city and a district of Shanghai before its own units.
JIAXING = """嘉兴市接轨上海美丽城镇建设规划
为深化与上海市青浦区、江苏省吴江区的合作,桐乡市先行探索,制定本规划。
一、主要任务
(一)美丽城镇
1.推进王店镇、新丰镇、大桥镇美丽城镇建设。
2.提升嘉兴南湖周边环境。
"""


@pytest.fixture(scope="module")
def admin_units(gazetteer):
    return [f for f in gazetteer.features if f.origin == "admin" and f.kind in ("province", "city", "district")]


def test_the_title_names_the_jurisdiction(admin_units):
    j = detect(JIAXING, admin_units, title="嘉兴市接轨上海美丽城镇建设规划")
    assert (j.name, j.level, j.code) == ("嘉兴市", "city", "330400")
    # the finest unit of the title, if it sits inside the coarser ones it names
    j = detect("", admin_units, title="浙江省嘉兴市秀洲区乡村振兴规划")
    assert j.name == "秀洲区"
    j = detect("", admin_units, title="上海青浦区西部发展要点")
    assert j.name == "青浦区"


def test_without_a_title_a_neighbour_county_does_not_win(admin_units):
    # no unit in the title: the first lines decide, and a county outside the city named there is no candidate
    text = "美丽城镇建设规划\n嘉兴市人民政府印发。为深化与上海市青浦区的合作制定本规划。\n" + "嘉兴市" * 3
    j = detect(text, admin_units, title="美丽城镇建设规划")
    assert j.name == "嘉兴市"


def test_townships_of_the_city_resolve_once_the_city_is_the_jurisdiction(tmp_path, gazetteer):
    plan = tmp_path / "jiaxing.txt"
    plan.write_text(JIAXING, encoding="utf-8")
    result = build(plan, gazetteer=gazetteer)
    assert result.plans[0].jurisdiction.name == "嘉兴市"
    by_name = {f.name: f for f in result.plans[0].features}
    for town in ("王店镇", "新丰镇", "大桥镇"):
        loc = by_name[town].location
        assert loc.located and (loc.gazetteer_id or "").startswith("cn-3304"), (town, loc)


def test_the_planner_can_set_the_jurisdiction(tmp_path, gazetteer):
    plan = tmp_path / "jiaxing.txt"
    plan.write_text(JIAXING, encoding="utf-8")
    result = build(plan, gazetteer=gazetteer, jurisdiction="桐乡市")
    assert result.plans[0].jurisdiction.name == "桐乡市"
    assert Context(gazetteer=gazetteer, jurisdiction="330483").forced_jurisdiction.name == "桐乡市"
    with pytest.raises(GazetteerError, match="no administrative units"):
        Context(gazetteer=gazetteer, jurisdiction="不存在市")
    with pytest.raises(GazetteerError, match="2 administrative units|administrative units carry"):
        Context(gazetteer=gazetteer, jurisdiction="朝阳区")  # 北京 and 长春
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(tmp_path / "o"), "--jurisdiction", "朝阳区"])
    assert res.exit_code != 0 and "朝阳区" in res.output and "北京市" in res.output


def test_review_of_an_unreadable_plan_fails_and_writes_nothing(tmp_path, gazetteer):
    sheet = tmp_path / "sheet.csv"
    res = CliRunner().invoke(main, ["review", str(tmp_path / "missing.txt"), "-o", str(sheet)])
    assert res.exit_code != 0 and "missing.txt" in res.output
    assert not sheet.exists()


def test_short_and_full_names_of_one_place_are_one_feature(tmp_path, gazetteer):
    plan = tmp_path / "huzhou.txt"
    plan.write_text("湖州市生态建设要点(测试稿)\n一、主要任务\n1.湖州市推进太湖南岸修复,湖州加快建设。\n2.推进太湖治理。\n",
                    encoding="utf-8")
    result = build(plan, gazetteer=gazetteer)
    feats = result.plans[0].features
    huzhou = [f for f in feats if f.location.gazetteer_id == "cn-330500"]
    assert len(huzhou) == 1 and huzhou[0].name == "湖州市"
    assert {m.surface for m in huzhou[0].mentions} == {"湖州市", "湖州"}
    lake = next(f for f in feats if f.name == "太湖")
    # placed on the lake (not 安徽's 太湖县): the feature's kind is the gazetteer's
    assert lake.location.located and lake.kind == "lake" == gazetteer.get(lake.location.gazetteer_id).kind
    for f in feats:  # a merged feature never holds one mention twice
        own = [(m.span, m.raw_span) for m in f.mentions]
        assert len(own) == len(set(own))


def test_a_matched_name_takes_the_gazetteer_kind(gazetteer):
    from dataclasses import replace

    from geoplan.geocode.stage import located_kind
    from geoplan.records import Location

    lake = next(f for f in gazetteer.lookup("太湖") if f.kind == "lake")
    loc = Location(geometry=lake.geometry, precision="feature", precision_m=1.0, method="alias", confidence=0.9,
                   reason="test", gazetteer_id=lake.id)
    assert located_kind("district", loc, gazetteer) == "lake"
    # a place it merely lies in says nothing of what the name is
    assert located_kind("industrial_park", replace(loc, method="contained-name"), gazetteer) == "industrial_park"


def test_a_county_short_form_inside_another_name_is_no_mention(tmp_path, gazetteer):
    # 花溪 (贵阳's 花溪区, a neighbouring province of 四川) sits inside 成都's 浣花溪公园
    plan = tmp_path / "chengdu.txt"
    plan.write_text("成都市公园城市建设要点\n一、主要任务\n1.提升浣花溪公园品质,推进双流区公园建设。\n", encoding="utf-8")
    result = build(plan, gazetteer=gazetteer)
    names = {f.name for f in result.plans[0].features}
    assert "浣花溪公园" in names and "花溪区" not in names
    assert "双流区" in names  # a full county name inside the sentence still counts


def test_villages_of_the_plan_area_are_found_whole_and_placed_at_their_township(tmp_path, gazetteer):
    # jieba cuts 开弦弓村 and 北联村 apart; the village list of 吴江区 knows them
    plan = tmp_path / "wujiang.txt"
    plan.write_text("苏州市吴江区乡村振兴要点\n一、主要任务\n1.推进开弦弓村、北联村、东联村建设。\n", encoding="utf-8")
    result = build(plan, gazetteer=gazetteer)
    by_name = {f.name: f for f in result.plans[0].features}
    for village in ("开弦弓村", "北联村", "东联村"):
        f = by_name[village]
        assert f.kind == "village" and f.location.located, village
        assert f.location.precision == "town" and f.location.method == "admin-fallback"
        assert gazetteer.villages(village, ("320509",))[0].town in f.location.reason
    assert "七都镇" in by_name["开弦弓村"].location.reason


def test_numbered_lines_belong_to_the_plan_city(tmp_path, gazetteer):
    plan = tmp_path / "hangzhou.txt"
    plan.write_text("杭州市余杭区交通要点\n一、主要任务\n1.推进杭州地铁5号线、12号线延伸,对接上海轨道交通17号线。\n",
                    encoding="utf-8")
    result = build(plan, gazetteer=gazetteer)
    by_name = {f.name: f for f in result.plans[0].features}
    # Shanghai's lines carry the number 12 too; 杭州 has no line 12 in the gazetteer
    loc = by_name["12号线"].location
    assert not loc.located and loc.unresolved_reason == "not-found" and "every city" in loc.reason
    # 杭州地铁5号线 is 杭州's own line (national layer): its extent, not a line at feature precision
    loc = by_name["杭州地铁5号线"].location
    assert loc.located and gazetteer.get(loc.gazetteer_id).admin_code.startswith("3301")
    assert loc.precision != "feature"
    # written with its city, a line is itself wherever the plan is
    sh17 = next(f for f in result.plans[0].features if any("17号线" in m.surface for m in f.mentions))
    assert sh17.location.located and gazetteer.get(sh17.location.gazetteer_id).admin_code.startswith("31")
    # in a Shanghai plan the bare number is Shanghai's line
    sh = tmp_path / "qingpu.txt"
    sh.write_text("青浦区西部地区交通建设要点\n一、主要任务\n1.推进17号线西延伸,完善17号线沿线接驳。\n", encoding="utf-8")
    res = build(sh, gazetteer=gazetteer)
    assert all(f.location.located for f in res.plans[0].features if f.name.startswith("17号线"))


def test_the_township_written_before_a_village_decides_or_is_reported(tmp_path, gazetteer):
    plan = tmp_path / "wujiang.txt"
    plan.write_text("苏州市吴江区乡村要点\n一、主要任务\n1.推进黎里镇高新村建设,桃源镇溪港村整治。\n", encoding="utf-8")
    result = build(plan, gazetteer=gazetteer)
    by_name = {f.name: f for f in result.plans[0].features}
    # 高新村 is listed in two townships of 吴江区; the plan says which
    assert {r.town for r in gazetteer.villages("高新村", ("320509",))} >= {"黎里镇", "松陵街道"}
    gx = by_name["高新村"].location
    assert gx.precision == "town" and "黎里镇" in gx.reason
    # the list puts 溪港村 in 平望镇, the plan writes 桃源镇: placed by the list, the conflict said, low confidence
    xg = by_name["溪港村"].location
    assert xg.located and "桃源镇" in xg.reason and "平望镇" in xg.reason and xg.confidence < 0.45


def test_a_news_dateline_or_a_cited_document_does_not_decide(admin_units):
    # written for this test: a 湖州 plan carried by a news agency from 北京
    text = (
        "新华社北京3月5日电 绿色发展规划发布\n"
        "依据《北京市生态环境保护规划》等文件经验,湖州市制定本规划。\n"
        "湖州市将加快建设生态文明典范城市,湖州市各区县协同推进。\n"
    )
    j = detect(text, admin_units, title="")
    assert j is not None and j.name == "湖州市"


def test_a_regional_title_scopes_the_plan_to_the_member_units(admin_units):
    j = detect("", admin_units, title="京津冀协同发展交通一体化规划")
    assert j is not None and j.level == "region" and j.name == "京津冀"
    assert {m.name for m in j.members} == {"北京市", "天津市", "河北省"}
    assert j.contains_code("130100") and j.contains_code("110105") and not j.contains_code("310118")
    # a title that names one unit stays that unit's even when it names a region too
    assert detect("", admin_units, title="湖州市融入长三角一体化发展规划").name == "湖州市"
