"""Geocoding: plan entities → located features.

The offline :class:`~geoplan.geocode.resolver.Resolver` over the embedded
gazetteer is the default; online providers (:mod:`geoplan.geocode.online`) are
opt-in and only consulted for names the gazetteer leaves unresolved.
"""

from __future__ import annotations

from geoplan.geocode.overrides import Override, Overrides
from geoplan.geocode.resolver import Resolver
from geoplan.records import Entity

__all__ = ["Entity", "Override", "Overrides", "Resolver"]
