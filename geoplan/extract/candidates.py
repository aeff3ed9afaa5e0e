"""Candidates: a discovered name before aggregation, and how overlapping ones are settled.

Why a module of its own: discovery proposes candidates, the list grammar adds
items to them and the extractor confirms them; all three share these records
and the rule that of nested names the longest wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from geoplan.extract.shapes import PUNCT


@dataclass
class Token:
    start: int
    end: int
    word: str
    flag: str


@dataclass
class Candidate:
    """A discovered name before aggregation."""

    start: int
    end: int
    name: str
    kind: str
    head: str
    stem: str
    rule: str = "head"
    surface_span: tuple[int, int] | None = None  # for coordination: the item as written
    generic: bool = False  # stem made of generic words only: kept for list grammar, never a name
    weak: bool = False  # the only proper evidence is a word jieba does not know: needs a listed neighbour
    evidence: list[str] = field(default_factory=list)



@dataclass(frozen=True)
class Found:
    """A span extraction keeps, before it becomes a :class:`~geoplan.records.Mention`."""

    start: int
    end: int
    surface: str
    name: str
    kind: str
    origin: str
    ids: tuple[str, ...]
    rule: str
    confidence: float = 0.9


def drop_inner(cands: list[Candidate], nested_kinds: Iterable[str] = ()) -> list[Candidate]:
    """Of names nested in one another keep the longest (西岑科创中心 over 中心).

    A road, river or other line name inside a longer name is a place of its own
    and stays as a nested mention (漕平路 in 漕平路跨淀浦河桥梁, 朱枫公路 in
    朱枫公路乡村振兴示范片区).  Generic phrases (生态廊道) never displace a
    name; they are kept only where no name overlaps them, for the list grammar.
    """
    nested_kinds = frozenset(nested_kinds)
    names = sorted((c for c in cands if not c.generic), key=lambda c: (c.start, -(c.end - c.start)))
    out: list[Candidate] = []
    inner: list[Candidate] = []
    for c in names:
        if any(o.start <= c.start and c.end <= o.end for o in out):
            inner.append(c)
            continue
        inner.extend(o for o in out if c.start <= o.start and o.end <= c.end)
        out = [o for o in out if not (c.start <= o.start and o.end <= c.end)]
        out.append(c)
    for c in inner:
        outer = next((o for o in out if o.start <= c.start and c.end <= o.end), None)
        # the second road of a pair (元江路-江月路) ends where the pair ends
        paired = outer is not None and any(d in outer.name[: c.start - outer.start] for d in "-—－")
        if outer is not None and c.kind in nested_kinds and not c.weak and (c.end < outer.end or paired):
            c.rule = "nested"
            out.append(c)
    for g in (c for c in cands if c.generic):
        if not any(o.start < g.end and g.start < o.end for o in out):
            out.append(g)
    return sorted(out, key=lambda c: c.start)


def pair_right(text: str, cand: Candidate) -> Candidate | None:
    """The second name of a dash pair (江月路 of 元江路-江月路, 西泄泾 of 东蒸港-西泄泾)."""
    if cand.generic or cand.weak:
        return None
    dash = max(cand.stem.rfind(d) for d in "-—－")
    if dash < 0:
        return None
    start = cand.start + dash + 1
    stem = cand.stem[dash + 1 :]
    if len(stem) < 2 or any(ch in PUNCT for ch in stem):
        return None
    return Candidate(start, cand.end, text[start : cand.end], cand.kind, cand.head, stem, rule="nested")
