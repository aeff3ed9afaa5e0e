"""Whitespace: invisible characters, spaced-out words, runs of spaces, blank lines.

Chinese text needs no spaces between words, so a space next to a Chinese
character or full-width punctuation is layout, not content; but a space between
two Chinese words can be structure (``专栏3-1 高水平建设南太湖新区 以高质量…``
separates a box title from its body), so only spaces around *isolated* single
characters (``前 言``, ``有 效 性``, ``二 〇 三五年``) are closed up here.  Spaces
around digits and Latin (``13 号线``) are a PDF artefact handled by
:mod:`geoplan.normalize.pdf`.
"""

from __future__ import annotations

import re

from geoplan.normalize.tracked import Tracked

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
#: full-width punctuation that never needs a space on either side
FW_PUNCT = "，。；：、！？（）“”‘’《》〈〉【】「」『』〔〕…—～·"

_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACELIKE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# a space next to a Han character that stands alone between spaces / line edges
_ISOLATED = re.compile(
    rf"(?:(?<=(?<![{HAN}])[{HAN}]) +(?=[{HAN}]))|(?:(?<=[{HAN}]) +(?=[{HAN}](?![{HAN}])))"
)
#: marks a space may not precede (closing and pausing) / follow (opening and pausing)
NO_SPACE_BEFORE = "，。；：、！？）”’》〉】」』〕…"
NO_SPACE_AFTER = "，。；：、！？（“‘《〈【「『〔"
# a space before an opening mark or after a closing one can be structure
# (专栏5-1 “蓝天碧水…”保卫工程 1.蓝天行动) and stays; `|` cell borders keep theirs
_AROUND_PUNCT = re.compile(rf" +(?=[{NO_SPACE_BEFORE}])|(?<=[{NO_SPACE_AFTER}]) +(?=[^|\n])")
_RUNS = re.compile(r" {2,}")
_EDGES = re.compile(r"^ +| +$", re.M)
_BLANK_LINES = re.compile(r"\n{2,}")


def clean_invisible(t: Tracked) -> Tracked:
    """Drop zero-width and control characters; turn exotic spaces into ``' '``."""
    t = t.sub(_INVISIBLE, "")
    return t.sub(_SPACELIKE, " ")


def tidy(t: Tracked) -> Tracked:
    """Close spaced-out words, drop spaces by full-width punctuation, collapse the rest.

    Blank lines go too: every plan, whatever its source, comes out with one
    paragraph (or heading, or table row) per line.
    """
    t = t.sub(_ISOLATED, "")
    t = t.sub(_AROUND_PUNCT, "")
    t = t.sub(_RUNS, " ")
    t = t.sub(_EDGES, "")
    t = t.sub(_BLANK_LINES, "\n")
    if t.text.startswith("\n"):
        t = t.delete([(0, 1)])
    if t.text.endswith("\n"):
        t = t.delete([(len(t) - 1, len(t))])
    return t
