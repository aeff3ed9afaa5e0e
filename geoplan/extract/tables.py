"""Table columns: a cell beside cells that are names of one head is a name too.

Plans set their areas out in tables (专栏): a first column of 禄口新城, 柘塘新城,
…, 滨江新城, each row a cell, a space and the text.  A cell whose stem is a
generic word (滨江, 江南) is set aside as a category in prose; in a column where
the other cells are names with the same head word it is one more of them.

Why a module: it reads lines, not sentences, and runs once per plan over what
the sentences found.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from geoplan.extract.candidates import Found
from geoplan.extract.vocab import ExtractVocab

#: a row's first cell: a short run of characters at a line's start, then a space and more text
_CELL = re.compile(r"(?m)^([^\s，。；、：:,.()（）]{2,12}) (?=\S)")
#: cells that must be names with one head before the column vouches for the others
MIN_NAMED_CELLS = 3


def column_names(
    text: str, start: int, found: Iterable[tuple[int, int]], vocab: ExtractVocab
) -> list[tuple[int, int, str]]:
    """Cells ``(start, end, head)`` of ``text[start:]`` that a column of names vouches for.

    ``found``: spans of the mentions kept.  A column is a run of consecutive
    lines opening with a cell; when ``MIN_NAMED_CELLS`` of its cells are kept
    names ending in one head, every other cell ending in that head (and not a
    bare head) is returned.
    """
    kept = set(found)
    runs: list[list[tuple[int, int]]] = []
    last_line_end = -2
    for m in _CELL.finditer(text, start):
        a, b = m.span(1)
        if a == last_line_end + 1 and runs:
            runs[-1].append((a, b))
        else:
            runs.append([(a, b)])
        last_line_end = text.find("\n", b)
        if last_line_end < 0:
            last_line_end = len(text)
    out = []
    for cells in runs:
        if len(cells) < MIN_NAMED_CELLS + 1:
            continue
        heads = Counter(_head(text[a:b], vocab) for a, b in cells if (a, b) in kept)
        heads.pop(None, None)
        if not heads:
            continue
        head, n = heads.most_common(1)[0]
        if n < MIN_NAMED_CELLS:
            continue
        for a, b in cells:
            cell = text[a:b]
            if (a, b) not in kept and cell != head and _head(cell, vocab) == head and cell not in vocab.not_places:
                out.append((a, b, head))
    return out


def _head(name: str, vocab: ExtractVocab) -> str | None:
    return next((h for h in vocab.heads_longest_first if name.endswith(h)), None)


def with_table_columns(
    text: str, start: int, found: list[Found], vocab: ExtractVocab, ids_of: Callable[[str], tuple[str, ...]]
) -> list[Found]:
    """``found`` with the cells a column of names vouches for (滨江新城 among 禄口新城, 柘塘新城 …)."""
    cells = column_names(text, start, [(f.start, f.end) for f in found], vocab)
    if not cells:
        return found
    conf = vocab.confidence_of("table-column")
    for a, b, head in cells:
        name = text[a:b]
        found.append(Found(a, b, name, name, vocab.head_kind[head], "discovery", ids_of(name), "table-column", conf))
    found.sort(key=lambda f: (f.start, -f.end))
    return found
