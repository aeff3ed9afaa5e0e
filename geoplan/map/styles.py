"""Where the map's look comes from: ``maps/styles.toml`` and ``maps/themes.toml``.

The styles and theme colours are data a planner may edit, so nothing here
hard-codes a colour or a label.  ``themes.toml`` is owned by the theme
vocabulary (one ``[theme]`` table with ``color``, ``label``, ``order``); a theme
it does not know, or a missing file, falls back to the ``[palette]`` of
``styles.toml`` so that a new theme never breaks a map.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from geoplan.paths import layers_dir, maps_dir

log = logging.getLogger(__name__)


def _data_file(folder: Callable[[], Path], name: str) -> Path | None:
    """A data file in ``maps/`` or ``layers/`` (see :mod:`geoplan.paths`), if it exists."""
    try:
        path = folder() / name
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def _read_toml(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class ThemeStyle:
    """Colour, display label and sort key of one theme."""

    name: str
    color: str
    label: str
    order: int


@dataclass(frozen=True)
class MapStyle:
    """Everything ``styles.toml`` says, plus theme colours and kind labels."""

    raw: dict[str, Any]
    themes_file: dict[str, Any] = field(default_factory=dict)
    kind_labels: dict[str, str] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.raw.get(name, {}))

    def themes(self, names: Iterable[str]) -> list[ThemeStyle]:
        """Styles of the given themes, ordered by their ``order`` then first appearance.

        A theme unknown to themes.toml takes the next unused palette colour, so
        two unknown themes never share a colour while the palette lasts.
        """
        palette = list(self.raw.get("palette", {}).get("colors", []))
        other = self.raw.get("palette", {}).get("other", "#7f7f7f")
        known = {k: v for k, v in self.themes_file.items() if isinstance(v, dict)}
        used = {str(v.get("color", "")).lower() for v in known.values()}
        free = [c for c in palette if c.lower() not in used] or palette or [other]
        out: list[ThemeStyle] = []
        seen: list[str] = []
        for n in names:
            if n not in seen:
                seen.append(n)
        for pos, n in enumerate(seen):
            spec = known.get(n)
            if spec and spec.get("color"):
                out.append(ThemeStyle(n, str(spec["color"]), str(spec.get("label") or n),
                                      int(spec.get("order", 1000 + pos))))
            else:
                color = free[len([t for t in out if t.name not in known]) % len(free)]
                label = str(spec.get("label") or n) if spec else n
                order = int(spec.get("order", 1000 + pos)) if spec else 1000 + pos
                out.append(ThemeStyle(n, color, label, order))
        return sorted(out, key=lambda t: (t.order, seen.index(t.name)))

    def kind_label(self, kind: str) -> str:
        return self.kind_labels.get(kind, kind)

    def precision_label(self, precision: str) -> str:
        return str(self.raw.get("precision", {}).get("labels", {}).get(precision, precision))

    @property
    def precision_order(self) -> list[str]:
        return list(self.raw.get("precision", {}).get("order", ["feature", "town", "district", "city"]))

    def tiles(self, name: str) -> tuple[str, dict[str, Any]]:
        """The tile provider called ``name`` (case-insensitive, aliases allowed)."""
        tiles = self.raw.get("tiles", {})
        aliases = {k.lower(): v for k, v in tiles.get("aliases", {}).items()}
        providers = {k: v for k, v in tiles.items() if k != "aliases"}
        key = aliases.get(name.lower(), name)
        for k, v in providers.items():
            if k.lower() == key.lower():
                return k, dict(v)
        from geoplan.errors import FilterError

        raise FilterError("tiles", name, sorted(providers) + sorted(aliases))


@lru_cache(maxsize=1)
def load_style() -> MapStyle:
    """Read the style files once per process (they are small and never change mid-run)."""
    styles = _read_toml(_data_file(maps_dir, "styles.toml"))
    try:
        themes = _read_toml(_data_file(maps_dir, "themes.toml"))
    except tomllib.TOMLDecodeError as exc:
        # the theme vocabulary is another module's file: a broken one costs colours, not the map
        log.warning("maps/themes.toml unreadable (%s); theme colours fall back to styles.toml [palette]", exc)
        themes = {}
    # accept both ``[交通]`` and ``[themes.交通]`` / ``[theme.交通]`` layouts
    for wrapper in ("themes", "theme"):
        inner = themes.get(wrapper)
        if isinstance(inner, dict) and all(isinstance(v, dict) for v in inner.values()):
            themes = inner
            break
    kinds = _read_toml(_data_file(layers_dir, "vocab/kinds.toml"))
    labels = {k: str(v.get("label", k)) for k, v in kinds.items() if isinstance(v, dict)}
    return MapStyle(raw=styles, themes_file=themes, kind_labels=labels)
