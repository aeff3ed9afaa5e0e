"""The one feature model every gazetteer layer is read into.

National administrative units, the curated layers in ``layers/`` and a planning
bureau's own layers all become :class:`GazetteerFeature` records, so that the
resolver, the validator and the index never need to know where a feature came
from.  Geometry is always WGS-84 (EPSG:4326 axis order lon/lat); the datum it
was *recorded* in is kept in ``source_crs`` for provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geoplan.gazetteer import codes

#: Administrative kinds, coarsest first.  Their precision class is decided by kind.
ADMIN_KINDS: tuple[str, ...] = ("province", "city", "district", "town", "street", "village")

#: Origins in increasing priority: a user's layer wins over a curated one, which
#: wins over the national layers built from open data (stations, water, airports:
#: ``layers/national_*.geojson``), which win over the generated administrative layer.
ORIGINS: tuple[str, ...] = ("admin", "national", "curated", "user")


@dataclass(frozen=True)
class GazetteerFeature:
    """A place or project the gazetteer can put on a map.

    ``admin_code`` is the code of the smallest administrative unit the feature
    lies in (a 6-digit county code such as ``310118`` for a curated lake, the
    unit's own code for an administrative feature: 2/4/6/9 significant digits
    padded as the NBS writes them).  ``admin_names`` holds the chain of names up
    to the province, coarsest first, e.g. ``("上海市", "上海市", "青浦区")``.
    ``precision_m`` is an honest radius: how far the true place may be from the
    stored geometry (for a polygon that outlines the thing itself, its accuracy;
    for a point standing for an area, the area's size).
    """

    id: str
    name: str
    kind: str
    geometry: BaseGeometry | None
    precision_m: float
    source: str
    license: str
    source_crs: str = "EPSG:4326"
    aliases: tuple[str, ...] = ()
    admin_code: str | None = None
    admin_names: tuple[str, ...] = ()
    part_of: str | None = None
    origin: str = "curated"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def county_code(self) -> str | None:
        """The 6-digit county-level code this feature is scoped to, if known."""
        if not self.admin_code:
            return None
        return codes.county_prefix(self.admin_code) if len(self.admin_code) >= codes.COUNTY_DIGITS else None

    @property
    def admin_code_chain(self) -> tuple[str, ...]:
        """The codes of the units above and including this one, coarsest first.

        ``310118102`` (朱家角镇) → ``("310000", "310100", "310118", "310118102")``:
        province, prefecture level, county, township, read off the code's digits as
        the national standard nests them (a level that a place lacks, such as the
        prefecture of a province-administered county, still has its code slot).
        """
        return codes.code_chain(self.admin_code or "")

    @property
    def point(self) -> BaseGeometry | None:
        """The one point drawn for this feature when something is placed *at* it.

        An administrative unit's seat of government where GeoNames names one
        (``extra["seat"]``, see :mod:`geoplan.gazetteer.seats`): a city's
        polygon centroid can lie tens of kilometres off in the hills.  Else the
        geometry itself when it is a point, or its inner point.
        """
        seat = self.extra.get("seat")
        if seat:
            return Point(seat[0], seat[1])
        if self.geometry is None or self.geometry.geom_type == "Point":
            return self.geometry
        return self.geometry.representative_point()

    @property
    def point_note(self) -> str:
        """Where :attr:`point` comes from, for the reason of a placement (empty when not an admin unit's)."""
        return str(self.extra.get("point_source") or "")

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def is_admin(self) -> bool:
        return self.kind in ADMIN_KINDS
