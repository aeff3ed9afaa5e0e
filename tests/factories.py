"""Small gazetteer features for extraction tests: one shape, so every test file builds them alike."""

from __future__ import annotations

from shapely.geometry import Point

from geoplan.gazetteer.model import GazetteerFeature


def unit_feature(fid: str, name: str, kind: str, code: str, aliases=(), origin: str = "admin") -> GazetteerFeature:
    """A feature at one shared point: extraction reads names, kinds and codes, never positions."""
    return GazetteerFeature(
        id=fid, name=name, kind=kind, geometry=Point(121.0, 31.0), precision_m=100.0, source="test",
        license="test", aliases=tuple(aliases), admin_code=code, origin=origin,
    )
