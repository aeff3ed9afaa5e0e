"""Planning grammar around discovered names: lists that share a head.

Plans list several names under one head word:

- ``迎祥、后塘文化创意产业园``: the last item carries a generic tail and the head
  (文化创意 + 产业园); every earlier item without a head of its own gets them
  (迎祥 → 迎祥文化创意产业园);
- ``G50、拦路港、大蒸港-圆泄泾等生态廊道``: a generic head phrase after 等 (or 和/及)
  belongs to every item (拦路港 → 拦路港生态廊道; the dash pair stays one item).

Each new candidate keeps the item as its surface, so its span points at what the
plan wrote.  Items that already end in the same head (水乡客厅公园、城镇公园) are
names of their own and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from geoplan.extract.candidates import Candidate
from geoplan.extract.shapes import generic_only
from geoplan.extract.vocab import ExtractVocab

_MAX_ITEM = 8
_LIST_END = ("等", "和", "及", "与")
_COUNT_BEFORE = re.compile(r"(?:\d+|[一二三四五六七八九十两]+)[个座条处]")


def coordinated(
    text: str,
    cand: Candidate,
    vocab: ExtractVocab,
    sent_start: int,
    accept: Callable[[str], bool] | None = None,
) -> list[Candidate]:
    """Names listed before ``cand`` that share its head (see module doc).

    ``accept`` says whether a list item can be a name on its own (a proper part,
    no measure): "积极参与…" must not make 参 an item of a list ending in 与.
    """
    head_text = cand.name[len(cand.stem) :] if cand.name.endswith(cand.name[len(cand.stem) :]) else cand.head
    if cand.generic:
        shared = text[cand.start : cand.end]  # 生态廊道
        j = cand.start
        # "…等重点生态廊道": a modifier between the list and its head is skipped
        for k in range(j - 1, max(sent_start, j - 5), -1):
            if text[k] in _LIST_END and (text[k + 1 : j] in vocab.breakers or text[k + 1 : j] in vocab.generic):
                j = k + 1
                break
        # only "A、B等生态廊道" shares a head; "水乡客厅公园、城镇公园" is a list of names
        count = _COUNT_BEFORE.search(text, max(sent_start, j - 6), j)
        if count is not None and count.end() == j and count.start() > sent_start and text[count.start() - 1] not in "、，,":
            # "A、B2个通用机场": the count closes the list
            j = count.start() + 1
        elif not cand.stem or not (j > sent_start and text[j - 1] in _LIST_END):
            # a bare head (地区, 中心) after 等 or 和 is too vague to share
            return []
        items = _items_before(text, sent_start, j - 1, vocab, min_items=2 if count is not None else 1)
    else:
        tail = _generic_tail(cand.stem, vocab)
        if len(tail) < 2 or cand.start <= sent_start or text[cand.start - 1] != "、":
            return []
        shared = tail + head_text
        items = _items_before(text, sent_start, cand.start - 1, vocab, min_items=1)
    out: list[Candidate] = []
    for start, item in items:
        if any(item.endswith(h) for h in (cand.head, head_text)):
            continue
        if not cand.generic and any(item.endswith(h) for h in vocab.head_kind if len(h) >= 2):
            # 吴淞创新城、上海湾区…开发区: an item with a head of its own is a name already
            continue
        if accept is not None and not accept(item):
            continue
        out.append(
            Candidate(
                start=start,
                end=start + len(item),
                name=item + shared,
                kind=cand.kind,
                head=cand.head,
                stem=item + shared[: len(shared) - len(head_text)] if not cand.generic else item,
                rule="coordination",
                surface_span=(start, start + len(item)),
            )
        )
    return out


def _items_before(text: str, lo: int, end: int, vocab: ExtractVocab, min_items: int) -> list[tuple[int, str]]:
    """The 、-separated items ending at ``end`` (exclusive), nearest last."""
    items: list[tuple[int, str]] = []
    j = end
    while j > lo:
        i = j
        while i > lo and text[i - 1] != "、" and _item_char(text[i - 1]) and j - i < _MAX_ITEM + 6:
            i -= 1
        item_start = _trim_leading(text, i, j, vocab)
        item = text[item_start:j]
        if not item or len(item) > _MAX_ITEM or generic_only(item, vocab.generic):
            break
        if any(ch in vocab.stop_chars for ch in item):
            break
        items.append((item_start, item))
        if item_start != i or i <= lo or text[i - 1] != "、":
            break
        j = i - 1
    items.reverse()
    return items if len(items) >= min_items else []


def _item_char(ch: str) -> bool:
    return bool(re.match(r"[\u4e00-\u9fffA-Za-z0-9\-—]", ch))


def _trim_leading(text: str, i: int, j: int, vocab: ExtractVocab) -> int:
    """Skip planning verbs that open the first item (推进迎祥 → 迎祥)."""
    best = i
    for k in range(i, j):
        for b in vocab.breakers:
            if len(b) >= 2 and text.startswith(b, k) and k + len(b) <= j:
                best = max(best, k + len(b))
    if best == i and j - i > 2 and text[i] in vocab.breakers:
        best = i + 1  # "指A与B…", "含A、B": a verb of one character opening the list
    return best


def _generic_tail(stem: str, vocab: ExtractVocab) -> str:
    """The longest generic suffix of ``stem`` (文化创意 of 后塘文化创意)."""
    for i in range(1, len(stem)):
        if generic_only(stem[i:], vocab.generic):
            return stem[i:]
    return ""
