"""Which administrative unit a plan is about.

A 青浦 plan prefers 青浦's features; a 湖州 plan 湖州's.  The unit is read from
the plan itself.  Its title decides first: the finest unit the title names
(嘉兴市…规划 is 嘉兴市's even when its first paragraph names 桐乡市 or 青浦区).
Without a unit in the title, the administrative names of the first lines
(issuer, notice header) decide: the most specific one that the body names
most, as long as it lies inside the coarser units named there.  A planner can
always set the unit (``geoplan build --jurisdiction 嘉兴市``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geoplan.gazetteer import codes
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.names import strip_suffix

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
        return codes.province_prefix(self.code)

    @property
    def city_prefix(self) -> str:
        return codes.city_prefix(self.code)

    @property
    def prefix(self) -> str:
        """The digits every code inside this unit starts with (31, 3305, 310118)."""
        return codes.level_prefix(self.code, self.level)

    def contains_code(self, code: str | None) -> bool:
        """True when an administrative code lies inside this unit."""
        if not code:
            return False
        return codes.same_unit(code, self.code, self.level)


def from_unit(unit: GazetteerFeature) -> Jurisdiction:
    """The jurisdiction a province, city or county feature stands for."""
    return Jurisdiction(code=codes.county_prefix(unit.admin_code).ljust(codes.COUNTY_DIGITS, "0"), name=unit.name,
                        level=unit.kind, feature_id=unit.id)


def detect(text: str, admin_units: list[GazetteerFeature], title: str = "") -> Jurisdiction | None:
    """The plan's jurisdiction, or None when the text names no unit up front.

    ``admin_units``: province, city and district features of the gazetteer;
    ``title``: the plan's title as the outline found it.
    """
    if title:
        unit = _from_title(title, admin_units)
        if unit is not None:
            return from_unit(unit)
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
    # a finer unit counts only inside the coarser units named up front: a 嘉兴
    # plan whose first lines also name 青浦区 (a neighbour) is not 青浦's
    coarse = [s[3] for s in scored if s[0] < _LEVEL["district"]]
    if coarse:
        scored = [s for s in scored if s[0] < _LEVEL["district"] or any(_inside(s[3], c) for c in coarse)] or scored
        cities = [s for s in scored if s[0] == _LEVEL["city"]]
        if cities:
            scored = [s for s in scored if s[0] != _LEVEL["district"] or any(_inside(s[3], c[3]) for c in cities)]
    # the most specific level named up front, then the one the body names most
    best_level = max(s[0] for s in scored)
    best = max((s for s in scored if s[0] == best_level), key=lambda s: (s[1], s[2]))
    return from_unit(best[3])


def _inside(unit: GazetteerFeature, outer: GazetteerFeature) -> bool:
    return codes.same_unit(unit.admin_code or "", outer.admin_code or "", outer.kind)


def _from_title(title: str, admin_units: list[GazetteerFeature]) -> GazetteerFeature | None:
    """The finest unit the title names by its full name (short forms only after their province or city)."""
    found: list[tuple[int, int, GazetteerFeature]] = []
    for unit in admin_units:
        if unit.kind not in _LEVEL or not unit.admin_code:
            continue
        pos = title.find(unit.name)
        if pos < 0 and len(unit.admin_names) >= 2:
            # 浙江湖州…, 上海青浦…: a short form right after its parent's name
            parent = unit.admin_names[-2]
            for alias in unit.aliases:
                if len(alias) >= 2:
                    for p in {parent, strip_suffix(parent, ("province", "city"))}:
                        if len(p) >= 2 and p + alias in title:
                            pos = title.find(p + alias) + len(p)
        if pos >= 0:
            found.append((_LEVEL[unit.kind], -pos, unit))
    if not found:
        return None
    finest = max(level for level, _, _ in found)
    cands = [f for f in found if f[0] == finest]
    # the units of that level must agree with the coarser ones the title names
    coarser = [u for level, _, u in found if level < finest]
    cands = [f for f in cands if all(_inside(f[2], c) for c in coarser)]
    if len({f[2].id for f in cands}) != 1:
        return None  # two counties in one title (or none consistent): leave it to the body
    return cands[0][2]


def _province_named(unit: GazetteerFeature, text: str) -> bool:
    if not unit.admin_names:
        return False
    province = unit.admin_names[0]
    short = strip_suffix(province, ("province",))
    return province in text or (len(short) >= 2 and short in text)
