"""Recognise the heading lines of a plan.

Chinese plans number their headings in a handful of styles (``第四章``, ``四、``,
``(四)``, ``4.``, ``专栏4-1``) and, below the numbered levels, often name a task
with a *run-in lead*: a short first sentence ending in ``。`` that opens the
paragraph (``城市能级品质显著提升。…``).  Numbered headings may carry their body
on the same line (``(一)优化户籍和居住证政策。持续做好…``), so a heading is a
paragraph *start* plus a title that ends at the first sentence end.

This module only looks at one paragraph at a time (plus its neighbours for the
lead run rule); :mod:`geoplan.outline.tree` decides levels and parents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from geoplan.outline.vocab import OutlineVocab, load_outline_vocab

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}“”、，。])\s+(?=[{_CJK}“”、，。])")
_TRAILING = "。．.；;，,：:、 \t"
# how a finished paragraph ends; anything else was cut by a hard line break
_PARAGRAPH_ENDS = tuple("。！？；.!?;”」』)）|:：")


@dataclass(frozen=True)
class Paragraph:
    """A non-blank line of the text: ``text[start:end]`` with outer blanks trimmed."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Heading:
    """One recognised heading.

    ``start`` is where the heading (its number) begins, ``para_end`` where its
    paragraph ends; ``has_body`` says the paragraph carries body text after the
    title, as run-in leads and ``(一)…。…`` headings do.
    """

    start: int
    para_end: int
    style: str
    number: str
    title: str
    has_body: bool = False


def iter_paragraphs(
    text: str, start: int = 0, skip: Sequence[tuple[int, int]] = ()
) -> Iterator[Paragraph]:
    """Non-blank lines from ``start`` on, skipping lines inside ``skip`` spans (web junk)."""
    pos = start
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        line = text[pos:end]
        stripped = line.strip()
        if stripped:
            a = pos + (len(line) - len(line.lstrip()))
            b = a + len(stripped)
            if not any(s <= a < e for s, e in skip):
                yield Paragraph(a, b, stripped)
        pos = end + 1


