"""Extraction rules for names a plan writes short: lists before 等 a category, the plan's own
fuller mentions, descriptors, and layer names spelled like a category.

Each test runs the real extractor over sentences written for it, with a small
gazetteer of its own, so one rule is seen doing its one job.
"""

from __future__ import annotations

import pytest

from geoplan.extract import Extractor
from geoplan.extract.aggregate import aggregate
from geoplan.extract.fuller import fuller_name
from geoplan.extract.shapes import after_descriptor, category_phrase
from geoplan.extract.vocab import load_vocab
from geoplan.gazetteer.national import NATIONAL
from geoplan.jurisdiction import Jurisdiction
from geoplan.normalize import normalize
from geoplan.outline import build_outline
from geoplan.records import Mention, RawDocument

from factories import unit_feature as _feature


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    """A 青浦区 plan's extractor; a metro station named like a category lies elsewhere in 上海."""
    feats = [
        _feature("sh", "上海市", "province", "310000", ["上海"]),
        _feature("qp", "青浦区", "district", "310118", ["青浦"]),
        _feature("zjj", "朱家角镇", "town", "310118102", ["朱家角"]),
        _feature("cj", "长江", "river", "310000", ["扬子江"], origin="curated"),
        _feature("hcz", "火车站", "station", "310106", origin=NATIONAL),
        _feature("zbq", "泖浦综合保税区", "industrial_park", "310117", ["综保区"], origin="curated"),
    ]
    j = Jurisdiction(code="310118", name="青浦区", level="district", feature_id="qp")
    return Extractor(feats, j)


@pytest.fixture
def run(extractor, tmp_path):
    """Extract from a text written for the test: ``(mentions, rejected)``."""

    def _run(text: str) -> tuple[list[Mention], list]:
        raw = RawDocument(path=tmp_path / "plan.txt", text=text, encoding="utf-8", format="txt")
        norm = normalize(raw)
        rejected: list = []
        return extractor.extract(norm, build_outline(norm), rejected), rejected

    return _run


def names(mentions: list[Mention]) -> set[str]:
    return {m.name for m in mentions}


# ------------------------------------------------------------- lists before 等
def test_items_before_deng_and_a_category_are_names_of_that_kind(run):
    ms, _ = run("推动朱家角、泖甸、岚湾等老城片区城市更新。")
    by_surface = {m.surface: m for m in ms}
    assert by_surface["泖甸"].name == "泖甸老城片区" and by_surface["泖甸"].rule == "list-category"
    assert by_surface["岚湾"].kind == "zone"
    assert by_surface["朱家角"].name == "朱家角镇"  # a gazetteer name stays what it is


def test_a_list_of_everyday_words_before_a_category_names_nothing(run):
    ms, _ = run("统筹教育、医疗、养老等重点片区配套。")
    assert not any(m.rule == "list-category" for m in ms)


def test_one_item_that_is_no_name_spoils_the_list(run):
    ms, _ = run("推进泖甸、岚湾、产业链供应链等重点片区建设。")
    assert not any(m.rule == "list-category" for m in ms)


def test_an_item_with_a_head_of_its_own_keeps_its_name(run):
    ms, _ = run("加强泖甸公园、岚湾巷等历史风貌区保护利用。")
    got = names(ms)
    assert "泖甸公园" in got and "岚湾巷历史风貌区" in got
    assert "泖甸公园历史风貌区" not in got


def test_a_list_of_organisations_is_no_list_of_places(run):
    ms, _ = run("支持泖甸大学、岚湾大学等大学科技园发展。")
    assert not any(m.rule == "list-category" for m in ms)


# ------------------------------------------------------ the plan's fuller form
def test_a_bare_head_in_a_list_is_the_plans_one_name_ending_in_it(run):
    ms, _ = run("建成投用泖甸北站。提升研创园、北站、岚湾谷等重点片区城市功能。")
    short = next(m for m in ms if m.surface == "北站")
    assert short.name == "泖甸北站" and short.kind == "station" and short.rule == "fuller-form"
    group = next(g for g in aggregate(ms) if g.name == "泖甸北站")
    assert {m.surface for m in group.mentions} == {"泖甸北站", "北站"}


