"""China's administrative division codes, read off their digits (GB/T 2260, township codes).

A code nests its units: ``310118102`` is township 102 of county ``310118``
(青浦区), of prefecture level ``3101`` (上海市辖区), of province ``31``.  Every
place in geoplan that asks "which province (city, county) is this code in?" or
"does this code lie inside that unit?" asks it here, so that the number of
digits of each level is written once.  Pure string functions: no import of
geoplan, so that any floor may use them.
"""

from __future__ import annotations

#: digits that identify a unit of each level
PROVINCE_DIGITS = 2
CITY_DIGITS = 4
COUNTY_DIGITS = 6
TOWNSHIP_DIGITS = 9

#: the gazetteer's administrative kinds above the county → digits of their prefix
_LEVEL_DIGITS = {"province": PROVINCE_DIGITS, "city": CITY_DIGITS}


def province_prefix(code: str) -> str:
    """``310118102`` → ``31``."""
    return code[:PROVINCE_DIGITS]


def city_prefix(code: str) -> str:
    """``330402`` → ``3304``."""
    return code[:CITY_DIGITS]


def county_prefix(code: str) -> str:
    """``310118102`` → ``310118`` (a shorter code comes back as it is)."""
    return code[:COUNTY_DIGITS]


def township_prefix(code: str) -> str:
    """``310118102000`` (the 12-digit statistical form) → ``310118102``."""
    return code[:TOWNSHIP_DIGITS]


def province_code(code: str) -> str:
    """The 6-digit code of the province a code lies in: ``310118`` → ``310000``."""
    return province_prefix(code) + "0000"


def city_code(code: str) -> str:
    """The 6-digit code of the prefecture level a code lies in: ``330402`` → ``330400``."""
    return city_prefix(code) + "00"


def level_prefix(code: str, level: str) -> str:
    """The digits every code inside a unit of ``level`` starts with (31, 3305, 310118).

    A level without its own digits (a township's or an unknown kind) is taken
    at county precision, as the jurisdiction of a plan is.
    """
    return code[: _LEVEL_DIGITS.get(level, COUNTY_DIGITS)]


def same_unit(code: str, other: str, level: str) -> bool:
    """True when both codes lie in the same unit of ``level`` (province, city, else county)."""
    return level_prefix(code, level) == level_prefix(other, level)


def significant_prefix(code: str) -> str:
    """The digits of an admin code that matter for containment: 310000 → 31, 330500 → 3305."""
    code = normalize_code(code)
    if len(code) == COUNTY_DIGITS:
        if code.endswith("0000"):
            return province_prefix(code)
        if code.endswith("00"):
            return city_prefix(code)
    return code


def normalize_code(code: str) -> str:
    """Accept the forms codes are written in: ``156310118`` (gb), ``310118``, ``31``, ``3101``."""
    code = code.strip()
    if len(code) == 9 and code.startswith("156"):
        return code[3:]
    if len(code) == PROVINCE_DIGITS:
        return code + "0000"
    if len(code) == CITY_DIGITS:
        return code + "00"
    return code


def code_chain(code: str) -> tuple[str, ...]:
    """The codes of the units above and including ``code``, coarsest first.

    ``310118102`` (朱家角镇) → ``("310000", "310100", "310118", "310118102")``:
    a level that a place lacks (the prefecture of a province-administered
    county) still has its code slot and is skipped when its digits are 00.
    """
    if not code.isdigit() or len(code) < PROVINCE_DIGITS:
        return ()
    parts = [province_code(code)]
    if len(code) >= CITY_DIGITS and code[PROVINCE_DIGITS:CITY_DIGITS] != "00":
        parts.append(city_code(code))
    if len(code) >= COUNTY_DIGITS and code[CITY_DIGITS:COUNTY_DIGITS] != "00":
        parts.append(county_prefix(code))
    if len(code) > COUNTY_DIGITS:
        parts.append(code)
    return tuple(dict.fromkeys(parts))
