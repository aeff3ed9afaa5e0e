"""Short forms read through the plan's own fuller mentions: 北站 → 南京北站, 新材料科技园 → 江北新材料科技园.

A plan names a place in full once (南京北站, 江北新材料科技园) and later by the
part that tells it apart in context (北站, 新材料科技园).  Alone, such a part
has no proper name in it and is set aside as a category; but when the same plan
names exactly one place whose name ends in it, the part is that place.  The
rule reads nothing but the plan itself, so it holds for any plan: a part two of
the plan's names end in (新城 of 禄口新城 and 柘塘新城) stays unresolved.

Why a module: it runs once per plan, after every sentence was read, over what
the sentences found and what they set aside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from geoplan.extract.candidates import Found
from geoplan.extract.shapes import category_phrase
from geoplan.extract.vocab import ExtractVocab

#: rules of names a list made from an item and a shared head, not written out by the plan
_MADE_BY_LISTS = frozenset({"coordination", "list-category"})

#: rules of set-aside spans whose text may be a short form of a name the plan writes in full
RESOLVABLE_RULES = frozenset({"category", "no-proper-part", "weak-alone"})


@dataclass(frozen=True)
class ShortForm:
    start: int
    end: int
    surface: str
    name: str  # the plan's fuller name it stands for


def fuller_name(short: str, names: Iterable[str]) -> str | None:
    """The one name of ``names`` that ends in ``short`` and is longer, or ``None``.

    Names nested in one another count once (江北新区 and 南京江北新区 are one
    place for 新区): the shortest of a chain is the answer.
    """
    longer = {n for n in names if n and len(n) > len(short) and n.endswith(short)}
    minimal = [n for n in longer if not any(m != n and n.endswith(m) for m in longer)]
    return minimal[0] if len(minimal) == 1 else None


#: a generic stem with its head this long may be a short form (临空经济示范区); shorter ones
#: (生态廊道, 交通枢纽) are kinds of places more often than one place
MIN_GENERIC_FORM = 5


def can_be_short_form(surface: str, vocab: ExtractVocab, listed: bool, everyday: Callable[[str], bool] = lambda w: False) -> bool:
    """Whether a span set aside may stand for a fuller name.

    Never a generic word, a phrase listed as no place or a weak head (中心, 片区:
    too vague to point at one place).  A head word alone (北站, 新区) only as an
    item of a list beside a kept name, and never an everyday word (博物馆, 公路: ``everyday``); a
    generic stem with its head (新材料科技园, 临空经济示范区) anywhere, when
    ``MIN_GENERIC_FORM`` characters or more (海港 of 上海港 is cut out of a name,
    生态廊道 is a kind of place).
    """
    if len(surface) < 2 or surface in vocab.generic or surface in vocab.not_places or surface in vocab.weak_heads:
        return False
    if surface in vocab.head_kind:
        return listed and not everyday(surface)
    head = next((h for h in vocab.heads_longest_first if surface.endswith(h)), "")
    # …中心, …基地, …枢纽: a plan sets goals in these words (国际消费中心) as often as it names one
    return len(surface) >= MIN_GENERIC_FORM and head not in vocab.weak_heads and head not in vocab.generic


def _proper_head(head: str, vocab: ExtractVocab) -> bool:
    """A head word of four characters or more that is not generic words plus a shorter head."""
    if len(head) < 4:
        return False
    shorter = [h for h in vocab.heads_longest_first if len(h) < len(head) and head.endswith(h)]
    return not category_phrase(head, shorter, vocab.generic)


def short_forms(
    text: str,
    set_aside: Iterable[tuple[int, int, str]],
    found: Iterable[tuple[int, int, str]],
    vocab: ExtractVocab,
    everyday: Callable[[str], bool] = lambda w: False,
) -> list[ShortForm]:
    """Spans set aside ``(start, end, rule)`` that stand for one of the plan's found names.

    ``found``: ``(start, end, name)`` of every mention kept.  A span overlapping
    a kept mention is part of it and is left alone; of overlapping spans the
    longest resolvable one wins.
    """
    found = list(found)
    by_suffix: dict[str, set[str]] = {}
    for n in {n for _, _, n in found}:
        # every proper suffix of every name, once: a lookup per span instead of a scan of the names
        for k in range(1, len(n) - 1):
            by_suffix.setdefault(n[k:], set()).add(n)
    taken = sorted((a, b) for a, b, _ in found)
    starts, ends = {a for a, _ in taken}, {b for _, b in taken}
    seps = vocab.list_separators
    out: list[ShortForm] = []
    for a, b, rule in sorted(set_aside, key=lambda x: (x[0], -(x[1] - x[0]))):
        if rule not in RESOLVABLE_RULES:
            continue
        if any(x < b and a < y for x, y in taken):
            continue
        surface = text[a:b]
        if _proper_head(surface, vocab):
            # 中央商务区, 奥体中心: a long head with a proper part of its own, in any list
            listed = (a > 0 and text[a - 1] in seps) or (b < len(text) and text[b] in seps)
        else:
            # beside a kept name (药谷、北站): 高铁、城际、地铁 is a list of kinds
            listed = (a > 0 and text[a - 1] in seps and a - 1 in ends) or (b < len(text) and text[b] in seps and b + 1 in starts)
        if not can_be_short_form(surface, vocab, listed, everyday):
            continue
        name = fuller_name(surface, by_suffix.get(surface, ()))
        if name is None:
            continue
        out.append(ShortForm(a, b, surface, name))
        taken.append((a, b))
    return out


def recurring_stems(text: str, set_aside: Iterable[tuple[int, int, str]], vocab: ExtractVocab) -> list[tuple[int, int, str]]:
    """Weak names whose stem the plan puts before two different heads: ``(start, end, head)``.

    铜井 is a word no dictionary knows, and alone it proves nothing; a plan that
    writes 铜井老镇区 and 铜井生活中心 uses it as a name.  Spans set aside as
    ``weak-alone`` are grouped by their first two characters (the unknown word
    opening them); a group seen with two heads or more makes every one of them a
    name.
    """
    by_stem: dict[str, list[tuple[int, int, str]]] = {}
    for a, b, rule in set_aside:
        if rule != "weak-alone":
            continue
        name = text[a:b]
        head = next((h for h in vocab.heads_longest_first if name.endswith(h) and len(h) < len(name)), None)
        if head is None or len(name) - len(head) < 2 or name[:2] in vocab.generic:
            continue  # 跨境电商…, 跨境资管…: a planning word opening two names proves nothing
        by_stem.setdefault(name[:2], []).append((a, b, head))
    out = []
    for spans in by_stem.values():
        if len({h for _, _, h in spans}) >= 2:
            out.extend(spans)
    return out


def read_short_forms(
    text: str,
    found: list[Found],
    dropped: list[tuple[int, int, str, str]],
    vocab: ExtractVocab,
    ids_of: Callable[[str], tuple[str, ...]],
    everyday: Callable[[str], bool] = lambda w: False,
) -> tuple[list[Found], list[tuple[int, int, str, str]]]:
    """The plan's found spans with the short forms its own mentions explain, and what stays set aside.

    A bare head a list made a name (北站 of 研创园、北站、药谷等重点片区) and a
    span set aside as a category become the one found name ending in them,
    grouped with it (:func:`short_forms`); weak names whose stem the plan puts
    before two heads are kept (:func:`recurring_stems`).  ``dropped``: the
    ``(start, end, rule, candidate)`` set aside; ``ids_of``: gazetteer ids of a name;
    ``everyday``: whether a word is an everyday word (博物馆), never a short form.
    """
    first: dict[str, Found] = {}
    for f in found:
        first.setdefault(f.name, f)
    conf = vocab.confidence_of("fuller-form")

    def as_fuller(a: int, b: int, name: str) -> Found:
        full = first[name]
        return Found(a, b, text[a:b], name, full.kind, full.origin, full.ids, "fuller-form", conf)

    out = []
    for f in found:
        if f.rule in ("list-category", "listed-head") and f.name in vocab.head_kind and not everyday(f.name):
            name = fuller_name(f.name, (n for n, g in first.items() if n != f.name and g.rule not in _MADE_BY_LISTS))
            if name is not None:
                f = as_fuller(f.start, f.end, name)
        out.append(f)
    aside = [(a, b, r) for a, b, r, _ in dropped]
    # a name made by a list (龙虎巷 + 历史风貌区) is no fuller mention: the plan never wrote it so
    written = [(f.start, f.end, "" if f.rule in _MADE_BY_LISTS else f.name) for f in out]
    forms = short_forms(text, aside, written, vocab, everyday)
    recurring = recurring_stems(text, aside, vocab)
    if not forms and not recurring:
        return out, dropped
    out.extend(as_fuller(sf.start, sf.end, sf.name) for sf in forms)
    weak = vocab.confidence_of("recurring-stem")
    for a, b, head in recurring:
        name = text[a:b]
        out.append(Found(a, b, name, name, vocab.head_kind[head], "discovery", ids_of(name), "recurring-stem", weak))
    out.sort(key=lambda f: (f.start, -f.end))
    spans = [(sf.start, sf.end) for sf in forms] + [(a, b) for a, b, _ in recurring]
    # a span read as a short form is no longer set aside (nor what lies inside it)
    kept = [d for d in dropped if not any(x <= d[0] and d[1] <= y for x, y in spans)]
    return out, kept