def split_cells(line: str) -> list[str]:
    """Cells of a ``|`` row without the empty trailing cells the flattening leaves."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def is_table_row(line: str) -> bool:
    """A ``|`` line with at least two cells (a flattened 专栏 box ends in a lone ``|``)."""
    return "|" in line and len(split_cells(line)) >= 2


def clean_title(title: str) -> str:
    """Drop spaces that PDF extraction put between CJK letters, and trailing punctuation."""
    title = _SPACE_IN_CJK.sub("", title.strip())
    title = re.sub(r"\s+", " ", title)
    return title.strip(_TRAILING)


def _cut_title(rest: str, style: str, vocab: OutlineVocab) -> tuple[str, bool]:
    """Split what follows a heading number into (title, has_body)."""
    rest = rest.strip()
    limit = vocab.max_title
    if style == "box":
        # flattened boxes: "专栏3-1 高水平建设南太湖新区 以高质量…" – the title ends at the
        # first blank after it started
        m = re.search(r"\s", rest[2:])
        if m and m.start() + 2 <= limit:
            cut = m.start() + 2
            return clean_title(rest[:cut]), bool(rest[cut:].strip())
    ends = [i for i, ch in enumerate(rest) if ch in vocab.title_terminators]
    if ends and ends[0] <= limit:
        cut = ends[0]
        return clean_title(rest[:cut]), bool(rest[cut + 1 :].strip())
    # a chapter whose intro paragraph was glued on (prose has commas, chapter titles do not)
    if style == "chapter" and any(ch in rest for ch in vocab.title_breaks):
        hits = [rest.find(w, 4) for w in vocab.body_openers]
        hits = [h for h in hits if 0 < h <= limit]
        if hits:
            return clean_title(rest[: min(hits)]), True
    if len(rest) <= limit and not ends:
        return clean_title(rest), False
    # overlong: a heading whose first sentence runs on
    for i, ch in enumerate(rest[: limit + 1]):
        if ch in vocab.title_breaks and i >= 4:
            return clean_title(rest[:i]), True
    return clean_title(rest[:limit]), True


def match_numbered(para: Paragraph, vocab: OutlineVocab | None = None) -> Heading | None:
    """A numbered heading (第X章, 一、, (一), 1., 专栏N-M) or front/back matter, else None."""
    vocab = vocab or load_outline_vocab()
    line = para.text
    if is_table_row(line):
        return None
    for style in vocab.style_order:
        pat = vocab.patterns.get(style)
        if pat is None:
            continue
        m = pat.match(line)
        if not m:
            continue
        rest = line[m.end() :]
        if not rest.strip():
            return None
        number = re.sub(r"\s+", "", m.group("num"))
        if style == "chapter":
            number = f"第{number}章"
        elif style == "paren":
            number = f"({number})"
        elif style == "box":
            number = "专栏" + re.sub(r"[－—–.．]", "-", number)
        title, has_body = _cut_title(rest, style, vocab)
        if not title:
            return None
        return Heading(para.start, para.end, style, number, title, has_body)
    return _match_matter(para, vocab)


def _match_matter(para: Paragraph, vocab: OutlineVocab) -> Heading | None:
    """前言 / 结语 / 附录 … lines: chapter-level headings outside the numbering."""
    squeezed = re.sub(r"\s+", "", para.text)
    if len(squeezed) > vocab.matter_max_chars or squeezed.endswith("。"):
        return None
    for word in vocab.matter:
        if squeezed.startswith(word):
            rest = clean_title(squeezed[len(word) :])
            title = f"{word} {rest}" if rest else word
            return Heading(para.start, para.end, "chapter", word, title, False)
    return None


def lead_candidate(para: Paragraph, vocab: OutlineVocab | None = None) -> Heading | None:
    """The paragraph as a run-in lead, if its first sentence looks like a task name.

    Whether it *is* a lead also depends on its neighbours (see :func:`find_headings`).
    """
    vocab = vocab or load_outline_vocab()
    line = para.text
    if is_table_row(line):
        return None
    offset = 0
    for prefix in vocab.lead_prefixes:
        if line.startswith(prefix):
            offset = len(prefix)
            break
    body = line[offset:].lstrip()
    stop = body.find("。")
    if stop < 0:
        return None
    sentence = clean_title(body[:stop])
    if not (vocab.lead_min <= len(sentence) <= vocab.lead_max):
        return None
    if not body[stop + 1 :].strip():
        return None  # a one-sentence paragraph is prose, a lead introduces text
    if sentence[0].isdigit() or sentence.startswith(vocab.lead_stop_prefixes):
        return None
    if any(ch in sentence for ch in vocab.lead_stop_chars):
        return None
    return Heading(para.start, para.end, "lead", "", sentence, True)


def find_headings(
    text: str,
    body_start: int = 0,
    skip: Sequence[tuple[int, int]] = (),
    vocab: OutlineVocab | None = None,
    tables: Sequence[tuple[int, int]] = (),
) -> list[Heading]:
    """Every heading of the body in document order.

    Leads count only after the first numbered heading (the preamble's opening
    sentence is not a task), never continue a paragraph whose last sentence is
    unfinished (a hard line break from PDF extraction), and a lead longer than ``short_chars`` needs a lead
    candidate next to it: leads come in runs, a lone long first sentence is prose.
    """
    vocab = vocab or load_outline_vocab()
    paras = [
        p for p in iter_paragraphs(text, body_start, skip) if not any(a <= p.start < b for a, b in tables)
    ]
    numbered = [match_numbered(p, vocab) for p in paras]
    candidates = [None if h else lead_candidate(p, vocab) for p, h in zip(paras, numbered)]
    out: list[Heading] = []
    seen_numbered = False
    for i, (num, cand) in enumerate(zip(numbered, candidates)):
        if num is not None:
            seen_numbered = True
            out.append(num)
            out.extend(inline_leads(text, num, vocab))
            continue
        if cand is None or not seen_numbered:
            continue
        if i > 0 and numbered[i - 1] is None and not paras[i - 1].text.endswith(_PARAGRAPH_ENDS):
            continue
        if len(cand.title) > vocab.lead_short:
            prev_ok = i > 0 and candidates[i - 1] is not None
            next_ok = i + 1 < len(candidates) and candidates[i + 1] is not None
            if not (prev_ok or next_ok):
                continue
        out.append(cand)
    return out


_INLINE_LEAD = re.compile(r"[^。]*。")


def inline_leads(text: str, heading: Heading, vocab: OutlineVocab | None = None) -> list[Heading]:
    """Run-in leads inside a numbered heading's own paragraph.

    ``1.构筑…格局。高标准打造生态绿心。……。高标准建设生态廊道。……`` carries its
    sub-tasks as short sentences inside one paragraph.  They count only when the
    body opens with one (sub-tasks come first, then their text), and each is a
    short sentence without commas or figures followed by text of its own.
    """
    vocab = vocab or load_outline_vocab()
    if not heading.has_body or heading.style == "lead":
        return []
    para = text[heading.start : heading.para_end]
    sentences = [(m.start(), m.group()) for m in _INLINE_LEAD.finditer(para)]
    if len(sentences) < 3:
        return []

    def is_lead(k: int) -> bool:
        pos, sent = sentences[k]
        body = sent[:-1].strip()
        rest = para[pos + len(sent) :]
        return (
            vocab.lead_min <= len(body) <= vocab.lead_inline_max
            and not re.search(r"[，,；;：:、0-9]", body)
            and not body.startswith(vocab.lead_stop_prefixes)
            and len(rest.strip()) >= 20
            and k + 1 < len(sentences)
            and len(sentences[k + 1][1]) > len(sent)
        )

    if not is_lead(1):
        return []
    return [
        Heading(heading.start + sentences[k][0], heading.para_end, "lead", "", clean_title(sentences[k][1][:-1]), True)
        for k in range(1, len(sentences))
        if is_lead(k)
    ]
