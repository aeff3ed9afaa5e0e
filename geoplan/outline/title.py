"""The plan's own title, and what a notice wrapping it says (文号, date).

A plan reaches a planner inside other text: a portal page's navigation and
related-news links (``【文字解读】《…》政策解读 2026-05-29``), a government notice
that publishes it (``…关于印发…的通知``, 穗府〔2026〕4号), a PDF whose title
is broken over two lines (``某市国民经济和社会发展`` / ``第十五个五年规划纲要``).
The title is the first short line before the first heading that names a plan
(规划, 纲要 …) and is none of those: not a link, not a notice, not a sentence;
a short line right before it without punctuation or title word is its first
half.  The notice's 文号 and date are kept as metadata.  Words and patterns are
``[title]`` in ``layers/vocab/outline.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from geoplan.outline.headings import Paragraph, clean_title, iter_paragraphs, strip_markup
from geoplan.outline.vocab import OutlineVocab, load_outline_vocab

_QUOTED_TITLE = re.compile(r"《([^《》]{4,80})》")
_SENTENCE = re.compile(r"[。；;！？!?：:，,|]")


def _is_noise(line: str, vocab: OutlineVocab) -> bool:
    """A line that is never (part of) the title: a link, a page number, a notice."""
    return (
        bool(vocab.page_line.match(line))
        or any(p.search(line) for p in vocab.title_skip)
        or line.endswith(vocab.notice_endings)
    )


def _names_plan(line: str, vocab: OutlineVocab) -> bool:
    return any(w in line for w in vocab.title_words)


def _first_half(prev: Paragraph | None, line: str, vocab: OutlineVocab) -> str:
    """The line before the title when it is the title's first half, else ""."""
    if prev is None:
        return ""
    text = strip_markup(prev.text, vocab)
    if (
        _is_noise(text, vocab)
        or _SENTENCE.search(text)
        or re.search(r"\s", text)
        or re.search(r"\d", text)
        or _names_plan(text, vocab)
        or len(text) + len(line) > vocab.title_max_chars
    ):
        return ""
    return text


def find_title(
    text: str,
    first_heading: int,
    skip: Sequence[tuple[int, int]] = (),
    vocab: OutlineVocab | None = None,
) -> str:
    """The plan's title from the lines before its first heading, else the 《…》 a notice quotes, else ""."""
    vocab = vocab or load_outline_vocab()
    paras = list(iter_paragraphs(text[:first_heading], 0, skip))
    for k, para in enumerate(paras):
        line = strip_markup(para.text, vocab)
        if (
            len(line) > vocab.title_max_chars
            or line.endswith(("。", ":", "：", "，", ","))
            or "|" in line
            or line.startswith("关于")
            or _is_noise(line, vocab)
            or not _names_plan(line, vocab)
        ):
            continue
        return clean_title(_first_half(paras[k - 1] if k else None, line, vocab) + line)
    head = "\n".join(p.text for p in paras if not any(pat.search(p.text) for pat in vocab.title_skip))
    m = _QUOTED_TITLE.search(head)
    return clean_title(m.group(1)) if m else ""


def notice_meta(
    text: str,
    first_heading: int,
    skip: Sequence[tuple[int, int]] = (),
    vocab: OutlineVocab | None = None,
) -> dict[str, str]:
    """文号 and date of the notice publishing the plan, when the head has one."""
    vocab = vocab or load_outline_vocab()
    head = "\n".join(
        p.text for p in iter_paragraphs(text[:first_heading], 0, skip) if not any(pat.search(p.text) for pat in vocab.title_skip)
    )
    meta: dict[str, str] = {}
    m = vocab.doc_number.search(head)
    if m:
        meta["文号"] = re.sub(r"\s+", "", m.group())
        d = vocab.notice_date.search(head, m.end())
        if d:
            meta["日期"] = d.group()
    return meta
