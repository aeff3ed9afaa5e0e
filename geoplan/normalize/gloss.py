"""Remove pinyin reading glosses: ``目標(biāo)`` → ``目標``, ``浦東新區(qū)`` → ``浦東新區``.

Some sites annotate every less common character with its reading; the glosses
split names (``浦東新區(qū)`` is not ``浦東新區``) and must go before any name is
looked for.  A gloss is a bracketed lower-case Latin syllable carrying at least
one tone mark, so ``(一)``, ``(浦東)``, ``(M0)``, ``(2021-2025年)`` and ``(上海)``
are never touched.  Scraping damaged some glosses: a ``?`` stands for a lost
character or bracket (``按照?qǐng)``); such a ``?`` is part of the gloss and goes
with it.  A ``?`` elsewhere is left alone: it may hide a real character.
"""

from __future__ import annotations

import re
from functools import lru_cache

from geoplan.normalize.tracked import Tracked
from geoplan.normalize.vocab import load_vocab


@lru_cache(maxsize=1)
def gloss_pattern() -> re.Pattern[str]:
    conf = load_vocab()["gloss"]
    tones = re.escape(conf["tone_letters"])
    n = int(conf["max_syllable"])
    letter = rf"[a-z{tones}?]"
    # opening bracket or a `?` that replaced it; a syllable with a tone mark; closing bracket
    return re.compile(rf"[(（?](?={letter}{{0,{n - 1}}}[{tones}]){letter}{{1,{n}}}[)）]")


def strip_glosses(t: Tracked) -> Tracked:
    return t.sub(gloss_pattern(), "")


def count_glosses(text: str) -> int:
    """How many glosses ``text`` holds (0 after :func:`strip_glosses`)."""
    return len(gloss_pattern().findall(text))
