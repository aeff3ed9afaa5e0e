"""The outline stage: a plan's task tree (chapter → section → item) with themes.

``build_outline(normalized)`` finds the headings (:mod:`.headings`), builds the
tree with levels, ids and spans (:mod:`.tree`), attaches indicator tables
(:mod:`.tables`), marks non-task sections (:mod:`.tasks`) and gives every node a
theme (:mod:`.themes`).  Extraction then asks ``outline.node_at(offset)`` which
task a mention belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence

from geoplan.records import NormalizedText, Outline, TaskNode
from geoplan.outline.headings import find_headings, iter_paragraphs
from geoplan.outline.render import format_outline, outline_to_dict
from geoplan.outline.tables import find_table_blocks, parse_indicator_rows
from geoplan.outline.tasks import mark_tasks, nontask_category
from geoplan.outline.themes import assign_themes, load_themes
from geoplan.outline.title import find_title, notice_meta
from geoplan.outline.toc import find_tocs
from geoplan.outline.tree import build_tree
from geoplan.outline.vocab import load_outline_vocab

__all__ = [
    "build_outline",
    "build_outline_from_str",
    "format_outline",
    "outline_to_dict",
    "load_themes",
    "nontask_category",
]

def _attach_tables(outline: Outline, blocks) -> None:
    """Indicator rows go to the section around the table (a lead before it is not it)."""
    for block in blocks:
        rows = parse_indicator_rows(block)
        if not rows:
            continue
        node: TaskNode = outline.node_at(block.start)
        while node.style == "lead" and node.parent is not None:
            node = node.parent
        node.tables.extend(rows)


def build_outline_from_str(
    text: str,
    body_start: int = 0,
    junk_spans: Sequence[tuple[int, int]] = (),
) -> Outline:
    """The outline of a plan given as (normalized) text.

    ``body_start`` skips notice headers; ``junk_spans`` (web spam) are never headings.
    """
    vocab = load_outline_vocab()
    blocks = find_table_blocks(text, body_start, junk_spans)
    table_spans = [(b.start, b.end) for b in blocks]
    tocs = find_tocs(list(iter_paragraphs(text, body_start, junk_spans)), vocab)
    skip = [*junk_spans, *((t.start, t.end) for t in tocs)]
    toc = [e for t in tocs for e in t.entries]
    headings = find_headings(text, body_start, skip, vocab, tables=table_spans, toc=toc)
    first = headings[0].start if headings else len(text)
    title = find_title(text, first, skip, vocab)
    outline = build_tree(headings, len(text), body_start, title, table_spans, vocab)
    outline.toc = toc
    outline.meta = notice_meta(text, first, skip, vocab)
    _attach_tables(outline, blocks)
    mark_tasks(outline, vocab)
    assign_themes(outline, text)
    return outline


def build_outline(text: NormalizedText) -> Outline:
    """The outline of a normalized plan (see :mod:`geoplan.normalize`)."""
    return build_outline_from_str(text.text, text.body_start, text.junk_spans)
