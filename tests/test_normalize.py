"""geoplan.normalize: each step on the real plans, and the offset map back to raw."""

from __future__ import annotations

import random
import re

import pytest

from conftest import corpus_file
from geoplan.normalize import normalize, normalize_string
from geoplan.normalize import gloss, junk, pdf, punct, t2s
from geoplan.normalize.spaces import tidy
from geoplan.normalize.tracked import Tracked
from geoplan.read import read_plan
from geoplan.records import RawDocument

PREFIXES = ["000", "001", "002", "003", "004"]


@pytest.fixture(scope="module")
def plans() -> dict[str, object]:
    return {p: normalize(read_plan(corpus_file(p))) for p in PREFIXES}


def lines(text: str) -> list[str]:
    return text.split("\n")


# ------------------------------------------------------------------ tracked
def test_tracked_edits_keep_source_indices():
    t = Tracked("ab  cd(x)e")
    t2 = t.sub(r" +", " ").sub(r"\(x\)", "")
    assert t2.text == "ab cde"
    assert t2.offsets() == (0, 1, 2, 4, 5, 9, 10)
    t3 = t2.insert(2, "\n").map_chars({"c": "C"})
    assert t3.text == "ab\n Cde"
    assert t3.src[2] == 2 and t3.src[4] == 4


def test_tracked_rejects_overlap_and_bad_maps():
    t = Tracked("abcdef")
    with pytest.raises(ValueError):
        t.apply([(0, 3, ""), (2, 4, "")])
    with pytest.raises(ValueError):
        t.map_chars({"a": "xy"})


def test_tracked_delete_lines_and_longer_replacement():
    t = Tracked("one\ntwo\nthree")
    assert t.delete_lines([1]).text == "one\nthree"
    last = t.delete_lines([2])
    assert last.text == "one\ntwo" and last.end == 13
    grown = t.apply([(0, 1, "OOO")])
    assert grown.text.startswith("OOOne") and grown.src[:4] == [0, 0, 0, 1]


# ------------------------------------------------------------------- corpus
@pytest.mark.corpus
@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_plan_normalizes(plans, prefix):
    n = plans[prefix]
    assert len(n.offsets) == len(n.text) + 1
    assert n.offsets[-1] == len(n.raw.text)
    assert all(a <= b for a, b in zip(n.offsets, n.offsets[1:])), "offsets never decrease"
    assert "\n\n" not in n.text and "  " not in n.text and "\r" not in n.text
    assert not n.text.startswith("\n") and not n.text.endswith("\n")
    assert 0 <= n.body_start < len(n.text)
    assert n.body_start == 0 or n.text[n.body_start - 1] == "\n"
    for a, b in n.junk_spans:
        assert 0 <= a < b <= len(n.text)
    # normalizing is a pure function of the raw document
    assert normalize(n.raw).text == n.text


