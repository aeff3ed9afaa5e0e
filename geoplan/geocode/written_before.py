"""Fallback by the sentence: a zone or project no layer holds, placed at the unit written before it.

Planning prose says where a project is by writing its district or township
first ("支持甲区建设乙科技城", "在丙街道布局丁产业园").  When no layer holds the
project and its own name holds no place, the smallest administrative unit of
the plan's jurisdiction written before it in the same clause, and in the same
item of a list or pair (甲区、乙区, 甲区与乙区, 甲—乙 split it), is where it
lies, at that unit's precision and no finer, stated as a fallback.

Only one unit may be written there (or a chain of nested ones, 甲区丙街道,
where the innermost wins), and no other one earlier in the clause: a clause
naming two districts ("甲区与乙区共建…") does not say which one holds the
project, so nothing is placed.  Natural
features and lines are never placed so: a lake is not a district, and a
railway runs through many.
"""

from __future__ import annotations

import re

from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode import kinds
from geoplan.geocode.index import NameIndex
from geoplan.geocode.placement import in_jurisdiction, is_linear, placement, significant, source_text
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Entity, Location, Mention

#: a clause ends at these marks
_CLAUSE_END = re.compile(r"[，,；;。：:！？!?\n]")
#: the stretch a unit written before a name still speaks for: a clause, and within it one item of
#: a list or of a pair (甲区与乙区, 甲—乙, 甲至乙): "推动天河、黄埔数据产业集聚区" says nothing of 天河
_SCOPE_END = re.compile(r"[，,；;。：:！？!?\n、—–\-~～|｜]|以及|及|与|和|同|至|到|或")
#: units a project may be placed at: county-level and township-level ones
_UNIT_KINDS = ("district", "town", "street")
#: longest quote of the clause kept in the reason
_QUOTE = 30


class WrittenBefore:
    """Places a plan's zone or project at the one unit its clause writes before it."""

    def __init__(self, jurisdiction: Jurisdiction | None, index: NameIndex) -> None:
        self.jurisdiction = jurisdiction
        self._contained = index.contained
        self._longest = index.longest

    def wanted(self, entity: Entity) -> bool:
        """A zone or project: not a natural feature, a line, a station or a unit itself."""
        if self.jurisdiction is None or kinds.natural_name(entity.name) or kinds.line_name(entity.name):
            return False
        return not is_linear(entity.kind) and entity.kind not in ("station", "hub", *_UNIT_KINDS, "city", "province")

    def place(self, entity: Entity) -> Location | None:
        if not self.wanted(entity):
            return None
        found: dict[str, tuple[GazetteerFeature, str]] = {}
        for m in entity.mentions:
            hit = self._unit_before(m)
            if hit is not None:
                found.setdefault(hit[0].id, hit)
        units = _innermost([f for f, _ in found.values()])
        if len(units) != 1:
            return None  # no unit written before it, or mentions that disagree
        f = units[0]
        quote = found[f.id][1]
        precision, radius = placement(f)
        note = f"; {f.point_note}" if f.point_note else ""
        return Location(
            geometry=f.point,
            precision=precision,
            precision_m=radius,
            method="admin-fallback",
            confidence=0.35,
            reason=(
                f"{entity.name!r} is in no gazetteer layer; the plan writes it after {f.name!r} "
                f"(“…{quote}”), so it is placed at that unit, at {precision} precision{note}"
            ),
            source=source_text(f),
            source_crs=f.source_crs,
            gazetteer_id=f.id,
        )

    def _unit_before(self, m: Mention) -> tuple[GazetteerFeature, str] | None:
        """The one unit (or nested chain's innermost) written before the mention in its clause."""
        at = m.sentence.find(m.surface)
        if at <= 0:
            return None
        clause = _CLAUSE_END.split(m.sentence[:at])[-1]
        head = _SCOPE_END.split(clause)[-1]
        units = _innermost(self._units_in(head))
        if len(units) != 1:
            return None
        unit = units[0]
        # another unit anywhere earlier in the clause (甲区与乙区共建…) leaves it open which one
        if any(not _holds(u, unit) for u in self._units_in(clause)):
            return None
        return unit, (head + m.surface)[-_QUOTE:]

    def _units_in(self, text: str) -> list[GazetteerFeature]:
        """Units of the plan's jurisdiction written in full in ``text`` (a county's short form too)."""
        out: dict[str, GazetteerFeature] = {}
        for i in range(len(text)):
            for j in range(i + 2, min(len(text), i + self._longest) + 1):
                sub = text[i:j]
                for f in self._contained.get(sub, ()):
                    if f.origin != "admin" or f.kind not in _UNIT_KINDS or not kinds.whole_at(text, i, j - i):
                        continue
                    if sub != f.name and f.kind != "district":
                        continue  # a township only by its full name: short forms are words too
                    if sub != f.name and kinds.natural_name(text[i : j + 1]):
                        continue  # 玄武 of 玄武湖, 秦淮 of 秦淮河: a water body, not the district
                    if in_jurisdiction(f, self.jurisdiction) and f.admin_code != self.jurisdiction.code:
                        out.setdefault(f.id, f)
        return list(out.values())


def _holds(outer: GazetteerFeature, inner: GazetteerFeature) -> bool:
    """Is ``inner`` the unit ``outer`` or inside it (丙街道 of 甲区)?"""
    if outer.id == inner.id:
        return True
    a, b = outer.admin_code or "", inner.admin_code or ""
    return bool(a and b) and a != b and b.startswith(significant(a))


def _innermost(units: list[GazetteerFeature]) -> list[GazetteerFeature]:
    """Drop units that contain another of the list (甲区 of 甲区丙街道): the finest ones stay."""
    return [u for u in units if not any(o is not u and _holds(u, o) for o in units)]
