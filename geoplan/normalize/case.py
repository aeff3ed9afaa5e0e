"""Restore the case of Latin names a document lower-cased (``g60`` → ``G60``).

Web scrapers sometimes lower-case the whole page; Latin inside Chinese plans is
almost always a code or an acronym (road numbers, ``PM2.5``, ``GDP``, ``TOD``),
so two rules put it back: a list of known terms (``layers/vocab/normalize.toml``
``[case] terms``) and the shape of a road/corridor code: one lower-case letter
plus digits touching a Chinese character (``长三角g60科创走廊``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from geoplan.normalize.spaces import HAN
from geoplan.normalize.tracked import Tracked
from geoplan.normalize.vocab import load_vocab


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]]:
    conf = load_vocab()["case"]
    terms: list[str] = sorted(conf["terms"], key=len, reverse=True)
    canon = {t.lower(): t for t in terms}
    alt = "|".join(re.escape(t) for t in terms)
    term_rx = re.compile(rf"(?<![A-Za-z0-9])(?:{alt})(?![A-Za-z0-9])", re.I)
    road_rx = re.compile(conf["road_code"])
    return term_rx, canon, road_rx


def restore_case(t: Tracked) -> Tracked:
    term_rx, canon, road_rx = _patterns()
    t = t.sub(term_rx, lambda m: canon.get(m.group(0).lower(), m.group(0)))
    han = re.compile(rf"[{HAN}]")
    text = t.text

    def road(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if han.match(before) or han.match(after):
            return m.group(1).upper() + m.group(2)
        return m.group(0)

    return t.sub(road_rx, road)