@pytest.mark.corpus
def test_002_glosses_stripped_and_simplified(plans):
    n = plans["002"]
    assert "浦东新区" in n.text
    assert "(qū)" not in n.text and "（qū）" not in n.text
    assert gloss.count_glosses(n.text) == 0
    assert not re.search(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", n.text)
    assert t2s.traditional_share(n.text) < 0.005
    assert t2s.is_traditional(n.raw.text)
    # brackets that are content survive, in canonical form
    for kept in ("（浦东）", "（M0）"):
        assert kept in n.text
    headings = [l for l in lines(n.text) if re.match(r"（[一二三四五六]）", l)]
    assert len(headings) >= 6
    assert any(l.startswith("一、") for l in lines(n.text))


def test_gloss_pattern_leaves_content_brackets_alone():
    t = Tracked("目標(biāo)（一）(浦東)(M0)(2021-2025年)(上海)按照?qǐng)執行區(qū)")
    assert gloss.strip_glosses(t).text == "目標（一）(浦東)(M0)(2021-2025年)(上海)按照執行區"


def test_word_glosses_with_spaces_are_removed_but_latin_text_is_not():
    t = Tracked("成都市國土空間總體規劃(guī huà)（2021—2035年）與(yǔ) (see annex b)(city park)")
    assert gloss.strip_glosses(t).text == "成都市國土空間總體規劃（2021—2035年）與 (see annex b)(city park)"


@pytest.mark.corpus
def test_simplified_plans_are_not_converted(plans):
    for prefix in ("000", "001", "003", "004"):
        n = plans[prefix]
        assert not t2s.is_traditional(n.raw.text)
    # the Simplified-only variant of a character must survive untouched in a Simplified plan
    assert t2s.to_simplified(Tracked("著作乾隆规划")).text == "著作乾隆规划"


@pytest.mark.corpus
def test_004_pdf_repair(plans):
    n = plans["004"]
    text = n.text
    assert pdf.looks_pdf_extracted(n.raw.text)
    assert "13号线" in text and "13 号线" not in text
    assert "二〇三五年" in text and "二 〇 三五" not in text
    assert "前言" in lines(text) and "结语" in lines(text)
    assert "“揭榜挂帅”。" in text and "“揭榜挂帅” 2" not in text
    assert "神经元感知节点，" in text
    assert "PM2.5" in text and "（AQI）" in text
    # hard breaks inside sentences are joined, run-in leads start new lines
    assert "救助顾问" in text and not any(l.endswith("救助顾问") for l in lines(text))
    leads = [l for l in lines(text) if re.match(r"[^，。；：、]{2,25}。", l)]
    assert len(leads) >= 60
    assert lines(text).count("二、名词解释") == 1
    # headings never swallow the next line
    assert any(re.fullmatch(r"第一章 \S{4,20}", l) for l in lines(text))
    raw_head = [l for l in lines(n.raw.text) if l.strip()][:3]
    assert lines(text)[:3] == [normalize_string(l, traditional=False) for l in raw_head]
    # notes of the appendix stand on their own lines
    assert any(l.startswith("8神经元感知节点：") for l in lines(text))
    unterminated = [l for l in lines(text) if len(l) > 40 and not pdf.is_terminated(l)]
    assert len(unterminated) <= 8


@pytest.mark.corpus
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_non_pdf_plans_are_not_joined(plans, prefix):
    n = plans[prefix]
    assert not pdf.looks_pdf_extracted(n.raw.text)
    raw_lines = [l for l in lines(n.raw.text) if l.strip()]
    assert len(lines(n.text)) >= len(raw_lines) - 5


@pytest.mark.corpus
def test_001_web_junk_cut_and_case_restored(plans):
    n = plans["001"]
    assert "斗球官方版下载" in n.raw.text
    assert "斗球" not in n.text and "网站地图" not in n.text
    assert not n.text.startswith("上海市松江区人大")
    assert "g60" not in n.text and "长三角G60科创走廊" in n.text
    assert "PM2.5" in n.text


@pytest.mark.corpus
def test_000_notice_header_outside_body(plans):
    n = plans["000"]
    head, body = n.text[: n.body_start], n.text[n.body_start :]
    for notice in ("青府发〔2022〕16号", "主动公开", "QA120100020220037", "印发给你们"):
        assert notice in head and notice not in body
    assert body.split("\n", 1)[0].endswith("“十四五”规划")
    assert all(a < n.body_start for a, _ in n.junk_spans)


@pytest.mark.corpus
def test_003_metadata_table_and_footer_outside_body(plans):
    n = plans["003"]
    head, body = n.text[: n.body_start], n.text[n.body_start :]
    assert "索引号" in head and "索引号" not in body
    assert body.split("\n", 1)[0].endswith("“十四五”规划")
    footer = n.junk_spans[-1]
    assert n.text[footer[0] : footer[1]].endswith("印发 |")
    assert re.search(r"专栏\d-\d “", n.text)  # structural spaces kept


@pytest.mark.corpus
def test_002_notice_and_editor_footer(plans):
    n = plans["002"]
    assert n.text[n.body_start :].split("\n", 1)[0].endswith("实施方案")
    assert n.text[n.junk_spans[-1][0] : n.junk_spans[-1][1]].startswith("责任编辑")


@pytest.mark.corpus
def test_004_has_no_notice(plans):
    assert plans["004"].body_start == 0


def test_spam_and_breadcrumbs_only_by_rule():
    text = "首页 > 政务公开 > 规划\n正文第一段，提到首页 > 的符号。\n某某官方版下载\n" + "正文。\n" * 10 + "网站地图"
    assert junk.spam_lines(text) == [0, 2, 13]


# -------------------------------------------------------------- punct / case
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("(一)加快建设,推进;落实:", "（一）加快建设，推进；落实："),
        ("1,000亿元", "1,000亿元"),
        ("0.04:35.6:64.4", "0.04:35.6:64.4"),
        ("１３号线ＡＢＣ％", "13号线ABC%"),
        ("聚焦?;", "聚焦?；"),
        ("见https://example.org", "见https://example.org"),
    ],
)
def test_punct_canonical_forms(raw, expected):
    assert punct.unify_string(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("长三角g60科创走廊", "长三角G60科创走廊"),
        ("沿s32高速", "沿S32高速"),
        ("pm2.5浓度", "PM2.5浓度"),
        ("gdp总量", "GDP总量"),
        ("abc123 x1", "abc123 x1"),  # Latin words, no Chinese neighbour: untouched
    ],
)
def test_case_restore(raw, expected):
    assert normalize_string(raw, traditional=False) == expected


