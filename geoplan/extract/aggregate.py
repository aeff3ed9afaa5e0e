"""Mentions of one entity in one plan, grouped.

One entity is one canonical name per plan: a gazetteer alias (朱家角) counts for
the feature's name (朱家角镇) because extraction already wrote the canonical
name into ``Mention.name``.
"""

from __future__ import annotations

from collections import Counter

from geoplan.records import Entity, Mention


def aggregate(mentions: list[Mention]) -> list[Entity]:
    """Group by ``(doc, name)`` in order of first appearance."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions:
        groups.setdefault((m.doc, m.name), []).append(m)
    out = []
    for (doc, name), ms in groups.items():
        # the gazetteer's kind when it has one, else the most frequent head kind
        kinds = Counter(m.kind for m in ms if m.origin == "gazetteer") or Counter(m.kind for m in ms)
        out.append(Entity(name=name, kind=kinds.most_common(1)[0][0], doc=doc, mentions=ms))
    return out
