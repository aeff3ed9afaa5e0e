"""Remove pinyin reading glosses: ``目標(biāo)`` → ``目標``, ``規劃(guī huà)`` → ``規劃``.

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
    words = int(conf.get("max_syllables", 4))
    span = words * (n + 1)
    # opening bracket or a `?` that replaced it; one syllable or a few separated by
    # spaces (規劃(guī huà)), at least one tone mark among them; closing bracket
    return re.compile(
        rf"[(（?](?=[a-z{tones}? ]{{0,{span}}}[{tones}]){letter}{{1,{n}}}(?: {letter}{{1,{n}}}){{0,{words - 1}}}[)）]"
    )


def strip_glosses(t: Tracked) -> Tracked:
    return t.sub(gloss_pattern(), "")


def count_glosses(text: str) -> int:
    """How many glosses ``text`` holds (0 after :func:`strip_glosses`)."""
    return len(gloss_pattern().findall(text))
