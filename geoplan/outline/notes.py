"""Note marks glued into heading titles: ``做实做优“一带一轴、三核四极”114城市空间结构``.

A plan saved from the web keeps its note references as plain digits right after
the term they explain, and lists the notes at its end (``114. 一带一轴、三核四极：…``,
under 名词解释).  In a title such a mark is noise: the 目录 and a planner read
``做实做优“一带一轴、三核四极”城市空间结构``.  A number after a quoted term counts as a
mark only when the plan has a note of that number explaining that very term, so a
quantity (``打造“未来社区”3个试点``) stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from geoplan.outline.vocab import OutlineVocab


def note_terms(lines: Iterable[str], vocab: OutlineVocab) -> dict[str, str]:
    """Number → the head of its note (what it explains), from the plan's note lines."""
    notes: dict[str, str] = {}
    for line in lines:
        m = vocab.note_line.match(line)
        if m:
            notes.setdefault(m.group("num"), m.group("term"))
    return notes


def drop_note_marks(title: str, notes: dict[str, str], vocab: OutlineVocab) -> str:
    """``title`` without the note marks that the plan's notes confirm."""
    if not notes:
        return title

    def keep_or_drop(m: re.Match[str]) -> str:
        head = notes.get(m.group("num"))
        opened = title.rfind("“", 0, m.start())
        term = title[opened + 1 : m.start() - 1] if opened >= 0 else ""
        return "" if head and term and term in head else m.group()

    return vocab.note_mark.sub(keep_or_drop, title)
