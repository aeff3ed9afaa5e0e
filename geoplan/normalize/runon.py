"""Run-on text: a plan pasted without its line breaks is split back into sentences and headings.

Why: copying a plan out of a web page or a PDF viewer often loses every line
break, and the outline and extraction stages work line by line (a heading is a
line, a notice header is a block of lines): one 12,000-character line gave no
feature at all, and no warning.  Such a line is cut after each sentence end and
before each heading number (第三章, 二、, (四), 3.), the places a plan's own line
breaks stand; offsets into the raw text are kept, the inserted breaks map to
the character before them.

Only run-on lines are touched: a text that is one single line, or a line far
longer than any paragraph of a real plan (the longest seen are about 1,500
characters), so plans with their breaks are left exactly as they are.
"""

from __future__ import annotations

import re

from geoplan.normalize.tracked import Tracked

#: a line at least this long is run-on even when the text has other lines
RUN_ON_CHARS = 4_000
#: a one-line text shorter than this is a note, not a pasted plan
MIN_ONE_LINE_CHARS = 200

_NUM = "一二三四五六七八九十百零〇"
#: a break goes after a sentence end (and its closing quote or bracket) …
_SENTENCE_END = re.compile(r"[。！？][”’」』)）]*(?=[^\s”’」』)）。！？])")
#: … and before a heading number standing after Chinese text or punctuation
_HEADING = re.compile(
    rf"(?<=[\u4e00-\u9fff，。；：！？、”)）])"
    rf"(?=第[{_NUM}\d]+[篇章节部]|[{_NUM}]{{1,3}}、|[(（][{_NUM}]{{1,3}}[)）]|专栏\s*\d|\d{{1,2}}[.．](?=[\u4e00-\u9fff]))"
)


def is_run_on(line: str, single: bool) -> bool:
    n = len(line.strip())
    return n >= RUN_ON_CHARS or (single and n >= MIN_ONE_LINE_CHARS)


def split_run_on(t: Tracked) -> Tracked:
    """Break run-on lines of ``t`` at sentence ends and heading numbers."""
    spans = t.line_spans()
    single = sum(1 for a, b in spans if t.text[a:b].strip()) == 1
    edits: list[tuple[int, int, str]] = []
    for a, b in spans:
        line = t.text[a:b]
        if not is_run_on(line, single):
            continue
        cuts = {a + m.end() for m in _SENTENCE_END.finditer(line)} | {a + m.start() for m in _HEADING.finditer(line)}
        edits.extend((c, c, "\n") for c in sorted(cuts) if a < c < b)
    return t.apply(edits) if edits else t
