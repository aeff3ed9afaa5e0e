"""Where geoplan finds its data folders and keeps its caches.

The curated gazetteer (``layers/``) and the map themes and styles (``maps/``) are
top-level folders of the repository; an installed wheel carries them as the
packages ``geoplan._data.layers`` and ``geoplan._data.maps``.  Environment
variables win so that a planning bureau can point geoplan at its own copies.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _data_dir(env: str, folder: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override).expanduser()
    local = _REPO_ROOT / folder
    if local.is_dir():
        return local
    # installed from a wheel: the folders sit inside the package geoplan._data
    found = Path(__file__).resolve().parent / "_data" / folder
    if found.is_dir():
        return found
    raise FileNotFoundError(f"geoplan data folder {folder!r} not found (set {env})")


def layers_dir() -> Path:
    """The folder holding the curated gazetteer layers and ``vocab/``."""
    return _data_dir("GEOPLAN_LAYERS", "layers")


def maps_dir() -> Path:
    """The folder holding map themes and styles."""
    return _data_dir("GEOPLAN_MAPS", "maps")


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


def sources_dir() -> Path:
    """The vendored national source files (``layers/sources``).

    The folder beside the layers in use wins; when ``GEOPLAN_LAYERS`` points at
    a bureau's own layers without one, the copy shipped with geoplan is used.
    """
    chosen = layers_dir() / "sources"
    if chosen.is_dir():
        return chosen
    for base in (_REPO_ROOT / "layers", Path(__file__).resolve().parent / "_data" / "layers"):
        if (base / "sources").is_dir():
            return base / "sources"
    raise FileNotFoundError("geoplan's vendored source folder layers/sources not found")


def private_file(path: Path) -> bool:
    """Whether ``path`` may be unpickled: unpickling runs code, so the file and its folder must be
    owned by this user (or root) and writable by nobody else; a cache that is not is rebuilt, not read."""
    if not hasattr(os, "getuid"):  # no POSIX owners (Windows): the user's own cache folder
        return True
    uid = os.getuid()
    for p in (path, path.parent):
        st = p.stat()
        if st.st_uid not in (uid, 0) or st.st_mode & 0o022:
            return False
    return True
