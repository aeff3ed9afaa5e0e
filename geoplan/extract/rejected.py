"""What extraction read and set aside, and by which rule: the ``not_a_place`` report.

Why a record of its own: a planner who misses a name on the map needs to see
that geoplan saw it and why it was not taken as a place (文化惠民 holds 惠民县
only as two characters of a phrase; 开发区 is a category, not a place).  The
rules are named by short ids, explained once in :data:`RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: rule id → the reason a planner reads
RULES: dict[str, str] = {
    "common-word": "a short form that is also an everyday word (资源 for 资源县)",
    "not-a-word": "a gazetteer name read across word boundaries: two characters of a phrase",
    "generic-word": "a planning word that is also a place name (城区, 新区)",
    "slogan": "part of a policy slogan (金山银山)",
    "inside-longer-name": "a short place name inside a longer name is not that place (红山 in 红山森林动物园)",
    "away-without-its-city": "a county or township of another province whose city the plan never names",
    "far-city-alone": "the short form of a city far from the plan's area, standing in no list of places (新乡 in 新乡贤)",
    "category": "a generic category or concept, not one place (开发区, 城中村, 生态廊道)",
    "not-a-place": "a phrase listed as never a place (服务中心, 都市圈)",
    "actor": "an organisation acting in the plan (大学, 集团, 委员会)",
    "designation": "a title a known place holds, not a second place",
    "measure": "a count or a measure, not a name (65公里, 500强)",
    "formula": "a formula of categories (A+B+C)",
    "no-proper-part": "no proper name in the stem: a description with a place-like head",
    "weak-alone": "a word the dictionary does not know, with no list of names around it to vouch for it",
}


@dataclass(frozen=True)
class Rejected:
    """One span extraction set aside."""

    surface: str
    rule: str  # a key of RULES
    span: tuple[int, int]  # in normalized text
    sentence: str = ""
    task_id: str = ""
    doc: str = ""
    candidate: str = ""  # the place it was almost taken for (惠民县), if any

    @property
    def reason(self) -> str:
        return RULES.get(self.rule, self.rule)


#: columns of the not_a_place report, in order
REPORT_COLUMNS: tuple[str, ...] = ("doc", "surface", "rule", "reason", "candidate", "task_id", "start", "end", "sentence")


def report_rows(rejected: list[Rejected]) -> list[dict]:
    """The not_a_place report: one row per distinct (doc, surface, rule), first occurrence first."""
    seen: set[tuple[str, str, str]] = set()
    rows = []
    for r in rejected:
        key = (r.doc, r.surface, r.rule)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {"doc": r.doc, "surface": r.surface, "rule": r.rule, "reason": r.reason, "candidate": r.candidate,
             "task_id": r.task_id, "start": r.span[0], "end": r.span[1], "sentence": r.sentence}
        )
    return rows
