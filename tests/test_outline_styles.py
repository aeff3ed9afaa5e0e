"""Heading styles of plans geoplan was not built on: 目录, 篇/章/节, N.N, Markdown, 专栏 boxes.

Short texts written for these tests, plus checks on the ten real plans in
``../shared/corpus`` and ``../shared/wider`` (marked ``corpus``).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from geoplan.outline import build_outline, build_outline_from_str
from geoplan.outline.headings import Paragraph, match_numbered, title_key

BOOK = """某市国民经济和社会发展
第十五个五年规划纲要
目  录
第一篇  夯实基础，开创新局……………………1
第一章  发展基础……………………………………1
第一节  主要成就……………………………………2
第二章  建设交通强市………………………………5
第一节  完善轨道网络………………………………5
第二节  优化公路体系………………………………6
— 1 —
第一篇  夯实基础，
开创新局
第一章  发展基础
第一节  主要成就
过去五年全市经济总量稳步增长，各项事业取得新进展。
第二章  建设交通强市
第一节  完善轨道网络
加快建设地铁8号线，推进市域铁路东线前期工作。
第二节  优化公路体系
推进环城高速改扩建，提升农村公路通达水平。
"""


def test_toc_is_skipped_and_kept_as_a_check():
    o = build_outline_from_str(BOOK)
    titles = [n.title for n in o.nodes]
    assert not any("…" in t or t.endswith("1") for t in titles), titles
    assert not any("~" in n.id for n in o.nodes), [n.id for n in o.nodes]
    assert o.toc[:3] == ["夯实基础，开创新局", "发展基础", "主要成就"]
    keys = {title_key(t) for t in titles}
    assert all(title_key(e) in keys for e in o.toc)


def test_part_chapter_section_levels_and_wrapped_part_title():
    o = build_outline_from_str(BOOK)
    by_title = {n.title: n for n in o.nodes}
    part = by_title["夯实基础，开创新局"]
    section = by_title["完善轨道网络"]
    assert (part.level, by_title["建设交通强市"].level, section.level) == (1, 2, 3)
    assert section.style == "section" and section.number == "第一节"
    assert section.parent is by_title["建设交通强市"]
    assert o.node_at(BOOK.index("地铁8号线")) is section


def test_toc_without_page_numbers_ends_where_the_body_repeats_it():
    text = "目录\n前言\n第一章 总体要求\n第二章 产业发展\n前言\n本规划阐明发展方向。\n第一章 总体要求\n坚持稳中求进。\n第二章 产业发展\n建设先进制造业基地。\n"
    o = build_outline_from_str(text)
    assert [n.title for n in o.nodes] == ["前言", "总体要求", "产业发展"]
    assert o.toc == ["前言", "总体要求", "产业发展"]


def test_leader_lines_without_the_word_are_a_toc():
    text = "一、总体要求……3\n二、重点任务……5\n三、保障措施……9\n一、总体要求\n坚持稳中求进。\n二、重点任务\n推进城市更新。\n三、保障措施\n加强组织领导。\n"
    o = build_outline_from_str(text)
    assert [n.id for n in o.nodes] == ["一", "二", "三"]
    assert len(o.toc) == 3


@pytest.mark.parametrize(
    "line, style, number, title",
    [
        ("2.3 推进产业园区提质增效", "decimal", "2.3", "推进产业园区提质增效"),
        ("1.2.1 建设科创走廊", "decimal3", "1.2.1", "建设科创走廊"),
        ("## 第三章 构建现代交通体系", "chapter", "第三章", "构建现代交通体系"),
        ("**（二）提升生态品质**", "paren", "(二)", "提升生态品质"),
        ("# 第二节 优化营商环境", "section", "第二节", "优化营商环境"),
    ],
)
def test_decimal_and_markdown_headings(line, style, number, title):
    h = match_numbered(Paragraph(0, len(line), line))
    assert h is not None and (h.style, h.number, h.title) == (style, number, title)


@pytest.mark.parametrize("line", ["3.3岁以下婴幼儿入托率提高指标", "23.86 25.7 预期性", "1.5万亩高标准农田建设完成"])
def test_numbers_that_are_not_decimal_headings(line):
    h = match_numbered(Paragraph(0, len(line), line))
    assert h is None or h.style not in ("decimal", "decimal3")


def test_markdown_plan_gives_a_tree():
    text = "# 某县“十五五”规划\n\n## 第一章 总体要求\n\n坚持稳中求进。\n\n## 第二章 交通建设\n\n### 第一节 轨道交通\n\n建设城际铁路。\n"
    o = build_outline_from_str(text)
    assert [n.id for n in o.nodes] == ["第一章", "第二章", "第二章/第一节"]
    assert o.node_at(text.index("城际铁路")).title == "轨道交通"



MARKDOWN_MIXED = """# 某区老旧小区改造三年行动方案

