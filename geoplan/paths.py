"""Where geoplan finds its data folders and keeps its caches.

The curated gazetteer (``layers/``) and the map themes and styles (``maps/``) are
top-level folders of the repository; an installed wheel carries them as the
packages ``geoplan._data.layers`` and ``geoplan._data.maps``.  Environment
variables win so that a planning bureau can point geoplan at its own copies.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _data_dir(env: str, package: str, folder: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override).expanduser()
    local = _REPO_ROOT / folder
    if local.is_dir():
        return local
    try:
        found = Path(str(resources.files(package)))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - broken install
        found = None
    if found is not None and found.is_dir():
        return found
    raise FileNotFoundError(f"geoplan data folder {folder!r} not found (set {env})")


def layers_dir() -> Path:
    """The folder holding the curated gazetteer layers and ``vocab/``."""
    return _data_dir("GEOPLAN_LAYERS", "geoplan._data.layers", "layers")


def maps_dir() -> Path:
    """The folder holding map themes and styles."""
    return _data_dir("GEOPLAN_MAPS", "geoplan._data.maps", "maps")


def cache_dir() -> Path:
    """Persistent cache (gazetteer index, geocoder results); created on demand."""
    base = os.environ.get("GEOPLAN_CACHE")
    path = Path(base).expanduser() if base else Path.home() / ".cache" / "geoplan"
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_layers_dir() -> Path:
    """Where ``geoplan gazetteer import`` keeps a bureau's imported layers."""
    base = os.environ.get("GEOPLAN_USER_LAYERS")
    path = Path(base).expanduser() if base else cache_dir() / "user_layers"
    path.mkdir(parents=True, exist_ok=True)
    return path
