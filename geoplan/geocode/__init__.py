"""Geocoding: plan entities → located features.

:func:`locate` is the stage's entry point: it places every entity of one plan
with the offline :class:`~geoplan.geocode.resolver.Resolver` over the embedded
gazetteer; online providers (:mod:`geoplan.geocode.online`) are opt-in and only
consulted for names the gazetteer leaves unresolved.
"""

from __future__ import annotations

from geoplan.geocode.overrides import Override, Overrides
from geoplan.geocode.resolver import Resolver
from geoplan.geocode.stage import Placed, locate
from geoplan.records import Entity

__all__ = ["Entity", "Override", "Overrides", "Placed", "Resolver", "locate"]
