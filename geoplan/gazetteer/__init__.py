"""The embedded, offline gazetteer.

``Gazetteer.load()`` merges the national administrative layer (built from
installed packages and cached), the curated layers in ``layers/`` and a
bureau's imported layers into one index that the geocoder searches by name,
code and point.  See :mod:`geoplan.gazetteer.index`.
"""

from geoplan.gazetteer.index import Gazetteer
from geoplan.gazetteer.model import ADMIN_KINDS, ORIGINS, GazetteerFeature

__all__ = ["ADMIN_KINDS", "ORIGINS", "Gazetteer", "GazetteerFeature"]
