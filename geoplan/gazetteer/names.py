"""Administrative names: the suffix rules of ``layers/vocab/admin_names.toml``, applied.

An official name ends in a suffix that says its level (青浦区, 嘉兴市, 朱家角镇,
长阳土家族自治县); plans often drop it (青浦, 嘉兴).  Which suffixes exist for
which level is data; every module that shortens a name or asks "does this end
like an administrative unit?" asks here, so that the list is read in one place.
Only :mod:`geoplan.vocab` is imported: any floor that may see the gazetteer's
records may use these rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from geoplan import vocab


class NameRules:
    """Short forms of official names (青浦区 → 青浦, 长阳土家族自治县 → 长阳), by rule."""

    def __init__(self, path: Path | None = None) -> None:
        rules = vocab.admin_names(path)
        self.min_stem: int = rules.min_stem
        self.suffixes = rules.suffixes
        self.autonomous = rules.autonomous
        self.ethnic = rules.ethnic

    def short_forms(self, name: str, kind: str) -> tuple[str, ...]:
        """Every short form of ``name`` (not including ``name`` itself)."""
        forms: list[str] = []
        stem = self._strip_autonomous(name)
        if stem is not None:
            forms.append(stem)
        else:
            for suffix in self.suffixes.get(kind, ()):
                if name.endswith(suffix) and len(name) - len(suffix) >= self.min_stem:
                    forms.append(name[: -len(suffix)])
                    break
        return tuple(f for f in dict.fromkeys(forms) if f != name)

    def _strip_autonomous(self, name: str) -> str | None:
        for suffix in self.autonomous:
            if name.endswith(suffix):
                stem = name[: -len(suffix)]
                changed = True
                while changed:
                    changed = False
                    for ethnic in self.ethnic:
                        if stem.endswith(ethnic) and len(stem) - len(ethnic) >= self.min_stem:
                            stem = stem[: -len(ethnic)]
                            changed = True
                            break
                return stem if len(stem) >= self.min_stem and stem != name else None
        return None


#: levels → (the rules they were taken from, their suffixes): asked once per candidate name
_SUFFIXES: dict[tuple[str, ...], tuple[vocab.AdminNameVocab, tuple[str, ...]]] = {}


def unit_suffixes(levels: Iterable[str]) -> tuple[str, ...]:
    """The suffixes names of these levels end in (province, city, district, town, street), longest first."""
    rules = vocab.admin_names()
    key = tuple(levels)
    hit = _SUFFIXES.get(key)
    if hit is None or hit[0] is not rules:
        found = {s for level in key for s in rules.suffixes.get(level, ())}
        hit = (rules, tuple(sorted(found, key=len, reverse=True)))
        _SUFFIXES[key] = hit
    return hit[1]


def strip_suffix(name: str, levels: Iterable[str]) -> str:
    """``name`` without its longest suffix of those levels (上海市 → 上海); unchanged when it has none."""
    for suffix in unit_suffixes(levels):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def ends_like_unit(name: str, levels: Iterable[str]) -> bool:
    """True when ``name`` ends in a suffix of one of ``levels`` (金泽镇, 青浦区, 花木街道)."""
    return name.endswith(unit_suffixes(levels))
