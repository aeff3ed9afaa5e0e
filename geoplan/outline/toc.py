"""Recognise a plan's table of contents (目录).

A plan printed as a book opens with a 目录: its chapter and section headings again,
each followed by dot leaders and a page number (``第一章 发展基础……1``), or in a
saved web page just the heading lines.  Read as headings they give a second task
tree, and the body's headings are then renamed (``一~2``).  The 目录 is a run of
heading lines after the word 目录 (or a run of leader lines without it); it ends
where a line is neither a heading nor a page footer, or where the first entry
comes round again (the body starts).  Its entries are kept, without their page
numbers, to check the body tree against.  Patterns are ``[toc]`` in
``layers/vocab/outline.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from geoplan.outline.headings import Paragraph, match_numbered, strip_markup
from geoplan.outline.vocab import OutlineVocab, load_outline_vocab


@dataclass(frozen=True)
class Toc:
    """One table of contents: its span in the text and its entries' titles."""

    start: int
    end: int
    entries: tuple[str, ...]


def _entry(para: Paragraph, vocab: OutlineVocab) -> str | None:
    """The entry's title when the line reads as a heading once its page number is gone."""
    line = vocab.toc_page_tail.sub("", strip_markup(para.text, vocab))
    if not line:
        return None
    h = match_numbered(Paragraph(para.start, para.start + len(line), line), vocab)
    if h is None or re.search(r"[。！？；]", line):
        return None  # a long title is cut at max_title; a sentence is prose
    return h.title


def _key(title: str) -> str:
    return re.sub(r"\s+", "", title)


def find_tocs(paras: Sequence[Paragraph], vocab: OutlineVocab | None = None) -> list[Toc]:
    """Every 目录 among the paragraphs, in document order."""
    vocab = vocab or load_outline_vocab()
    out: list[Toc] = []
    i = 0
    n = len(paras)
    while i < n:
        para = paras[i]
        word = _key(strip_markup(para.text, vocab)) in vocab.toc_words
        leaders = bool(vocab.toc_leaders.search(para.text))
        if not (word or leaders):
            i += 1
            continue
        j = i + 1 if word else i
        entries: list[str] = []
        paged = False  # entries so far carry page numbers: one without is the body
        last = para.end
        while j < n:
            p = paras[j]
            if vocab.page_line.match(p.text):
                j += 1
                continue
            title = _entry(p, vocab)
            if title is None or not (word or vocab.toc_leaders.search(p.text)):
                break
            has_page = bool(vocab.toc_page_tail.search(p.text))
            if entries and not has_page and (paged or _key(entries[0]).startswith(_key(title))):
                break  # the body's first heading: the 目录 is over
            paged = paged or has_page
            entries.append(title)
            last = p.end
            j += 1
        enough = len(entries) >= (1 if word else vocab.toc_min_run)
        if enough:
            out.append(Toc(para.start, last, tuple(entries)))
            i = j
        else:
            i += 1
    return out
