"""Repair the artefacts of PDF text extraction, keeping offsets.

A PDF stores positioned glyphs, not paragraphs; its extracted text breaks
lines inside sentences and words (``完善社区救助顾问⏎建困难…``), spaces digits
and Latin away from Chinese (``13 号线``, ``二 〇 三五年``), and keeps footnote
numbers glued to the terms they annotate (``神经元感知节点 8 ，``), with the
notes themselves run together in an appendix.  These repairs are only right
for PDF-extracted text, so :func:`looks_pdf_extracted` decides from the text
itself (many long lines ending without punctuation), whatever the file format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from geoplan.normalize.spaces import FW_PUNCT, HAN
from geoplan.normalize.tracked import Tracked
from geoplan.normalize.vocab import load_vocab

_NO_BREAK_PUNCT = "，。；：、！？"
_CLOSERS = "”’）》」』】"
# the number of a heading, whose `、` is no sentence punctuation
_MARKER = re.compile(r"^(第[一二三四五六七八九十百零〇\d]+[章节篇]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．])")


@dataclass(frozen=True)
class _Conf:
    headings: tuple[re.Pattern[str], ...]
    lead: re.Pattern[str]
    page_number: re.Pattern[str]
    notes_heading: re.Pattern[str]
    terminal: str
    short_heading: int
    long_line: int
    share: float
    min_lines: int


@lru_cache(maxsize=1)
def _conf() -> _Conf:
    c = load_vocab()["pdf"]
    return _Conf(
        headings=tuple(re.compile(p) for p in c["heading_patterns"]),
        lead=re.compile(c["lead"]),
        page_number=re.compile(c["page_number"]),
        notes_heading=re.compile(c["notes_heading"]),
        terminal=c["terminal"],
        short_heading=int(c["short_heading"]),
        long_line=int(c["long_line"]),
        share=float(c["unterminated_share"]),
        min_lines=int(c["min_lines"]),
    )


# ------------------------------------------------------------------ line shapes
def is_title(line: str) -> bool:
    """A heading or title standing alone: it never runs on into the next line.

    Either short with no sentence punctuation, or a numbered heading
    (``第二章 …``, ``一、…``) with none; a table row counts too.
    """
    s = line.strip()
    if not s:
        return True
    if "|" in s:
        return True
    if any(ch in _NO_BREAK_PUNCT for ch in _MARKER.sub("", s)):
        return False
    return len(s) <= _conf().short_heading or any(p.search(s) for p in _conf().headings)


def is_heading(line: str) -> bool:
    """A line that starts a block: a heading, list marker, note, table row or title.

    Such a line is never glued to the line before it; whether it runs on into
    the next one is :func:`is_title`'s business.
    """
    s = line.strip()
    if not s:
        return True
    return is_title(s) or any(p.search(s) for p in _conf().headings)


def is_terminated(line: str) -> bool:
    """The line ends a sentence: ``。`` … or a closing quote/bracket right after one."""
    s = line.rstrip()
    if not s:
        return True
    terminal = _conf().terminal
    if s[-1] in terminal:
        return True
    stripped = s.rstrip(_CLOSERS)
    return len(stripped) < len(s) and bool(stripped) and stripped[-1] in terminal


def looks_pdf_extracted(text: str) -> bool:
    """Many long non-heading lines end without sentence punctuation."""
    conf = _conf()
    long_lines = [l for l in text.split("\n") if len(l.strip()) >= conf.long_line and not is_heading(l)]
    if not long_lines:
        return False
    open_ = sum(1 for l in long_lines if not is_terminated(l))
    return open_ >= conf.min_lines and open_ >= conf.share * len(long_lines)


# --------------------------------------------------------------------- repairs
def drop_page_numbers(t: Tracked) -> Tracked:
    rx = _conf().page_number
    lines = t.text.split("\n")
    return t.delete_lines(i for i, line in enumerate(lines) if line.strip() and rx.match(line))


def wrap_width(lines: list[str]) -> int | None:
    """The page width in characters, when most long lines share one length.

    A line that fills the width was wrapped by the page, even if it happens to
    end in ``。`` or ``；``; without a clear mode (text extracted paragraph by
    paragraph) there is no such evidence and ``None`` is returned.
    """
    conf = _conf()
    lengths = [len(l.strip()) for l in lines if len(l.strip()) >= conf.long_line and not is_heading(l)]
    if len(lengths) < 10:
        return None
    mode = max(set(lengths), key=lengths.count)
    return mode if lengths.count(mode) >= 0.3 * len(lengths) else None


def _pipes_mode(lines: list[str]) -> int:
    counts = [l.count("|") for l in lines if "|" in l]
    return max(set(counts), key=counts.count) if counts else 0


def _row_continues(line: str, pipes: int, nxt: str, cells: int) -> bool:
    """A table row broken by the page: it does not end in ``|``, or its rest follows.

    ``pipes`` counts the borders of the row so far (it may already be joined
    from several lines); ``cells`` is the usual count of the table.
    """
    if "|" not in line or not cells:
        return False
    if is_heading(nxt) and "|" not in nxt:
        return False
    if not line.rstrip().endswith("|"):
        return True
    return "|" in nxt and pipes + nxt.count("|") <= cells


def join_broken_lines(t: Tracked) -> Tracked:
    """Join a line to the next when the sentence visibly continues.

    Not joined: a line ending in sentence punctuation (unless it fills the page
    width, see :func:`wrap_width`), a heading on either side, and a next line
    opening with a run-in lead (``推进传统产业质量提升。 积极…``), which starts
    a new paragraph.  A table row split by the page is put back together.  Two
    Latin words, or a cell border and its cell, get a space; anything else is glued.
    """
    conf = _conf()
    lines = t.text.split("\n")
    width = wrap_width(lines)
    cells = _pipes_mode(lines)
    edits = []
    pos = 0
    pipes = 0  # borders of the logical row being assembled
    for i, line in enumerate(lines[:-1]):
        nl = pos + len(line)
        nxt = lines[i + 1]
        pos = nl + 1
        pipes += line.count("|")
        if not line.strip() or not nxt.strip():
            pipes = 0
            continue
        if _row_continues(line, pipes, nxt, cells):
            join = True
        else:
            ended = is_terminated(line) and not (width and len(line.strip()) >= width)
            join = (
                not ended
                and not is_title(line)
                and not is_heading(nxt)
                and not conf.lead.match(nxt.lstrip())
            )
        if join:
            a, b = line.rstrip()[-1:], nxt.lstrip()[:1]
            latin = a.isascii() and a.isalpha() and b.isascii() and b.isalpha()
            edits.append((nl, nl + 1, " " if latin or "|" in (a, b) else ""))
        else:
            pipes = 0
    return t.apply(edits)


_FW = re.escape(FW_PUNCT)
_ASCII_VISIBLE = r"\x21-\x7b\x7d\x7e"  # printable ASCII except `|`, which separates table cells
_SPACED = re.compile(
    rf"(?<=[{HAN}{_FW}]) +(?=[{_ASCII_VISIBLE}])"
    rf"|(?<=[{_ASCII_VISIBLE}]) +(?=[{HAN}{_FW}])"
    r"|(?<=\d) +(?=[:%])|(?:(?<=\d:)|(?<=\d :)) +(?=\d)"
    r"|(?<![A-Za-z])(?<=[A-Z]) (?=\d)"  # PM 2.5, SO 2, O 3
    r"|(?<=[A-Z][A-Z]) (?=\d)"
)


def close_spaces(t: Tracked) -> Tracked:
    """``13 号线`` → ``13号线``, ``( AQI )`` → ``（AQI）``, ``PM 2.5`` → ``PM2.5``."""
    return t.sub(_SPACED, "")


# ------------------------------------------------------------------- footnotes
_DEF = re.compile(
    r"(?:(?<=^)|(?<=[。；]))[ ]*(?P<n>\d{1,2})[ ]*"
    r"(?P<term>“[^”\n]{1,20}”[^：\n。，“]{0,15}?|[^\s\d：。，“][^：\n。，]{0,20}?)[ ]*：",
    re.M,
)


def notes_start(text: str) -> int | None:
    """Start of the footnote appendix (after its heading line), if there is one."""
    rx = _conf().notes_heading
    start = None
    pos = 0
    for line in text.split("\n"):
        s = line.strip()
        if s and len(s) <= 20 and rx.search(s):
            start = pos + len(line) + 1
        pos += len(line) + 1
    return start if start is not None and start <= len(text) else None


def footnote_definitions(text: str) -> list[tuple[int, int, str]]:
    """``(start, number, term)`` of each numbered note in the appendix."""
    start = notes_start(text)
    if start is None:
        return []
    return [
        (m.start("n"), int(m.group("n")), m.group("term").strip())
        for m in _DEF.finditer(text, start)
    ]


def _term_pattern(term: str) -> str:
    return " ?".join(re.escape(ch) for ch in term if not ch.isspace())


def drop_footnote_markers(t: Tracked) -> Tracked:
    """Drop note numbers glued to the terms the appendix defines.

    Only a number that the appendix defines, right after *that* note's term and
    before punctuation, a space or a line end, is a marker (``“揭榜挂帅” 2 。``):
    any other number may be data.
    """
    text = t.text
    defs = footnote_definitions(text)
    if not defs:
        return t
    body_end = notes_start(text) or len(text)
    spans: list[tuple[int, int]] = []
    for _, n, term in defs:
        if not term:
            continue
        rx = re.compile(rf"{_term_pattern(term)}(?P<m>[ ]?{n}[ ]?)(?=[{re.escape(_NO_BREAK_PUNCT)} \n]|$)(?!\d)")
        for m in rx.finditer(text, 0, body_end):
            spans.append(m.span("m"))
    # a marker before a line end leaves the surrounding spaces to tidy()
    spans = sorted(set(spans))
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            continue
        merged.append((a, b))
    return t.delete(merged)


def split_notes(t: Tracked) -> Tracked:
    """Put each run-together appendix note on its own line."""
    text = t.text
    return t.apply(
        (start, start, "\n") for start, _, _ in footnote_definitions(text) if start > 0 and text[start - 1] != "\n"
    )


def repair(t: Tracked, force: bool = False) -> Tracked:
    """All PDF repairs, if the text looks PDF-extracted (or ``force``)."""
    if not force and not looks_pdf_extracted(t.text):
        return t
    t = drop_page_numbers(t)
    t = join_broken_lines(t)
    t = drop_footnote_markers(t)
    t = split_notes(t)
    return close_spaces(t)
