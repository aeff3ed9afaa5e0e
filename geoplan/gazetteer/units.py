"""The administrative unit a planner names: one lookup, one rule for ambiguity.

``--jurisdiction``, ``gazetteer search --within`` and ``filter --within`` all
take a unit by code (310118) or by name (青浦区, 青浦, 上海市青浦区).  A name
can stand for several units; the rule, the same everywhere:

* units that nest are one answer, the outermost: 上海市 is both the province
  and its city level, and means the province;
* units apart are ambiguous (朝阳区 of 北京 and of 长春): an error that lists
  each with its chain and code, so the planner can give the code or the full
  chain (北京市朝阳区) instead of geoplan picking one silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from geoplan.errors import GazetteerError
from geoplan.gazetteer.codes import significant_prefix
from geoplan.gazetteer.model import GazetteerFeature


class AdminIndex(Protocol):
    """What the lookup needs of a gazetteer."""

    def admin(self, code: str) -> GazetteerFeature | None: ...

    def resolve_admin_name(self, name: str) -> list[GazetteerFeature]: ...


class AmbiguousUnitError(GazetteerError):
    """A name that stands for several administrative units that do not nest."""

    def __init__(self, name: str, units: Sequence[GazetteerFeature]) -> None:
        self.name = name
        self.units = list(units)
        super().__init__(
            f"{len(self.units)} administrative units carry the name {name!r}: {'; '.join(choices(self.units))}; "
            "give the code or the full chain (浙江省嘉兴市)"
        )


def choices(units: Sequence[GazetteerFeature], limit: int = 8) -> list[str]:
    """``北京市/北京市/朝阳区 (110105)`` for each unit: what the planner can type instead."""
    return [f"{'/'.join(u.admin_names) or u.name} ({u.admin_code})" for u in units[:limit]]


def named_unit(gazetteer: AdminIndex, value: str) -> GazetteerFeature | None:
    """The unit ``value`` names (a code or a name), None when none; :class:`AmbiguousUnitError` if several apart."""
    v = str(value).strip()
    if v.isdigit():
        return gazetteer.admin(v)
    units = gazetteer.resolve_admin_name(v)
    if not units:
        return None
    outer = [u for u in units if all(_contains(u, other) for other in units)]
    if outer:
        return outer[0]
    raise AmbiguousUnitError(v, units)


def _contains(unit: GazetteerFeature, other: GazetteerFeature) -> bool:
    if not unit.admin_code:
        return False
    return (other.admin_code or "").startswith(significant_prefix(unit.admin_code or ""))
