"""Which administrative unit a plan is about.

A 青浦 plan prefers 青浦's features; a 湖州 plan 湖州's.  The unit is read from
the plan itself.  Its title decides first: the finest unit the title names
(嘉兴市…规划 is 嘉兴市's even when its first paragraph names 桐乡市 or 青浦区).
Without a unit in the title, the administrative names of the first lines
(issuer, notice header) decide: the most specific one that the body names
most, as long as it lies inside the coarser units named there.  A planner can
always set the unit (``geoplan build --jurisdiction 嘉兴市``).

What names a place without saying what the plan covers never decides: a news
dateline (新华社北京…电), a source line, a document cited by name.  A plan whose
title names a group of several provinces or cities (京津冀…协同发展, a 城市群)
and no single unit is that group's: its scope is the member units.  Patterns and
words are ``layers/vocab/jurisdiction.toml``, groups ``layers/vocab/groups.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from geoplan import vocab
from geoplan.gazetteer import codes
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.names import strip_suffix

_LEVEL = {"province": 1, "city": 2, "district": 3}
_HEAD_CHARS = 600


@dataclass(frozen=True)
class Jurisdiction:
    code: str  # administrative code (6 digits)
    name: str
    level: str  # province, city, district; "region" for a group of units
    feature_id: str
    #: the units a regional plan covers (empty for one unit)
    members: tuple[Jurisdiction, ...] = field(default=(), compare=False)

    @property
    def province_prefix(self) -> str:
        return codes.province_prefix(self.code)

    @property
    def city_prefix(self) -> str:
        return codes.city_prefix(self.code)

    @property
    def prefix(self) -> str:
        """The digits every code inside this unit starts with (31, 3305, 310118).

        For a region, the digits its members share ("" when they lie in several provinces).
        """
        if self.members:
            prefixes = [m.prefix for m in self.members]
            common = prefixes[0]
            for p in prefixes[1:]:
                while not p.startswith(common):
                    common = common[:-1]
            return common
        return codes.level_prefix(self.code, self.level)

    def contains_code(self, code: str | None) -> bool:
        """True when an administrative code lies inside this unit (any member of a region)."""
        if not code:
            return False
        if self.members:
            return any(m.contains_code(code) for m in self.members)
        return codes.same_unit(code, self.code, self.level)


def from_unit(unit: GazetteerFeature) -> Jurisdiction:
    """The jurisdiction a province, city or county feature stands for."""
    return Jurisdiction(code=codes.county_prefix(unit.admin_code).ljust(codes.COUNTY_DIGITS, "0"), name=unit.name,
                        level=unit.kind, feature_id=unit.id)


@dataclass(frozen=True)
class _Rules:
    ignore: tuple[re.Pattern[str], ...]
    region_words: tuple[str, ...]
    groups: Mapping[str, tuple[str, ...]]


def _rules() -> _Rules:
    """``layers/vocab/jurisdiction.toml`` (what never decides, what makes a title regional) and the groups."""
    path = vocab.layers_file("jurisdiction.toml")
    data = vocab.read(path) if path.is_file() else {}
    return _Rules(
        ignore=tuple(re.compile(p) for p in data.get("head", {}).get("ignore", ())),
        region_words=tuple(data.get("region", {}).get("words", ())),
        groups=vocab.groups().members,
    )


def strip_non_deciding(head: str, patterns: Sequence[re.Pattern[str]] | None = None) -> str:
    """The head without datelines, source lines and cited documents (blanked, offsets kept)."""
    for pat in _rules().ignore if patterns is None else patterns:
        head = pat.sub(lambda m: " " * len(m.group()), head)
    return head


def region_from_title(title: str, admin_units: list[GazetteerFeature]) -> Jurisdiction | None:
    """The group of provinces or cities a regional plan's title names, with its members."""
    rules = _rules()
    if not any(w in title for w in rules.region_words):
        return None
    by_name: dict[str, list[GazetteerFeature]] = {}
    for unit in admin_units:
        if unit.kind in ("province", "city") and unit.admin_code:
            by_name.setdefault(unit.name, []).append(unit)
    for name in sorted(rules.groups, key=len, reverse=True):
        members = rules.groups[name]
        if name not in title or len(members) < 2:
            continue
        units = [by_name[m][0] for m in members if len(by_name.get(m, ())) == 1]
        if len(units) < 2:
            continue  # a group of towns or villages is not a region of units
        parts = tuple(from_unit(u) for u in units)
        return Jurisdiction(code=parts[0].code, name=name, level="region", feature_id="", members=parts)
    return None


def detect(text: str, admin_units: list[GazetteerFeature], title: str = "") -> Jurisdiction | None:
    """The plan's jurisdiction, or None when the text names no unit up front.

    ``admin_units``: province, city and district features of the gazetteer;
    ``title``: the plan's title as the outline found it.
    """
    if title:
        unit = _from_title(title, admin_units)
        if unit is not None:
            return from_unit(unit)
        region = region_from_title(title, admin_units)
        if region is not None:
            return region
    head = strip_non_deciding(text[:_HEAD_CHARS])
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
