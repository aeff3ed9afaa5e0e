"""Show an outline: an indented text tree for the terminal, a dict for JSON.

The CLI (``geoplan outline``) prints these so a planner can check, before any
map is drawn, that geoplan read the plan's structure the way they would.
"""

from __future__ import annotations

from typing import Any

from geoplan.records import IndicatorRow, Outline, TaskNode


def _flags(node: TaskNode) -> str:
    parts = [f"{node.theme}·{node.theme_source or '-'}"]
    if not node.is_task:
        parts.append("non-task")
    if node.tables:
        parts.append(f"{len(node.tables)} indicator rows")
    return "[" + ", ".join(parts) + "]"


def format_outline(outline: Outline, *, indent: str = "  ") -> str:
    """Indented tree: one line per node with id, title, theme(source), task flag, table rows."""
    lines = [outline.title or "(untitled plan)"]
    if outline.root.tables:
        lines.append(f"{indent}[{len(outline.root.tables)} indicator rows]")

    def walk(node: TaskNode, depth: int) -> None:
        lines.append(f"{indent * depth}{node.id}  {node.title}  {_flags(node)}")
        for child in node.children:
            walk(child, depth + 1)

    for top in outline.root.children:
        walk(top, 1)
    return "\n".join(lines)


def _row_dict(row: IndicatorRow) -> dict[str, Any]:
    return {
        "indicator": row.indicator,
        "unit": row.unit,
        "nature": row.nature,
        "target": row.target,
        "cells": list(row.cells),
    }


def node_to_dict(node: TaskNode) -> dict[str, Any]:
    """A node without its parent/children objects (ids instead), JSON-ready."""
    return {
        "id": node.id,
        "level": node.level,
        "style": node.style,
        "number": node.number,
        "title": node.title,
        "path": list(node.path),
        "span": list(node.span),
        "parent": node.parent.id if node.parent is not None else None,
        "children": [c.id for c in node.children],
        "is_task": node.is_task,
        "theme": node.theme,
        "theme_source": node.theme_source,
        "tables": [_row_dict(r) for r in node.tables],
    }


def outline_to_dict(outline: Outline) -> dict[str, Any]:
    """The outline as plain data: title, notice metadata, 目录 entries, root, and the nodes in document order."""
    return {
        "title": outline.title,
        "meta": dict(outline.meta),
        "toc": list(outline.toc),
        "root": node_to_dict(outline.root),
        "nodes": [node_to_dict(n) for n in outline.nodes],
    }
