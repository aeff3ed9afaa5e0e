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
from dataclasses import dataclass, replace

from geoplan.outline.notes import drop_note_marks, note_terms
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
    #: where the heading's span must end at the latest (a 专栏 box closed by prose)
    end: int | None = None
    #: how many ``#`` a Markdown heading line starts with (0: no Markdown markup)
    depth: int = 0
    #: a 专栏 laid out as a table of entries, one row each (see TaskNode.lists)
    lists: bool = False


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
    if style in ("part", "chapter", "section") and any(ch in rest for ch in vocab.title_breaks):
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
    line = strip_markup(para.text, vocab)
    if is_table_row(line) or vocab.toc_leaders.search(line):
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
        if style == "box":
            number = re.sub(r"[－—–.．]", "-", number)
        number = vocab.numbers.get(style, "{}").format(number)
        title, has_body = _cut_title(rest, style, vocab)
        if not title:
            return None
        return Heading(para.start, para.end, style, number, title, has_body, depth=markdown_depth(para.text))
    return _match_matter(para, vocab)


def markdown_depth(line: str) -> int:
    """How many ``#`` open a Markdown heading line (``## 第一章 …`` → 2), else 0."""
    m = re.match(r"#{1,6}(?=\s|[^#])", line)
    return len(m.group()) if m else 0


def match_markdown(para: Paragraph, vocab: OutlineVocab | None = None) -> Heading | None:
    """An unnumbered Markdown heading (``## 总体要求``): style ``md<depth>``, no number.

    Its level comes from its ``#`` depth (see :func:`geoplan.outline.tree.style_levels`).
    A line too long for a title is a paragraph someone marked up, not a heading;
    hashes without a blank after them (``#1 号线``) are text.
    """
    vocab = vocab or load_outline_vocab()
    depth = markdown_depth(para.text)
    if not depth or not para.text[depth : depth + 1].isspace():
        return None  # "#1 号线" is no heading: Markdown puts a blank after the hashes
    title = clean_title(strip_markup(para.text, vocab))
    if not title or len(title) > vocab.max_title or vocab.toc_leaders.search(title):
        return None
    return Heading(para.start, para.end, f"md{depth}", "", title, False, depth=depth)


def _drop_document_title(headings: list[Heading | None]) -> None:
    """The one shallowest Markdown heading before every other heading is the plan's title, not a task."""
    found = [h for h in headings if h is not None]
    if not found or not found[0].style.startswith("md"):
        return
    first = found[0]
    if all(h.depth == 0 or h.depth > first.depth for h in found[1:]) and len(found) > 1:
        headings[headings.index(first)] = None


def strip_markup(line: str, vocab: OutlineVocab) -> str:
    """The heading line without Markdown markup (``## 第一章 …``, ``**(一)…**``)."""
    line = vocab.markup_prefix.sub("", line, count=1)
    return vocab.markup_suffix.sub("", line, count=1)


