"""The plans on a map and each plan's own task tree, for the plan selector.

A build holds several plans whose task ids repeat (every plan has a chapter
"三"), so a task is only meaningful inside its plan: the page offers the
plans by title, and for the chosen plans each one's tree of tasks with their
titles.  A feature belongs to every task it is named in (its first task and
the task mentions), as in :func:`geoplan.output.filter.filter_layers`, so a
task chosen on the page selects the same features as ``--doc … --task …``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from geoplan.map.popup import _text

#: how task titles are joined in ``task_path`` (``四、… > (四)… > 1.…``)
PATH_SEPARATOR = " > "


def plan_id(doc: str) -> str:
    """The short id of a plan: its file stem before the first ``_`` (``001``)."""
    return doc.split("_", 1)[0] if doc else ""


def plan_label(doc: str, title: str = "") -> str:
    """How a plan is named to a planner: its title, or its id when it has none."""
    return title.strip() or plan_id(doc) or doc


def plan_labels(features: pd.DataFrame) -> dict[str, str]:
    """doc → label for every plan in ``features``, in order of first appearance."""
    out: dict[str, str] = {}
    if "doc" not in features.columns:
        return out
    titles = features["doc_title"] if "doc_title" in features.columns else [""] * len(features)
    for doc, title in zip(features["doc"], titles):
        d, t = _text(doc), _text(title)
        if d and (d not in out or (t and out[d] == plan_label(d))):
            out[d] = plan_label(d, t)
    return out


def _offsets(mentions: pd.DataFrame | None) -> dict[tuple[str, str], float]:
    """(doc, task id) → the first offset in the plan's text where a name is mentioned under that task."""
    out: dict[tuple[str, str], float] = {}
    if mentions is None or not len(mentions) or not {"doc", "task_id", "start"} <= set(mentions.columns):
        return out
    for doc, tid, start in zip(mentions["doc"], mentions["task_id"], mentions["start"]):
        try:
            offset = float(start)
        except (TypeError, ValueError):
            continue
        key = (_text(doc), _text(tid))
        if key[1] and offset < out.get(key, math.inf):
            out[key] = offset
    return out


def _task_rows(features: pd.DataFrame, mentions: pd.DataFrame | None) -> list[tuple[str, str, str, str, float]]:
    """(feature id, doc, task id, task path, offset) for every task a feature is named in."""
    offsets = _offsets(mentions)
    rows: list[tuple[str, str, str, str, float]] = []
    if "task_id" in features.columns:
        paths = features["task_path"] if "task_path" in features.columns else [""] * len(features)
        for fid, doc, tid, path in zip(features["id"], features["doc"], features["task_id"], paths):
            if _text(tid):
                rows.append((_text(fid), _text(doc), _text(tid), _text(path), offsets.get((_text(doc), _text(tid)), math.inf)))
    if mentions is not None and len(mentions) and {"feature_id", "task_id", "is_task"} <= set(mentions.columns):
        m = mentions[mentions["is_task"].fillna(False).astype(bool)]
        paths = m["task_path"] if "task_path" in m.columns else [""] * len(m)
        for fid, doc, tid, path in zip(m["feature_id"], m["doc"], m["task_id"], paths):
            if _text(tid):
                rows.append((_text(fid), _text(doc), _text(tid), _text(path), offsets.get((_text(doc), _text(tid)), math.inf)))
    return rows


def task_index(features: pd.DataFrame, mentions: pd.DataFrame | None = None) -> tuple[dict[str, list[str]], list[dict[str, Any]]]:
    """Feature id → its task ids, and the plans with their task trees.

    A plan is ``{"doc", "label", "tasks": [{"id", "title", "depth"}]}``; its
    tasks are every prefix of a task a feature is named in, in the order the
    plan's text reaches them (first mention offset, then first appearance),
    each titled from ``task_path``.
    """
    labels = plan_labels(features)
    by_feature: dict[str, list[str]] = {}
    nodes: dict[str, dict[str, list[Any]]] = {doc: {} for doc in labels}
    for n, (fid, doc, tid, path, offset) in enumerate(_task_rows(features, mentions)):
        ids = by_feature.setdefault(fid, [])
        if tid not in ids:
            ids.append(tid)
        parts = tid.split("/")
        titles = path.split(PATH_SEPARATOR) if path else []
        tree = nodes.setdefault(doc, {})
        for depth in range(len(parts)):
            node = "/".join(parts[: depth + 1])
            title = titles[depth].strip() if depth < len(titles) and len(titles) == len(parts) else ""
            if node not in tree:
                tree[node] = [offset, n, title, depth]
            else:
                entry = tree[node]
                entry[0] = min(entry[0], offset)
                entry[2] = entry[2] or title
    plans = []
    for doc, tree in nodes.items():
        ordered = sorted(tree.items(), key=lambda kv: _tree_key(kv[0], tree))
        plans.append({
            "doc": doc,
            "label": labels.get(doc, plan_label(doc)),
            "tasks": [{"id": tid, "title": e[2] or tid.rsplit("/", 1)[-1], "depth": e[3]} for tid, e in ordered],
        })
    return by_feature, plans


def _tree_key(tid: str, tree: dict[str, list[Any]]) -> list[tuple[float, int]]:
    """Sort key keeping children under their parent: the (offset, order) of each ancestor."""
    parts = tid.split("/")
    key = []
    for depth in range(len(parts)):
        e = tree["/".join(parts[: depth + 1])]
        key.append((e[0], e[1]))
    return key
