"""Traditional → Simplified, one character for one character.

Names in the gazetteer are Simplified; a Traditional plan (``浦東新區``) must be
converted before matching.  zhconv's phrase table gives better results than a
per-character map (``乾隆`` stays, ``乾燥`` → ``干燥``), but a phrase may change
length, which would break the offset map; so each line is converted by phrase
and kept only when its length is unchanged, otherwise it is converted
character by character.  A Simplified plan is left untouched: some characters
(``著``, ``乾``) are valid in both scripts and must not be "converted".
"""

from __future__ import annotations

import re
from functools import lru_cache

from geoplan.normalize.tracked import Tracked
from geoplan.normalize.vocab import load_vocab

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LOCALE = "zh-cn"


@lru_cache(maxsize=65536)
def simplify_char(ch: str) -> str:
    import zhconv

    out = zhconv.convert(ch, LOCALE)
    return out if len(out) == 1 else ch


def traditional_share(text: str) -> float:
    """Share of Han characters that change under character-level conversion."""
    han = _HAN.findall(text)
    if not han:
        return 0.0
    changed = sum(1 for ch in han if simplify_char(ch) != ch)
    return changed / len(han)


def is_traditional(text: str) -> bool:
    return traditional_share(text) >= float(load_vocab()["t2s"]["min_traditional_share"])


def simplify_line(line: str) -> str:
    """Convert one line, by phrase when that keeps its length, else per character."""
    import zhconv

    phrased = zhconv.convert(line, LOCALE)
    if len(phrased) == len(line):
        return phrased
    return "".join(simplify_char(ch) for ch in line)


def to_simplified(t: Tracked, force: bool = False) -> Tracked:
    if not force and not is_traditional(t.text):
        return t
    new = "\n".join(simplify_line(line) for line in t.text.split("\n"))
    return t.replace_text(new)