def test_a_generic_stem_is_read_through_the_plans_fuller_mention(run):
    ms, rejected = run("推动泖甸新材料科技园扩区升级。支持新材料科技园高质量发展。")
    short = [m for m in ms if m.surface == "新材料科技园"]
    assert short and short[0].name == "泖甸新材料科技园"
    assert not any(r.surface == "新材料科技园" for r in rejected)


def test_a_short_form_two_names_end_in_stays_unresolved(run):
    ms, rejected = run("建设泖甸新材料科技园和岚湾新材料科技园。支持新材料科技园发展。")
    assert not any(m.rule == "fuller-form" for m in ms)
    assert any(r.surface == "新材料科技园" for r in rejected)


def test_fuller_name_counts_nested_names_once():
    assert fuller_name("新区", ["江北新区", "南京江北新区"]) == "江北新区"
    assert fuller_name("新区", ["江北新区", "浦东新区"]) is None
    assert fuller_name("新区", ["新区"]) is None


# ---------------------------------------------------------------- descriptors
def test_a_descriptor_with_no_name_before_it_makes_a_category(run):
    ms, _ = run("打造产城融合的海港经济型新城。建设智慧型临江经济示范区。")
    assert not any("型" in n for n in names(ms))


def test_a_descriptor_after_a_proper_name_is_part_of_a_title(run):
    ms, _ = run("建设青浦综合性国家科学中心。")
    assert "青浦综合性国家科学中心" in names(ms)


def test_after_descriptor_starts_after_the_last_one():
    text = "智慧型临空经济示范区"
    assert text[after_descriptor(text, 0, len(text) - 3, "型性式") :] == "临空经济示范区"
    assert after_descriptor("泖甸新城", 0, 2, "型性式") == 0


# --------------------------------------------------- layer names like categories
def test_category_phrase_shapes():
    v = load_vocab()
    assert category_phrase("火车站", v.head_kind, v.generic)
    assert category_phrase("北站", v.head_kind, v.generic)
    assert not category_phrase("新塘", v.head_kind, v.generic)  # one generic character makes names
    assert not category_phrase("泖甸站", v.head_kind, v.generic)


def test_a_station_named_like_a_category_is_no_place_away_from_it(run):
    ms, rejected = run("推进泖甸火车站改造。")
    assert "火车站" not in names(ms) and "泖甸火车站" in names(ms)


def test_a_category_alias_of_a_curated_feature_counts_only_in_its_own_area(run):
    ms, rejected = run("支持综保区扩区。")
    assert "泖浦综合保税区" not in names(ms)
    assert any(r.surface == "综保区" and r.rule == "category" for r in rejected)


def test_an_alias_inside_a_brand_name_is_not_the_place(run):
    ms, _ = run("建设扬子江产业科技创新试验区。保护长江生态。")
    assert [m.surface for m in ms if m.name == "长江"] == ["长江"]
    assert "扬子江产业科技创新试验区" in names(ms)


def test_generic_words_after_yu_make_one_name_with_the_part_before(run):
    ms, _ = run("建设泖甸智能制造与装备创新港。")
    assert "泖甸智能制造与装备创新港" in names(ms)
    assert "泖甸智能制造装备创新港" not in names(ms)
    ms, _ = run("统筹教育与医疗中心建设。")
    assert not names(ms)


# ------------------------------------------------- words a list or the plan vouches for
def test_a_two_character_word_ending_in_a_head_needs_a_list_of_names(run):
    ms, _ = run("加快岚山、梅泖湖周边地区功能升级。")
    assert {"岚山", "梅泖湖"} <= names(ms)
    ms, rejected = run("加快岚山周边地区功能升级。")
    assert "岚山" not in names(ms)
    assert any(r.surface == "岚山" and r.rule == "weak-alone" for r in rejected)


def test_an_unknown_stem_the_plan_puts_before_two_heads_is_a_name(run):
    ms, _ = run("加强铁坝老镇区整治提升，打造铁坝生活中心。")
    got = {m.name: m.rule for m in ms}
    assert got.get("铁坝老镇区") == "recurring-stem" and got.get("铁坝生活中心") == "recurring-stem"
    ms, _ = run("加强铁坝老镇区整治提升。")
    assert "铁坝老镇区" not in names(ms)


