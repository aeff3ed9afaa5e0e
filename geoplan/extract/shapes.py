"""The shape of name strings: quotes, counts, slogans and chains of generic words.

Pure functions over strings, shared by discovery and the list grammar: they say
where a stem may begin (after an unbalanced quote, a quoted slogan or a count)
and whether a stem is made of generic planning words only.
"""

from __future__ import annotations

import re

#: characters that never sit inside a name stem
PUNCT = set("，。；：！？、,.;:!?()（）《》〈〉【】[]{}<>|/\\\"'…—·~～ \t\n")

def balance_quotes(text: str, start: int, end: int, opens: str, closes: str) -> int:
    """Move ``start`` past a quote that is not closed (or opened) inside the stem.

    “青浦 … is cut to 青浦; “文创+基金”特色小镇 keeps its balanced quotes.
    """
    depth = 0
    cut = start
    for i in range(start, end):
        ch = text[i]
        if ch in opens:
            depth += 1
            if depth == 1:
                open_at = i
        elif ch in closes:
            if depth == 0:
                cut = i + 1  # a closing quote with no opening: the name starts after it
            else:
                depth -= 1
    if depth > 0:
        # an opening quote never closed before the head: the name starts after it
        last_open = max(i for i in range(start, end) if text[i] in opens)
        cut = max(cut, last_open + 1)
    return cut


NUMERALS = set("一二三四五六七八九十两百千万双零")


def skip_slogan(text: str, start: int, end: int, v) -> int:
    """Skip a quoted slogan that opens a stem: “一体两翼”南太湖城市带 → 南太湖城市带.

    A quoted part counting things (numerals inside) is a slogan, not a name;
    “文创+基金” or “南太湖精英计划” stay.
    """
    if start < end and text[start] in v.quote_open:
        close = next((k for k in range(start + 1, end) if text[k] in v.quote_close), None)
        if close is not None and any(ch in NUMERALS for ch in text[start + 1 : close]) and close + 1 < end:
            return close + 1
    return start


def generic_only(stem: str, generic: frozenset[str]) -> bool:
    """True when ``stem`` can be cut entirely into generic words (dashes between
    them do not count: 区-街镇-园区 is a chain of generic words)."""
    stem = re.sub(r"[-—－]", "", stem)
    n = len(stem)
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if not ok[i]:
            continue
        for j in range(i + 1, min(n, i + 8) + 1):
            if stem[i:j] in generic:
                ok[j] = True
    return ok[n]



_COUNT = re.compile(r"[一二三四五六七八九十两百千万几多]+[大个条座家所处批类项片镇村乡区县市]")


def after_count(text: str, start: int, end: int) -> int:
    """Start a stem after a count phrase inside it: 南太湖未来城两大特色新城 → 特色新城."""
    last = None
    for m in _COUNT.finditer(text, start, end):
        last = m
    return last.end() if last is not None else start


def counting_slogan(name: str) -> bool:
    """五山五漾, 百村联百村: one numeral counting twice is a slogan, not a name."""
    nums = [i for i, ch in enumerate(name) if ch in NUMERALS and ch not in "双零"]
    for a, b in zip(nums, nums[1:]):
        if b - a > 1 and name[a] == name[b]:
            return True
    return False


def after_descriptor(text: str, start: int, end: int, ends: str, word_ends: set[int] | None = None) -> int:
    """Start a stem after an attributive descriptor: 海港经济型新城 → 新城, 区域性…中心 → ….

    "X型", "X性", "X式" say what type or nature a thing has (临空经济型, 区域性,
    沉浸式): when no proper name comes before one, what follows is a category
    (or a name of its own: 智慧型临空经济示范区 → 临空经济示范区).  The caller
    keeps a stem whose descriptor follows a known place (合肥综合性国家科学中心).
    ``word_ends``: offsets where the sentence's words end, if known.
    """
    cut = start
    for k in range(start + 1, end):
        # the character must end a word: 性 of 高性能 opens one
        if text[k] in ends and (word_ends is None or k + 1 in word_ends):
            cut = k + 1
    return cut


def category_phrase(name: str, heads, generic: frozenset[str]) -> bool:
    """True when ``name`` is a head word alone or generic words plus a head (火车站, 综保区, 体育中心).

    Such a string names a kind of place, not one place, whatever layer holds a
    feature spelled so (a metro station called 火车站, a park's alias 综保区).
    """
    if name in heads:
        return True
    for head in heads:
        # one generic character before a head often makes a proper name (新塘, 大港)
        if len(head) + 1 < len(name) and name.endswith(head) and generic_only(name[: -len(head)], generic):
            return True
    return False