## 总体要求

### 一、指导思想

坚持以人民为中心，稳步推进老旧小区改造。

### 二、工作目标

到2028年基本完成2000年前建成小区的改造。

## 重点任务

### 一、完善配套设施

加装电梯，补齐养老托育设施。

专栏1 重点项目
| 项目 | 地点 |
| 东门片区更新 | 东区 |

## 保障措施

加强组织领导，落实工作责任，形成工作合力。
"""


def test_unnumbered_markdown_headings_are_a_level_by_their_depth():
    o = build_outline_from_str(MARKDOWN_MIXED)
    assert o.title == "某区老旧小区改造三年行动方案"  # the one top heading is the plan's title, not a task
    tops = [n for n in o.nodes if n.level == 1]
    assert [n.title for n in tops] == ["总体要求", "重点任务", "保障措施"]
    assert {n.style for n in tops} == {"md2"}
    assert [n.id for n in tops[0].children] == ["H1/一", "H1/二"]
    assert o.node_at(MARKDOWN_MIXED.index("加装电梯")).path == ("重点任务", "完善配套设施")
    # the box closes at the next Markdown heading: its work is not in the box
    assert o.node_at(MARKDOWN_MIXED.index("加强组织领导")).title == "保障措施"


def test_markdown_depth_sits_beside_numbered_headings_of_the_same_depth():
    text = "## 第一章 发展基础\n\n成绩显著。\n\n## 总体要求\n\n### 第一节 指导思想\n\n坚持稳中求进。\n\n#### 基本原则\n\n坚持系统观念。\n"
    o = build_outline_from_str(text)
    by_title = {n.title: n for n in o.nodes}
    assert by_title["总体要求"].level == by_title["发展基础"].level == 1  # ## beside ## 第一章
    assert by_title["指导思想"].parent is by_title["总体要求"]
    assert by_title["基本原则"].parent is by_title["指导思想"]  # #### below ### 第一节


def test_plain_text_plans_have_no_markdown_levels():
    text = "一、总体要求\n坚持稳中求进。\n#1 号线延伸段建设\n二、重点任务\n推进建设。\n"
    o = build_outline_from_str(text)
    assert [n.id for n in o.nodes] == ["一", "二"]

BOXES = """第一章 产业发展
第一节 壮大先进制造业
加快建设智能制造基地，推动传统产业转型升级。
专栏1 重点产业集群
1．新能源汽车  整车及零部件
2．集成电路  设计与封测
3．生物医药  创新药与医疗器械
推动服务业与制造业深度融合，建设一批生产性服务业集聚区，提升产业链供应链现代化水平。
第二节 发展现代服务业
专栏2 服务业重点领域
1．现代物流  枢纽与冷链
2．科技服务  检验检测
第二章 生态建设
第一节 保护湖泊湿地
建设滨湖湿地公园。
"""


def test_box_items_are_not_sections_and_the_next_box_is_not_nested():
    o = build_outline_from_str(BOXES)
    boxes = [n for n in o.nodes if n.style == "box"]
    assert [b.number for b in boxes] == ["专栏1", "专栏2"]
    assert not any(n.style == "arabic" for n in o.nodes)
    assert boxes[1].parent.title == "发展现代服务业"


def test_box_closes_at_prose_and_at_the_next_heading():
    o = build_outline_from_str(BOXES)
    after = o.node_at(BOXES.index("生产性服务业集聚区"))
    assert after.title == "壮大先进制造业"
    assert o.node_at(BOXES.index("集成电路")).number == "专栏1"
    assert o.node_at(BOXES.index("滨湖湿地公园")).title == "保护湖泊湿地"


TABLE_BOX = """第一章 城镇建设
第一节 推动新城差异化发展
促进产城融合和职住平衡，培育各具特色的新城。
专栏1 重点新城发展指引
地区 发展指引
东湖新城 以先进制造业为主，推进东湖经开区转型升级，打造临港制造业基地。
西山新城 以休闲旅游为主导功能，建设西山湿地公园，打造生态文旅目的地。
第二节 建设美丽乡村
推进村庄整治。
专栏2 重点工程
续建工程：北环路改造工程，滨河大道建设工程，推进沿线绿化和慢行系统同步实施。
新建工程：南环路建设工程，东站配套道路工程，完善片区路网和公交场站布局。
第三节 完善基础设施
推进管网改造。
"""


def test_a_table_box_holds_its_labelled_rows_until_the_next_section():
    o = build_outline_from_str(TABLE_BOX)
    box = o.node_at(TABLE_BOX.index("东湖经开区"))
    assert box.number == "专栏1" and box.lists
    assert o.node_at(TABLE_BOX.index("西山湿地公园")) is box
    assert o.node_at(TABLE_BOX.index("推进村庄整治")).title == "建设美丽乡村"


def test_rows_that_name_their_item_before_a_colon_stay_in_the_box():
    o = build_outline_from_str(TABLE_BOX)
    box = o.node_at(TABLE_BOX.index("南环路建设工程"))
    assert box.number == "专栏2" and not box.lists  # no column header: a list, not a table
    assert o.node_at(TABLE_BOX.index("北环路改造工程")) is box
    assert o.node_at(TABLE_BOX.index("推进管网改造")).title == "完善基础设施"


def test_a_flattened_box_keeps_its_sentences_as_items_not_leads_of_the_section():
    text = (
        "一、城乡融合\n(一)完善体制机制\n推进改革。\n"
        "专栏1 试验区建设行动 1.健全城乡要素流动制度，完善退出机制。健全市民化推进机制。"
        "建立转移备案制度，完成确权登记颁证工作。深化权益退出机制。完善保障机制及监管机制。"
        "2.建好城乡产业协同发展平台，建设南湖高新技术产业园。 |\n"
        "(二)推进乡村建设\n整治村庄环境。\n"
    )
    o = build_outline_from_str(text)
    box = o.node_at(text.index("南湖高新技术产业园"))
    assert box.number == "专栏1"
    assert not any(n.style == "lead" and n.parent is box.parent and "市民化" in n.title for n in o.nodes)


# ------------------------------------------------------------------ real plans
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _plans() -> list[Path]:
    files = sorted((SHARED / "corpus").glob("*.txt"))
    wider = SHARED / "wider"
    if wider.is_dir():
        files += sorted(p for p in wider.iterdir() if p.suffix in (".txt", ".html"))
    return files


@pytest.fixture(scope="module")
def ten():
    from geoplan.normalize import normalize
    from geoplan.read import read_plan

    files = _plans()
    if len(files) < 10:
        pytest.skip("the ten plans of ../shared are not here")
    return {p.stem.split("_")[0]: build_outline(normalize(read_plan(p))) for p in files}


@pytest.mark.corpus
def test_no_plan_reads_its_toc_as_a_second_tree(ten):
    for doc, o in ten.items():
        ids = [n.id for n in o.nodes]
        assert not any("~" in i for i in ids if re.search(r"第.+[篇章]", i) or "/" not in i), (doc, ids[:20])
        assert not any(re.search(r"(…|\.{3})\s*\d*$", n.title) for n in o.nodes), doc
        keys = {title_key(n.title) for n in o.nodes}
        missing = [t for t in o.toc if title_key(t) not in keys]
        assert not missing, (doc, missing)  # every 目录 entry is a body heading (a note mark dropped)


@pytest.mark.corpus
def test_sections_are_a_level_and_boxes_hold_their_items(ten):
    nanjing = ten["nanjing"]
    styles = Counter(n.style for n in nanjing.nodes)
    assert styles["section"] >= 150 and styles["box"] >= 20
    # a box laid out as a table (a column header, then one row per entry) holds its rows
    tables = [n for n in nanjing.nodes if n.style == "box" and n.lists]
    assert len(tables) >= 3 and all(n.span[1] - n.span[0] > 150 for n in tables)
    # items of a box are not sections: no box sits under a numbered item
    for o in ten.values():
        for n in o.nodes:
            if n.style == "box":
                assert n.parent is None or n.parent.style not in ("arabic", "decimal", "box"), n.id


# ------------------------------------------------------------------ title
PORTAL = """首页
政务公开
相关新闻
【文字解读】《某市国民经济和社会发展第十五个五年规划纲要》政策解读 2026-05-29
某市人民政府关于印发某市国民经济和社会发展第十五个五年规划纲要的通知
某府〔2026〕7号
各区人民政府，市政府各部门：
《某市国民经济和社会发展第十五个五年规划纲要》已经市人大审查批准，现印发给你们，请认真组织实施。
某市人民政府
2026年5月20日
某市国民经济和社会发展
第十五个五年规划纲要
— 2 —
第一章 发展基础
过去五年成绩显著。
"""


def test_title_is_the_plan_not_a_news_link_or_the_notice():
    o = build_outline_from_str(PORTAL)
    assert o.title == "某市国民经济和社会发展第十五个五年规划纲要"
    assert o.meta == {"文号": "某府〔2026〕7号", "日期": "2026年5月20日"}


def test_title_quoted_by_a_notice_when_no_line_names_the_plan():
    text = "关于印发《某区城市更新三年行动方案》的通知\n各街道：\n现印发给你们。\n一、总体要求\n坚持规划引领。\n"
    assert build_outline_from_str(text).title == "某区城市更新三年行动方案"


@pytest.mark.corpus
def test_titles_of_the_ten_plans_name_their_plan(ten):
    for doc, o in ten.items():
        if doc == "001":  # a monitoring report on a portal page: no plan title of its own
            continue
        assert o.title and not re.search(r"\d{4}-\d{2}-\d{2}|【|的通知$", o.title), (doc, o.title)
        assert not o.title.startswith("第"), (doc, o.title)


def test_title_half_glued_to_the_next_paragraph_is_recovered_from_the_toc():
    text = (
        "目录\n第一篇 深化改革 激发活力……3\n第一章 优化营商环境……3\n"
        "第一篇 深化改革\n激发活力改革是发展的动力。过去五年改革持续深化。\n"
        "第一章 优化营商环境\n推进政务服务便利化。\n"
    )
    o = build_outline_from_str(text)
    assert o.nodes[0].title == "深化改革激发活力"
    assert not [t for t in o.toc if title_key(t) not in {title_key(n.title) for n in o.nodes}]


def test_page_footer_lines_are_never_part_of_a_title_or_heading():
    text = "某县乡村振兴规划\n— 1 —\n一、总体要求\n坚持农业农村优先发展。\n— 2 —\n二、重点任务\n建设美丽乡村。\n"
    o = build_outline_from_str(text)
    assert o.title == "某县乡村振兴规划"
    assert [n.title for n in o.nodes] == ["总体要求", "重点任务"]


NOTED = """第一章 优化城市空间格局
第一节 做强“两核一廊”12空间骨架
推动“两核一廊”建设，打造“未来社区”3个试点。
第二节 建设“智慧港城”
加快港区建设。
名词解释
12. 两核一廊：指中心城区和新城两个核心，以及沿江发展廊道。
"""


def test_a_note_mark_in_a_heading_is_dropped_when_the_plan_explains_that_term():
    o = build_outline_from_str(NOTED)
    titles = [n.title for n in o.nodes]
    assert "做强“两核一廊”空间骨架" in titles
    assert "建设“智慧港城”" in titles


def test_a_number_after_a_quote_without_its_note_stays():
    text = NOTED.replace("12. 两核一廊：", "12. 其他名词：")
    assert "做强“两核一廊”12空间骨架" in [n.title for n in build_outline_from_str(text).nodes]
