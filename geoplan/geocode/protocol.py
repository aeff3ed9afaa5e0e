"""What geocoding asks of a gazetteer, stated once as a type.

The resolver, its strategies and the overrides only read a gazetteer: its
features, a feature by id, an administrative unit by code and the national
village list.  :class:`geoplan.gazetteer.Gazetteer` is the one implementation;
writing the needs down as a :class:`~typing.Protocol` lets a type checker tell
when they drift apart, instead of ``hasattr`` checks that would quietly skip a
strategy when a method is renamed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.villages import VillageRecord


class GazetteerLike(Protocol):
    """The read-only gazetteer interface geocoding uses."""

    @property
    def features(self) -> list[GazetteerFeature]: ...

    def __len__(self) -> int: ...

    def get(self, feature_id: str) -> GazetteerFeature | None:
        """The feature with this id, if any."""
        ...

    def admin(self, code: str) -> GazetteerFeature | None:
        """The province, city or county with this code."""
        ...

    def villages(self, name: str, within: Sequence[str] = ("",)) -> list[VillageRecord]:
        """Village-level units called ``name`` inside the code prefixes (no position, only their township)."""
        ...

    def village_names(self, prefixes: Sequence[str]) -> set[str]:
        """Every village name inside the code prefixes."""
        ...

    @property
    def village_source(self) -> str:
        """The name of the village list, for the reasons written beside placed villages."""
        ...
