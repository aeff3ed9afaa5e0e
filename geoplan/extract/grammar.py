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
from geoplan.extract.shapes import NUMERALS, category_phrase, generic_only
from geoplan.extract.vocab import ExtractVocab

_MAX_ITEM = 8
#: a head this long is shared by the list before it even with no generic words (遗址公园)
_SHARED_HEAD = 4
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
        elif cand.stem and j > sent_start and text[j - 1] == "与":
            return _joined_by_yu(text, cand, vocab, sent_start, accept)
        elif not cand.stem or not (j > sent_start and text[j - 1] == "等"):
            # a bare head (地区, 中心) after 等 is too vague to share; after 和/与 the
            # generic words belong to the last item (智能制造与装备创新港 is one name)
            return []
        items = _items_before(text, sent_start, j - 1, vocab, min_items=2 if count is not None else 1)
    else:
        tail = _generic_tail(cand.stem, vocab)
        # a compound head (遗址公园, 湿地公园) is shared like a generic tail: 官窑山、薛城遗址公园
        if (len(tail) < 2 and len(cand.head) < _SHARED_HEAD) or cand.start <= sent_start or text[cand.start - 1] != "、":
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
        if item in vocab.not_places or category_phrase(item, vocab.head_kind, vocab.generic):
            continue  # 零碳机场、火车站、港口等零碳枢纽: kinds of places, not names
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


def _joined_by_yu(
    text: str, cand: Candidate, vocab: ExtractVocab, sent_start: int, accept: Callable[[str], bool] | None
) -> list[Candidate]:
    """One name joined by 与: 长三角智能制造与装备创新港, where 装备创新港 alone is generic.

    The part before 与 must hold a proper name and no head of its own (A园区与B
    研究院 are two names; 教育与医疗中心 holds none).
    """
    items = _items_before(text, sent_start, cand.start - 1, vocab, min_items=1)
    if not items:
        return []
    start, item = items[-1]
    if any(item.endswith(h) for h in vocab.head_kind if len(h) >= 2) or (accept is not None and not accept(item)):
        return []
    name = text[start : cand.end]
    return [Candidate(start, cand.end, name, cand.kind, cand.head, name[: len(name) - len(cand.head)], rule="head")]


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


def listed_before_category(
    text: str,
    start: int,
    end: int,
    vocab: ExtractVocab,
    head_ends: set[int],
    item_is_name: Callable[[str], bool],
) -> list[Candidate]:
    """Bare names listed before 等 and a category of places: "A、B、C等历史文化街区".

    Plans list the places they mean by their short names and say after 等 what
    kind of places they are (江浦、大厂、桥北等老城片区; 颐和路、百子亭、评事街等
    历史文化街区).  Every item is then a name of that kind, provided the list is a
    list of names: two items or more, each one a name by itself (``item_is_name``),
    so "教育、医疗等重点片区" names nothing.  ``head_ends``: offsets where a word
    of the sentence ends (a head must end one).  Items keep their own spelling;
    an item with a head of its own keeps that head's kind.
    """
    out: list[Candidate] = []
    k = text.find("等", start, end)
    while k >= 0:
        found = _category_after(text, k + 1, end, vocab, head_ends)
        if found is not None:
            head, kind, category = found
            items = _items_before(text, start, k, vocab, min_items=2)
            if items and all(item_is_name(item) for _, item in items):
                for s, item in items:
                    own = next((h for h in vocab.heads_longest_first if item.endswith(h)), None)
                    if own is not None and vocab.head_kind[own] in vocab.no_discovery_kinds:
                        continue
                    if own is not None:  # 研创园, 浦口火车站: a name as it stands
                        name, item_kind, stem = item, vocab.head_kind[own], item[: len(item) - len(own)]
                    else:  # 百子亭 + 历史文化街区, 中德 + 国际合作园区
                        name, item_kind, stem = item + category, kind, item
                    out.append(Candidate(s, s + len(item), name, item_kind, own or head, stem, rule="list-category",
                                         surface_span=(s, s + len(item))))
        k = text.find("等", k + 1, end)
    return out


#: how far after 等 the category's head may end (等重点片区, 等历史文化街区和地段)
_CATEGORY_REACH = 8


def _category_after(
    text: str, i: int, end: int, vocab: ExtractVocab, head_ends: set[int]
) -> tuple[str, str, str] | None:
    """The first head word of a listing kind within reach after 等: head, kind and the
    category as written without the planning words opening it (等重点片区 → 片区)."""
    for j in range(i, min(end, i + _CATEGORY_REACH)):
        if not _item_char(text[j]) or text[j] in "-—":
            return None
        for head in vocab.heads_longest_first:
            kind = vocab.head_kind[head]
            if kind in vocab.list_kinds and text.startswith(head, j) and j + len(head) in head_ends:
                words = text[_trim_leading(text, i, j, vocab) : j]
                if any(ch in vocab.stop_chars or ch in NUMERALS for ch in words):
                    words = ""  # 等五大产业基地, 等…和园区: only the head describes the items
                return head, kind, words + head
    return None
