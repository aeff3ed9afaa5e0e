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

from collections.abc import Sequence

from geoplan.records import Outline, TaskNode
from geoplan.outline.headings import Heading
from geoplan.outline.vocab import OutlineVocab, load_outline_vocab


def style_levels(styles_present: Sequence[str], vocab: OutlineVocab | None = None) -> dict[str, int]:
    """Level (1 = top) of each style the plan uses.

    Styles are ranked by the canonical order; styles listed together in
    ``same_level`` (box and lead) share one level.  A style missing from the
    canonical order is placed after the styles seen before its first appearance.
    """
    vocab = vocab or load_outline_vocab()
    order = list(vocab.style_order)
    for style in styles_present:  # unknown styles: by first appearance
        if style not in order:
            order.append(style)
    present = set(styles_present)
    levels: dict[str, int] = {}
    level = 0
    for style in order:
        if style not in present or style in levels:
            continue
        level += 1
        group = next((g for g in vocab.same_level if style in g), frozenset({style}))
        for s in group:
            if s in present:
                levels[s] = level
    return levels


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
    levels = style_levels([h.style for h in headings], vocab)
    root = TaskNode(id="", level=0, title=title, span=(body_start, text_len), style="root", path=())
    nodes: list[TaskNode] = []
    stack: list[TaskNode] = [root]
    taken: set[str] = set()
    lead_counts: dict[int, int] = {}
    for h in headings:
        level = levels[h.style]
        while stack[-1].level >= level:
            stack.pop()
        parent = stack[-1]
        if h.style == "lead":
            lead_counts[id(parent)] = lead_counts.get(id(parent), 0) + 1
            number = f"L{lead_counts[id(parent)]}"
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
