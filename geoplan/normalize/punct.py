"""One form for each punctuation mark, digit and Latin letter.

The corpus mixes ``(``/``（``, ``,``/``，``, ``:``/``：``, ``;``/``；`` even inside one
sentence, and names are matched character by character, so one canonical
form is chosen (the usage of official Chinese typesetting, GB/T 15834):

* ``，。；：（）！`` are full-width (brackets always: ``（上海）``, ``（一）``);
* digits, Latin letters and ``% + - / = < > | . ~`` are ASCII (``１３号线`` → ``13号线``);
* ``,`` between digits (``1,000``) and ``:`` between digits (``0.04:35.6``) stay ASCII;
* ``?`` is left as it is: in collected plans a stray ``?`` is mojibake, and
  turning it into ``？`` would dress damage up as a question.

Every change is one character for one character, so offsets are trivially kept.
"""

from __future__ import annotations

import re
from functools import lru_cache

from geoplan.normalize.tracked import Tracked
from geoplan.normalize.vocab import load_vocab

#: full-width forms that are *kept* (the ASCII ones are mapped to them instead)
KEEP_FULLWIDTH = frozenset("，；：（）！？")


@lru_cache(maxsize=1)
def width_table() -> dict[str, str]:
    """Full-width ASCII variants (U+FF01–U+FF5E) → ASCII, except the kept marks."""
    table: dict[str, str] = {}
    for code in range(0xFF01, 0xFF5F):
        ch = chr(code)
        if ch in KEEP_FULLWIDTH:
            continue
        table[ch] = chr(code - 0xFEE0)
    table["．"] = "."  # full-width full stop is a decimal point / list dot, never 。
    return table


_NUMBER_SYNTAX = re.compile(r"(?<=\d) ?[,:] ?(?=\d)|:(?=//)")


@lru_cache(maxsize=1)
def _ascii_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    to_full: dict[str, str] = dict(load_vocab()["punct"]["to_fullwidth"])
    return re.compile("[" + re.escape("".join(to_full)) + "]"), to_full


def unify(t: Tracked) -> Tracked:
    t = t.map_chars(width_table())
    rx, to_full = _ascii_pattern()
    text = t.text
    # `,`/`:` between digits (1,000 · 0.04 : 35.6) and `://` stay ASCII
    keep = {m.start() + m.group(0).index(c) for m in _NUMBER_SYNTAX.finditer(text) for c in ",:" if c in m.group(0)}
    return t.sub(rx, lambda m: m.group(0) if m.start() in keep else to_full[m.group(0)])


def unify_string(s: str) -> str:
    """The same canonical form for a bare string (a gazetteer name, a gold surface)."""
    return unify(Tracked(s)).text
