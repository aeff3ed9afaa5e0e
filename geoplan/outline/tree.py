"""Turn a flat list of headings into the task tree.

Levels follow the heading styles a plan actually uses, in the canonical order
第X章 > 一、 > (一) > 1. > 专栏/lead (so a plan without chapters starts at 一、),
the way an outline tool assigns levels from the numbering style rather than from
indentation, which text extraction loses.  A heading's parent is the nearest
earlier heading of a higher level; its span runs to the next heading of the same
or a higher level.  Two refinements keep body text on the right node: a run-in
lead ends where an indicator table starts (the table belongs to the section, not
to the last lead before it), and a flattened 专栏 box ends with its own paragraph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from geoplan.records import Outline, TaskNode
from geoplan.outline.headings import Heading
from geoplan.outline.vocab import OutlineVocab, load_outline_vocab


def style_levels(
    styles_present: Sequence[str],
    vocab: OutlineVocab | None = None,
    depths: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Level (1 = top) of each style the plan uses.

    Styles are ranked by the canonical order; styles listed together in
    ``same_level`` (box and lead) share one level.  A style missing from the
    canonical order is placed after the styles seen before its first appearance.

    Unnumbered Markdown headings (``md2`` for ``## 总体要求``) are placed by their
    ``#`` depth: ``depths`` gives the depth at which each numbered style was
    written (``## 第一章`` → chapter: 2).  An ``md`` style shares the level of the
    numbered style written at its depth, else sits above the first numbered style
    written deeper, else below the last written shallower, else (no numbered
    heading carries ``#``) above every numbered style: Markdown marks structure.
    """
    vocab = vocab or load_outline_vocab()
    depths = depths or {}
    present = list(dict.fromkeys(styles_present))
    md = sorted((s for s in present if _md_depth(s)), key=_md_depth)
    order = [s for s in vocab.style_order if s in present]
    for style in present:  # unknown styles: by first appearance
        if style not in order and not _md_depth(style):
            order.append(style)
    groups = [set(g) for g in vocab.same_level]
    written = {s: d for s, d in depths.items() if s in order}
    top = 0  # where the next md style without a numbered reference goes
    for style in md:
        d = _md_depth(style)
        twin = next((s for s in order if written.get(s) == d), None)
        if twin is not None:
            group = next((g for g in groups if twin in g), None)
            if group is None:
                groups.append({twin, style})
            else:
                group.add(style)
            continue
        deeper = [k for k, s in enumerate(order) if written.get(s, 0) > d]
        shallower = [k for k, s in enumerate(order) if 0 < written.get(s, 99) < d or (_md_depth(s) or 99) < d]
        if deeper:
            at = deeper[0]
        elif shallower:
            at = shallower[-1] + 1
        else:
            at = top
            top += 1
        order.insert(at, style)
    levels: dict[str, int] = {}
    level = 0
    for style in order:
        if style in levels:
            continue
        level += 1
        group = next((g for g in groups if style in g), {style})
        for s in group:
            if s in present:
                levels[s] = level
    return levels


def _md_depth(style: str) -> int:
    """The ``#`` depth of an unnumbered Markdown heading style (``md2`` → 2), else 0."""
    return int(style[2:]) if style.startswith("md") and style[2:].isdigit() else 0


def written_depths(headings: Sequence[Heading]) -> dict[str, int]:
    """The ``#`` depth each numbered style is most often written at (styles never written with ``#`` are left out)."""
    seen: dict[str, Counter] = {}
    for h in headings:
        if h.depth and not _md_depth(h.style):
            seen.setdefault(h.style, Counter())[h.depth] += 1
    return {s: c.most_common(1)[0][0] for s, c in seen.items()}


def _unique(node_id: str, taken: set[str]) -> str:
    if node_id not in taken:
        return node_id
    k = 2
    while f"{node_id}~{k}" in taken:
        k += 1
    return f"{node_id}~{k}"


def build_tree(
    headings: Sequence[Heading],
    text_len: int,
    body_start: int = 0,
    title: str = "",
    table_spans: Sequence[tuple[int, int]] = (),
    vocab: OutlineVocab | None = None,
) -> Outline:
    """Nodes with ids, levels, parents, paths and spans from the headings of one plan."""
    vocab = vocab or load_outline_vocab()
    levels = style_levels([h.style for h in headings], vocab, written_depths(headings))
    root = TaskNode(id="", level=0, title=title, span=(body_start, text_len), style="root", path=())
    nodes: list[TaskNode] = []
    stack: list[TaskNode] = [root]
    taken: set[str] = set()
    lead_counts: dict[tuple[int, str], int] = {}
    for h in headings:
        level = levels[h.style]
        while stack[-1].level >= level:
            stack.pop()
        parent = stack[-1]
        if h.style == "lead" or not h.number:
            # run-in leads (L1, L2 …) and unnumbered Markdown headings (H1, H2 …) by their rank under the parent
            tag = "L" if h.style == "lead" else "H"
            lead_counts[(id(parent), tag)] = lead_counts.get((id(parent), tag), 0) + 1
            number = f"{tag}{lead_counts[(id(parent), tag)]}"
        else:
            number = h.number
        node_id = _unique(f"{parent.id}/{number}" if parent.id else number, taken)
        taken.add(node_id)
        node = TaskNode(
            id=node_id,
            level=level,
            title=h.title,
            span=(h.start, text_len),
            style=h.style,
            number=number,
            path=parent.path + (h.title,),
            parent=parent,
            lists=h.lists,
        )
        parent.children.append(node)
        nodes.append(node)
        stack.append(node)
    _set_span_ends(nodes, headings, text_len, table_spans)
    return Outline(root=root, nodes=nodes, title=title)


def _set_span_ends(
    nodes: list[TaskNode],
    headings: Sequence[Heading],
    text_len: int,
    table_spans: Sequence[tuple[int, int]],
) -> None:
    # walk backwards keeping, per level, the start of the nearest later heading at
    # that level or above
    next_start_at_or_above: dict[int, int] = {}
    for node, h in zip(reversed(nodes), reversed(headings)):
        candidates = [s for lvl, s in next_start_at_or_above.items() if lvl <= node.level]
        end = min(candidates, default=text_len)
        if node.style == "lead":
            end = min([end] + [a for a, _ in table_spans if node.span[0] < a < end])
        elif node.style == "box" and h.has_body:
            end = min(end, h.para_end)
        if h.end is not None:
            end = min(end, h.end)
        node.span = (node.span[0], end)
        next_start_at_or_above[node.level] = node.span[0]
        for lvl in list(next_start_at_or_above):
            if lvl > node.level:
                del next_start_at_or_above[lvl]