def test_spaced_words_closed_but_structure_kept():
    assert tidy(Tracked("前 言\n有 效 性\n和二 〇 三五年\n专栏3-1 高水平建设新区 以高质量")).text == (
        "前言\n有效性\n和二〇三五年\n专栏3-1 高水平建设新区 以高质量"
    )


def test_normalize_string_for_names():
    assert normalize_string("浦東新區(qū)") == "浦东新区"
    assert normalize_string("长三角一体化示范区(上海)金融产业园", traditional=False) == "长三角一体化示范区（上海）金融产业园"


# -------------------------------------------------------------- span mapping
NAMES = {
    "000": ["淀山湖", "朱家角", "金泽", "练塘", "青浦区", "元荡"],
    "001": ["松江新城", "G60科创走廊", "松江区"],
    "002": ["浦东新区", "五个新城", "长三角", "虹桥"],
    "003": ["南太湖新区", "湖州市", "太湖", "安吉"],
    "004": ["13号线", "虹桥", "莘庄", "闵行区", "浦江"],
}


def _canon(s: str, traditional: bool) -> str:
    return re.sub(r"\s", "", normalize_string(s, traditional=traditional))


@pytest.mark.corpus
@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_name_occurrence_maps_back(plans, prefix):
    n = plans[prefix]
    trad = prefix == "002"
    seen = 0
    for name in NAMES[prefix]:
        for m in re.finditer(re.escape(name), n.text):
            raw = n.raw_slice(*m.span())
            assert _canon(raw, trad) == name, (name, raw)
            seen += 1
    assert seen >= len(NAMES[prefix])


@pytest.mark.corpus
@pytest.mark.parametrize("prefix", PREFIXES)
def test_random_spans_map_back(plans, prefix):
    n = plans[prefix]
    trad = prefix == "002"
    rng = random.Random(int(prefix))
    han = re.compile(r"[\u4e00-\u9fff\u3007]+")
    checked = 0
    for _ in range(4000):
        a = rng.randrange(len(n.text) - 10)
        b = a + rng.randrange(1, 9)
        piece = n.text[a:b]
        if not han.fullmatch(piece):
            continue
        assert _canon(n.raw_slice(a, b), trad) == piece
        checked += 1
    assert checked > 500


def test_empty_span_maps_to_a_point():
    raw = RawDocument(path=__import__("pathlib").Path("x.txt"), text="目標(biāo)明確", encoding="utf-8", format="txt")
    n = normalize(raw)
    assert n.text == "目标明确"
    assert n.to_raw(1, 1) == (1, 1)
    assert n.to_raw(1, 3) == (1, 9) and n.raw_slice(1, 3) == "標(biāo)明"