def test_a_head_word_standing_as_a_name_in_a_list(run):
    ms, _ = run("支持以奥体中心、岚湾体育公园等大型场馆为核心的商务区建设。")
    assert "奥体中心" in names(ms)
    ms, _ = run("建设湿地公园、岚湾体育公园。")
    assert "湿地公园" not in names(ms)  # generic words and a shorter head: a kind of place


def test_a_rare_character_is_part_of_a_name_whatever_its_tag(run):
    ms, _ = run("推进浡泥国王纪念园的系统性保护。")
    assert "浡泥国王纪念园" in names(ms)


# ------------------------------------------------------------------ table columns
TABLE = "\n".join(
    [
        "专栏  新城发展指引",
        "地区 指引内容",
        "禄泖新城 建设枢纽门户地区。",
        "柘岚新城 建设重要节点。",
        "滨江新城 聚力发展高端装备制造。",
        "桥甸新城 发展先进制造业。",
        "",
        "滨江新城和城市公园都要建设。",
    ]
)


def test_a_cell_in_a_column_of_names_with_one_head_is_a_name(run):
    ms, _ = run(TABLE)
    cells = [m for m in ms if m.name == "滨江新城"]
    # the cell is a name; the same words in the prose below stay a category
    assert len(cells) == 1 and cells[0].rule == "table-column" and cells[0].kind == "zone"
    assert cells[0].sentence.startswith("滨江新城 聚力")


def test_a_column_needs_three_named_cells(run):
    ms, _ = run("\n".join(TABLE.splitlines()[:4] + TABLE.splitlines()[4:5]))
    assert "滨江新城" not in names(ms)


def test_a_numeral_no_counter_follows_is_part_of_a_name(run):
    ms, _ = run("与万博商务区联动发展，建设两条快速路。")
    assert "万博商务区" in names(ms) and "博商务区" not in names(ms)


def test_kinds_of_places_in_a_list_share_no_head(run):
    ms, _ = run("创建一批零碳机场、火车站、港口等零碳枢纽。")
    assert not any(n.endswith("零碳枢纽") for n in names(ms))


def test_two_characters_cut_out_of_a_name_are_no_short_form_of_it(run):
    ms, _ = run("对接上海港。以海港经济为特色。")
    assert [m.surface for m in ms if m.name == "上海港"] == ["上海港"]


def test_a_bare_head_among_kinds_of_places_stays_unresolved(run):
    ms, _ = run("建成泖甸博物馆。推进图书馆、博物馆、文化馆建设。")
    assert [m.surface for m in ms if m.name == "泖甸博物馆"] == ["泖甸博物馆"]


def test_a_short_generic_phrase_is_a_kind_of_place_not_a_short_form(run):
    ms, _ = run("建设泖甸生态廊道。加强生态廊道保护。")
    assert [m.surface for m in ms if m.name == "泖甸生态廊道"] == ["泖甸生态廊道"]


def test_a_category_is_no_short_form_of_a_name_a_list_made(run):
    ms, _ = run("加强泖甸、岚湾等历史风貌区保护。推进历史风貌区更新。")
    assert "泖甸历史风貌区" in names(ms)
    assert not any(m.rule == "fuller-form" for m in ms)


def test_goals_in_centre_words_are_no_short_forms(run):
    ms, _ = run("建设泖甸国际消费中心。打造国际消费中心。")
    assert not any(m.rule == "fuller-form" for m in ms)


def test_a_name_broken_by_a_pdf_line_break_is_read_whole(run):
    """Text extracted from a PDF breaks lines inside words; the name across the break is one mention.

    Written for the test: long lines that end mid-sentence mark the text as PDF-extracted, and the
    township's name is split over two lines.
    """
    text = (
        "第一章 总体要求\n"
        "坚持生态优先绿色发展，统筹推进城乡融合发展和乡村全面振兴，提升朱家\n"
        "角镇古镇保护利用水平，加快建设生态绿色一体化发展示范区的重要节点并完善\n"
        "公共服务设施布局，推动产业转型升级和城市功能品质提升以及交通体系建设持续\n"
        "推进，形成高质量发展的新格局。\n"
    )
    mentions, _ = run(text)
    names = {m.surface for m in mentions}
    assert "朱家角镇" in names or "朱家角" in names, names
    assert not any(n in {"朱家", "角镇"} for n in names), names