def _match_matter(para: Paragraph, vocab: OutlineVocab) -> Heading | None:
    """前言 / 结语 / 附录 … lines: chapter-level headings outside the numbering."""
    squeezed = re.sub(r"\s+", "", strip_markup(para.text, vocab))
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
    toc: Sequence[str] = (),
) -> list[Heading]:
    """Every heading of the body in document order.

    ``toc``: the titles of the plan's 目录, which confirm a title broken over two lines.

    Leads count only after the first numbered heading (the preamble's opening
    sentence is not a task), never continue a paragraph whose last sentence is
    unfinished (a hard line break from PDF extraction), and a lead longer than ``short_chars`` needs a lead
    candidate next to it: leads come in runs, a lone long first sentence is prose.

    A 专栏 box whose title stands alone holds the lines after it: numbered lines
    inside it are its items, not sections (else the next box nests under one of
    them).  It closes at the next box, at the next heading of its section's level
    or above, or at the first prose paragraph (whose span then ends the box's);
    a row that names its item (``名称：…``, or ``名称 …`` under a column header)
    is a line of the box, not prose.  A box's own paragraph holds no run-in leads:
    its sentences are its items.
    """
    vocab = vocab or load_outline_vocab()
    # page numbers and footers of PDF text are no paragraphs: a heading or lead runs on across them
    paras = [
        p
        for p in iter_paragraphs(text, body_start, skip)
        if not any(a <= p.start < b for a, b in tables) and not vocab.page_line.match(p.text)
    ]
    numbered = [match_numbered(p, vocab) or match_markdown(p, vocab) for p in paras]
    notes = note_terms((p.text for p in paras), vocab)
    numbered = [h and replace(h, title=drop_note_marks(h.title, notes, vocab)) for h in numbered]
    _drop_document_title(numbered)
    _join_wrapped_titles(paras, numbered, vocab, {title_key(t): t for t in toc})
    candidates = [None if h else lead_candidate(p, vocab) for p, h in zip(paras, numbered)]
    candidates = [c and replace(c, title=drop_note_marks(c.title, notes, vocab)) for c in candidates]
    out: list[Heading] = []
    seen_numbered = False
    rank = {s: k for k, s in enumerate(vocab.style_order)}
    box: int | None = None  # index in ``out`` of the open 专栏 box
    box_closer: int | None = None  # rank of the section the box sits in
    box_lines = 0  # lines read inside the open box
    box_table = False  # the open box opened with a column header: its rows lead with a label cell
    section_rank: int | None = None
    for i, (num, cand) in enumerate(zip(numbered, candidates)):
        para = paras[i]
        if box is not None:
            if num is not None:
                if num.style != "box" and not num.style.startswith("md") and (
                    box_closer is None or rank.get(num.style, 0) > box_closer
                ):
                    continue  # a numbered item of the box, not a section of the plan
                box = None
            elif box_lines == 0 and vocab.box_header_row.match(para.text):
                box_lines, box_table = 1, True
                out[box] = replace(out[box], lists=True)
                continue  # the column header of a table box
            elif _is_prose(para.text, vocab) and not _is_box_row(para.text, vocab, box_table):
                out[box] = replace(out[box], end=para.start)
                box = None
            else:
                box_lines += 1
                continue  # a line of the box
        if num is not None:
            seen_numbered = True
            out.append(num)
            if num.style == "box":
                if not num.has_body:
                    box, box_closer = len(out) - 1, section_rank
                    box_lines, box_table = 0, False
                continue  # a box's own sentences are its items, not run-in leads of the section
            elif num.style != "lead":
                section_rank = rank.get(num.style, -1)  # a Markdown heading outranks every numbered one
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


def title_key(title: str) -> str:
    """A title reduced to its letters, to compare a 目录 entry with a body heading."""
    return re.sub(r"[\s，,、。:：;；“”\"'()（）《》·]", "", title)


def _join_wrapped_titles(
    paras: list[Paragraph], numbered: list[Heading | None], vocab: OutlineVocab, toc: dict[str, str] | None = None
) -> None:
    """Join a heading title broken over two lines (PDF text: ``第一篇 锚定…`` / ``奋力谱写…``).

    The second line is short, holds no sentence punctuation, is no heading itself,
    and a heading follows it or the 目录 lists the joined title: a heading's title,
    not the section's first paragraph.
    The continuation line is dropped from ``paras`` (in place, with ``numbered``).
    When extraction glued the second half to the paragraph after it, a 目录 entry
    that the heading and that paragraph's start spell out gives the title.
    """
    toc = toc or {}
    i = 0
    while i + 2 < len(paras):
        h, nxt = numbered[i], paras[i + 1]
        if (
            h is not None
            and h.style not in ("box", "lead")
            and not h.depth  # a Markdown heading is one line
            and not h.has_body
            and numbered[i + 1] is None
            and not re.search(r"[。；;！？!?：:|]", nxt.text)
            and not vocab.page_line.match(nxt.text)
            and (
                (numbered[i + 2] is not None and len(h.title) + len(nxt.text) <= vocab.max_title)
                or title_key(h.title + nxt.text) in toc
            )
        ):
            sep = paras[i].text[-1] if paras[i].text[-1] in vocab.title_breaks + "、" else ""
            numbered[i] = replace(h, title=clean_title(h.title + sep + nxt.text), para_end=nxt.end)
            del paras[i + 1], numbered[i + 1]
        elif h is not None and h.style not in ("box", "lead") and not h.has_body and numbered[i + 1] is None:
            key, following = title_key(h.title), title_key(nxt.text)
            whole = next((t for k, t in toc.items() if k != key and k.startswith(key) and following.startswith(k[len(key):])), None)
            if whole is not None:
                numbered[i] = replace(h, title=clean_title(whole))
        i += 1


def _is_box_row(line: str, vocab: OutlineVocab, table: bool) -> bool:
    """A row of an open 专栏 however long: an item named before a colon, or a table box's labelled row.

    Boxes list projects as "名称：内容。" or, under a column header, "名称 内容。";
    a prose paragraph after the box opens with a sentence, never with such a label.
    """
    return bool(vocab.box_item_row.match(line) or (table and vocab.box_table_row.match(line)))


def _is_prose(line: str, vocab: OutlineVocab) -> bool:
    """A body paragraph (long, ending a sentence), not a line of a 专栏 box."""
    return not is_table_row(line) and len(line) >= vocab.box_prose_min and line.endswith(("。", "！", "？", "；"))


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
