"""Which administrative unit a plan is about.

A 青浦 plan prefers 青浦's features; a 湖州 plan 湖州's.  The unit is read from
the plan itself: the administrative names in its title and issuer lines (the
first lines of the text), the most specific one that the body also names most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geoplan.gazetteer.model import GazetteerFeature

_LEVEL = {"province": 1, "city": 2, "district": 3}
_HEAD_CHARS = 600


@dataclass(frozen=True)
class Jurisdiction:
    code: str  # administrative code (6 digits)
    name: str
    level: str  # province, city, district
    feature_id: str

    @property
    def province_prefix(self) -> str:
        return self.code[:2]

    @property
    def city_prefix(self) -> str:
        return self.code[:4]

    @property
    def prefix(self) -> str:
        """The digits every code inside this unit starts with (31, 3305, 310118)."""
        return self.code[: {"province": 2, "city": 4}.get(self.level, 6)]

    def contains_code(self, code: str | None) -> bool:
        """True when an administrative code lies inside this unit."""
        if not code:
            return False
        if self.level == "province":
            return code[:2] == self.code[:2]
        if self.level == "city":
            return code[:4] == self.code[:4]
        return code[:6] == self.code[:6]


def detect(text: str, admin_units: list[GazetteerFeature]) -> Jurisdiction | None:
    """The plan's jurisdiction, or None when the text names no unit up front.

    ``admin_units``: province, city and district features of the gazetteer.
    """
    head = text[:_HEAD_CHARS]
    name_count: dict[str, int] = {}
    for unit in admin_units:
        name_count[unit.name] = name_count.get(unit.name, 0) + 1
    scored: list[tuple[int, int, int, GazetteerFeature]] = []
    for unit in admin_units:
        if unit.kind not in _LEVEL or not unit.admin_code:
            continue
        province_named = unit.kind == "province" or _province_named(unit, text)
        # short forms (青浦, 湖州) count only when the unit's province is named too:
        # 太湖 alone is a lake far more often than 安徽's 太湖县
        names = [unit.name] + [a for a in unit.aliases if len(a) >= 2 and province_named]
        if name_count[unit.name] > 1 and not province_named:
            continue  # a name several counties share needs its province
        in_head = sum(head.count(n) for n in names)
        if not in_head:
            continue
        total = sum(len(re.findall(re.escape(n), text)) for n in names)
        scored.append((_LEVEL[unit.kind], total, in_head, unit))
    if not scored:
        return None
    # the most specific level named up front, then the one the body names most
    best_level = max(s[0] for s in scored)
    best = max((s for s in scored if s[0] == best_level), key=lambda s: (s[1], s[2]))
    unit = best[3]
    return Jurisdiction(code=unit.admin_code[:6].ljust(6, "0"), name=unit.name, level=unit.kind, feature_id=unit.id)


def _province_named(unit: GazetteerFeature, text: str) -> bool:
    if not unit.admin_names:
        return False
    province = unit.admin_names[0]
    short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", province)
    return province in text or (len(short) >= 2 and short in text)
