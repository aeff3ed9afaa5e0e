"""Gazetteer names found in text: longest match over a prefix map.

Matching runs over the normalized text once; at every position the longest name
that starts there wins, so 淀山湖国家级旅游度假区 is not read as 淀山湖 plus noise.
Names shorter than two characters are never matched (one character is never a
proper name on its own in planning prose).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class DictMatch:
    start: int
    end: int
    surface: str
    ids: tuple[str, ...]


class NameMatcher:
    """Longest-match lookup of a fixed set of names.

    ``names`` maps each name (or alias) to the gazetteer ids it may stand for.
    The structure is a dict keyed by the first two characters holding the
    lengths present, which is compact for tens of thousands of names and fast
    enough (a few dict probes per character) for whole plans.
    """

    def __init__(self, names: dict[str, tuple[str, ...]]) -> None:
        self._names = {n: ids for n, ids in names.items() if len(n) >= 2}
        lengths: dict[str, set[int]] = {}
        for name in self._names:
            lengths.setdefault(name[:2], set()).add(len(name))
        self._lengths = {k: sorted(v, reverse=True) for k, v in lengths.items()}

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def ids(self, name: str) -> tuple[str, ...]:
        return self._names.get(name, ())

    def longest_at(self, text: str, pos: int) -> DictMatch | None:
        for length in self._lengths.get(text[pos : pos + 2], ()):
            cand = text[pos : pos + length]
            if len(cand) == length and cand in self._names:
                return DictMatch(pos, pos + length, cand, self._names[cand])
        return None

    def all_at(self, text: str, pos: int) -> Iterator[DictMatch]:
        for length in self._lengths.get(text[pos : pos + 2], ()):
            cand = text[pos : pos + length]
            if len(cand) == length and cand in self._names:
                yield DictMatch(pos, pos + length, cand, self._names[cand])

    def scan(self, text: str, start: int = 0, end: int | None = None) -> list[DictMatch]:
        """Maximal, non-overlapping matches left to right (longest first)."""
        end = len(text) if end is None else end
        out: list[DictMatch] = []
        i = start
        while i < end - 1:
            m = self.longest_at(text, i)
            if m is not None and m.end <= end:
                out.append(m)
                i = m.end
            else:
                i += 1
        return out


def build_name_map(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """Group ``(name, id)`` pairs into ``name → ids``."""
    acc: dict[str, list[str]] = {}
    for name, fid in pairs:
        ids = acc.setdefault(name, [])
        if fid not in ids:
            ids.append(fid)
    return {k: tuple(v) for k, v in acc.items()}
