"""Mark the sections that are not tasks.

A plan reviews the last period (发展成就, 现实基础), states its guiding ideas and
targets (指导思想, 主要目标), and closes with safeguards (保障措施) and appendices
(名词解释).  Places named there are context, not planned work, so a map of tasks
should be able to leave them out.  The title patterns are data
(``[nontask]`` in ``layers/vocab/outline.toml``); the status is inherited by
every descendant, and a section all of whose sub-sections are non-tasks (a
chapter that only holds 现实基础 and 新趋势) is itself one.
"""

from __future__ import annotations

from geoplan.records import Outline, TaskNode
from geoplan.outline.vocab import OutlineVocab, load_outline_vocab


def nontask_category(title: str, vocab: OutlineVocab | None = None) -> str | None:
    """The non-task category a title falls in (background, guiding, …), or None."""
    vocab = vocab or load_outline_vocab()
    for category, patterns in vocab.nontask.items():
        if any(p.search(title) for p in patterns):
            return category
    return None


def mark_tasks(outline: Outline, vocab: OutlineVocab | None = None) -> dict[str, str]:
    """Set ``is_task`` on every node; return ``{node id: category}`` of the non-tasks.

    A node that inherits its status gets its ancestor's category.
    """
    vocab = vocab or load_outline_vocab()
    categories: dict[str, str] = {}

    def walk(node: TaskNode, inherited: str | None) -> None:
        own = inherited or nontask_category(node.title, vocab)
        node.is_task = own is None
        if own is not None:
            categories[node.id] = own
        for child in node.children:
            walk(child, own)

    for top in outline.root.children:
        walk(top, None)

    # bottom-up: a section whose sub-sections are all non-tasks is one too
    for node in reversed(outline.nodes):
        if node.is_task and node.children and not any(c.is_task for c in node.children):
            kinds = {categories.get(c.id) for c in node.children}
            node.is_task = False
            categories[node.id] = kinds.pop() if len(kinds) == 1 else "context"
    return categories
