"""A feature's theme from its task, its sentence and its kind; 其他 only when nothing says more."""

from __future__ import annotations

import pytest

from geoplan.outline.themes import feature_themes, load_themes, mention_scores
from geoplan.records import Mention


def _m(sentence: str, theme: str = "其他", path: str = "", is_task: bool = True) -> Mention:
    return Mention(
        surface="x", name="x", kind="other", span=(0, 1), raw_span=(0, 1), sentence=sentence,
        task_id="一", task_path=path, theme=theme, origin="discovery", is_task=is_task,
    )


def test_task_theme_decides_when_sentence_and_kind_agree_or_are_silent():
    theme, themes = feature_themes([_m("推进项目前期工作。", "生态", "加强生态保护")], "zone")
    assert theme == "生态" and themes == ["生态"]


def test_metro_line_in_a_new_town_sentence_is_findable_under_transport():
    m = _m("加快新城功能提升，推进地铁9号线南延伸建设。", "城市更新", "建设现代化新城 > 提升新城品质")
    theme, themes = feature_themes([m], "metro_line")
    assert "交通" in themes and "城市更新" in themes


def test_other_only_when_nothing_says_more():
    assert feature_themes([_m("经研究决定如下。")], "district") == ("其他", ["其他"])
    # a default task, but the sentence names a theme
    theme, _ = feature_themes([_m("建设三甲医院和社区卫生服务中心，完善养老服务。")], "district")
    assert theme == "公共服务"
    # a default task and a silent sentence, but the kind is telling
    assert feature_themes([_m("有序推进。")], "lake")[0] == "生态"


def test_first_task_mention_decides_and_context_mentions_are_skipped():
    context = _m("发展成就显著，轨道交通不断完善。", "交通", is_task=False)
    task = _m("打造文化旅游目的地，提升古镇景区品质。", "文旅", "推动文旅融合")
    assert feature_themes([context, task], "other")[0] == "文旅"


def test_an_enclosing_section_counts():
    m = _m("推进相关工作。", "其他", "构建综合交通体系 > 完善枢纽布局 > 有序推进")
    scores = mention_scores(m, "other")
    assert max(scores, key=scores.get) == "交通"


def test_kinds_map_to_known_themes():
    taxonomy = load_themes()
    assert taxonomy.kinds and set(taxonomy.kinds.values()) <= set(taxonomy.themes)
    assert taxonomy.kinds["metro_line"] == "交通" and taxonomy.kinds["hospital"] == "公共服务"


@pytest.mark.parametrize("weight", ["task_weight", "sentence_weight", "kind_weight"])
def test_weights_are_data(weight):
    assert getattr(load_themes(), weight) > 0


def _named(name: str, sentence: str, theme: str, path: str) -> Mention:
    return Mention(
        surface=name, name=name, kind="corridor", span=(0, 1), raw_span=(0, 1), sentence=sentence,
        task_id="一", task_path=path, theme=theme, origin="discovery",
    )


@pytest.mark.parametrize(
    ("name", "theme"),
    [
        ("滨湖生态经济带", "区域协同"),  # an 经济带 about ecology is still an 经济带
        ("东城产业廊道", "产业"),  # 廊道 is a weak, generic form: the purpose before it decides
        ("北岸文化商务区", "产业"),
        ("南港航运中心核心区", "交通"),
        ("西湖片区", None),
    ],
)
def test_a_designation_is_read_off_the_last_strong_keyword_of_its_name(name, theme):
    from geoplan.outline.themes import head_theme

    assert head_theme(name, load_themes()) == theme


def test_a_designation_name_outweighs_its_section_alone():
    m = _named("滨湖生态经济带", "积极融入滨湖生态经济带。", "城市更新", "建设现代化新城 > 优化新城布局")
    assert feature_themes([m], "corridor")[0] == "区域协同"


def test_an_administrative_name_is_only_a_name():
    # 自治 is a governance keyword, but 某某自治区 is a province, not a designation
    m = _m("推进相关项目。", "交通", "完善综合交通")
    m = Mention(**{**m.__dict__, "name": "某某自治区", "surface": "某某自治区"})
    scores = mention_scores(m, "province")
    assert "治理" not in scores and feature_themes([m], "province")[0] == "交通"


def test_a_tie_goes_to_the_task_theme():
    from geoplan.outline.themes import _best

    taxonomy = load_themes()
    tied = {"交通": 3.0, "区域协同": 3.0}
    assert _best(tied, taxonomy, prefer="区域协同") == "区域协同"
    assert _best(tied, taxonomy, prefer="交通") == "交通"
    assert _best(tied, taxonomy) == "交通"  # no task theme: legend order


def _row(sentence: str, kind: str, in_list: bool) -> tuple[str, list[str]]:
    """A park named in a box whose caption is about new towns (城市更新)."""
    m = Mention(
        surface="东湖经开区", name="东湖经开区", kind=kind, span=(0, 1), raw_span=(0, 1), sentence=sentence,
        task_id="一/专栏1", task_path="推进城镇建设 > 推动新城发展 > 重点新城发展指引", theme="城市更新",
        origin="discovery", in_list=in_list,
    )
    return feature_themes([m], kind)


def test_a_row_of_a_table_box_outweighs_its_caption():
    sentence = "东湖新城 以海港经济为特色，推进东湖经开区转型升级，打造临港制造业基地。"
    # a section's theme holds against the sentence; a table's caption does not
    assert _row(sentence, "industrial_park", in_list=False)[0] == "城市更新"
    theme, themes = _row(sentence, "industrial_park", in_list=True)
    assert theme == "产业" and "城市更新" in themes


def test_a_row_that_says_nothing_keeps_the_caption_theme():
    assert _row("东湖片区 推进有关工作。", "district", in_list=True)[0] == "城市更新"


def test_events_and_concerts_read_as_culture_and_tourism():
    theme, _ = feature_themes([_m("激活片区运动消费活力，推动更多大型演唱会、文体赛事落地。")], "zone")
    assert theme == "文旅"
