"""geoplan: put the places and projects of Chinese planning documents on a map.

``geoplan.build(plans, out)`` runs the whole pipeline
(read → normalize → outline → extract → geocode → layers → map); the stages are
importable on their own from their subpackages.  Heavy modules load lazily so
that ``import geoplan`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["build", "process_plan", "Gazetteer", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from geoplan.gazetteer import Gazetteer
    from geoplan.pipeline import build, process_plan


def __getattr__(name: str) -> Any:
    if name in ("build", "process_plan"):
        from geoplan import pipeline

        return getattr(pipeline, name)
    if name == "Gazetteer":
        from geoplan.gazetteer import Gazetteer

        return Gazetteer
    raise AttributeError(f"module 'geoplan' has no attribute {name!r}")
