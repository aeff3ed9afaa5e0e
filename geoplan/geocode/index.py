"""The resolver's name maps over a gazetteer, built once per gazetteer and shared by every plan of a run."""

from __future__ import annotations

from collections.abc import Iterable
from weakref import WeakKeyDictionary

from shapely.geometry.base import BaseGeometry

from geoplan.gazetteer import codes
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.geocode import kinds
from geoplan.geocode.placement import kind_fits
from geoplan.geocode.protocol import GazetteerLike


class NameIndex:
    """The resolver's own name maps over a gazetteer's features.

    ``by_name``: every feature by name and alias, whatever its layer.  The
    gazetteer's own lookup keeps only the highest layer per county, which
    would let a bureau's road hide the curated station the plan asks for; the
    resolver ranks layers after the kind has been chosen.  ``contained``: the
    names (two characters or more) of features with a position, for names that
    hold a place.  ``stations``: point features an extension may be drawn through.
    """

    def __init__(self, features: Iterable[GazetteerFeature]) -> None:
        feats = list(features)
        self.size = len(feats)
        self.by_name: dict[str, list[GazetteerFeature]] = {}
        self.contained: dict[str, list[GazetteerFeature]] = {}
        for f in feats:
            for n in dict.fromkeys(f.all_names):
                self.by_name.setdefault(n, []).append(f)
                if f.geometry is not None and len(n) >= 2 and kinds.may_contain(f, n):
                    self.contained.setdefault(n, []).append(f)
        self.longest = max((len(n) for n in self.contained), default=0)
        #: group unions by member ids: 长三角's four provinces are merged once per gazetteer
        self.unions: dict[tuple[str, ...], BaseGeometry] = {}
        self.stations = [
            f for f in feats if f.geometry is not None and f.geometry.geom_type == "Point" and kind_fits("station", f.kind)
        ]
        self._townships: dict[str, list[tuple[int, GazetteerFeature]]] | None = None

    def townships(self, provinces: Iterable[str]) -> list[GazetteerFeature]:
        """The administrative townships of ``provinces`` (2-digit prefixes), in the order ``by_name`` first holds them.

        A plan's villages are placed through the townships of its jurisdiction;
        scanning every name of the country for them cost each plan a tenth of
        a second, so they are grouped by province once per index.  The order is
        that of a scan of ``by_name``, so what is built from them is unchanged.
        """
        if self._townships is None:
            groups: dict[str, list[tuple[int, GazetteerFeature]]] = {}
            seen: set[int] = set()
            for fs in self.by_name.values():
                for f in fs:
                    if f.kind in ("town", "street") and f.origin == "admin" and id(f) not in seen:
                        seen.add(id(f))
                        groups.setdefault(codes.province_prefix(f.admin_code or ""), []).append((len(seen), f))
            self._townships = groups
        rows = [row for p in dict.fromkeys(provinces) for row in self._townships.get(p, ())]
        return [f for _, f in sorted(rows, key=lambda r: r[0])]


#: one index per gazetteer object, dropped with it
_INDEXES: WeakKeyDictionary = WeakKeyDictionary()


def index_for(gazetteer: GazetteerLike, scoped_features: Iterable[GazetteerFeature] | None = None) -> NameIndex:
    """The index of ``scoped_features`` when given, else the gazetteer's shared one (rebuilt when it grew)."""
    if scoped_features is not None:
        return NameIndex(scoped_features)
    index = _INDEXES.get(gazetteer)
    if index is None or index.size != len(gazetteer):
        index = _INDEXES[gazetteer] = NameIndex(gazetteer.features)
    return index
