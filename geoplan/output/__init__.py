"""The output tables of a build and the one filter over them.

:mod:`geoplan.output.tables` turns located plan features into the three tables
every exporter writes (features, mentions, unresolved); :mod:`geoplan.output.filter`
selects part of them by theme, task, kind, plan, area and precision, with one
meaning for the CLI, the Python API, the theme layers and the maps.  The word
"output" keeps them apart from the gazetteer's *input* layers (``layers/``).
"""

from __future__ import annotations

from geoplan.output.filter import filter_layers
from geoplan.output.tables import OutputTables, build_tables

__all__ = ["OutputTables", "build_tables", "filter_layers"]
