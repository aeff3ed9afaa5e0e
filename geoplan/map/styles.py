"""Where the map's look comes from: ``maps/styles.toml`` and ``maps/themes.toml``.

The styles and theme colours are data a planner may edit, so nothing here
hard-codes a colour or a label.  ``themes.toml`` is owned by the theme
vocabulary (one ``[theme]`` table with ``color``, ``label``, ``order``); a theme
it does not know, or a missing file, falls back to the ``[palette]`` of
``styles.toml`` so that a new theme never breaks a map.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from geoplan import vocab
from geoplan.vocab import Theme

log = logging.getLogger(__name__)


def _data_file(locate: Callable[[str], Path], name: str) -> Path | None:
    """A data file in ``maps/`` or ``layers/vocab/`` (see :mod:`geoplan.vocab`), if it exists."""
    try:
        path = locate(name)
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


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

    raw: Mapping[str, Any]
    themes_file: Mapping[str, Theme] = field(default_factory=dict)
    kind_labels: dict[str, str] = field(default_factory=dict)
    #: the theme of a feature that carries none (``default`` of themes.toml)
    default_theme: str = vocab.FALLBACK_DEFAULT_THEME

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.raw.get(name, {}))

    def themes(self, names: Iterable[str]) -> list[ThemeStyle]:
        """Styles of the given themes, ordered by their ``order`` then first appearance.

        A theme unknown to themes.toml takes the next unused palette colour, so
        two unknown themes never share a colour while the palette lasts.
        """
        palette = list(self.raw.get("palette", {}).get("colors", []))
        other = self.raw.get("palette", {}).get("other", "#7f7f7f")
        known = self.themes_file
        used = {t.color.lower() for t in known.values()}
        free = [c for c in palette if c.lower() not in used] or palette or [other]
        out: list[ThemeStyle] = []
        seen: list[str] = []
        for n in names:
            if n not in seen:
                seen.append(n)
        for pos, n in enumerate(seen):
            spec = known.get(n)
            order = spec.order if spec is not None and spec.ordered else 1000 + pos
            if spec is not None and spec.color:
                out.append(ThemeStyle(n, spec.color, spec.label, order))
            else:
                color = free[len([t for t in out if t.name not in known]) % len(free)]
                out.append(ThemeStyle(n, color, spec.label if spec is not None else n, order))
        return sorted(out, key=lambda t: (t.order, seen.index(t.name)))

    def kind_label(self, kind: str) -> str:
        return self.kind_labels.get(kind, kind)

    def method_label(self, method: str) -> str:
        """How a feature was placed, in the page's words (``[labels.methods]``).

        ``online:<provider>`` reads as the ``online`` label with the provider's
        name; a method the file does not know is shown as it is.
        """
        words = self.raw.get("labels", {}).get("methods", {})
        if method in words:
            return str(words[method])
        head, _, provider = method.partition(":")
        if provider and head in words:
            return f"{words[head]}（{provider}）"
        return method

    def detail_label(self, detail: str) -> str:
        """A geocoder's explanation with its fixed words in the page's language.

        ``[[labels.details]]`` pairs a regular expression over the English
        sentence with a Chinese one using its named groups; the first that
        matches the whole text is used, anything else is shown as it is.
        """
        for entry in self.raw.get("labels", {}).get("details", []):
            m = _compiled(str(entry.get("pattern", ""))).fullmatch(detail.strip())
            if m:
                return str(entry.get("text", "")).format(**m.groupdict())
        return detail

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


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=1)
def load_style() -> MapStyle:
    """The style files as :mod:`geoplan.vocab` reads them, gathered once per process."""
    styles_file = _data_file(vocab.maps_file, "styles.toml")
    styles = vocab.read(styles_file) if styles_file else {}
    themes_file = _data_file(vocab.maps_file, "themes.toml")
    try:
        theme_vocab = vocab.themes(themes_file) if themes_file else vocab.ThemeVocab(themes={})
    except vocab.VocabError as exc:
        # the theme vocabulary is another module's file: a broken one costs colours, not the map
        log.warning("maps/themes.toml unreadable (%s); theme colours fall back to styles.toml [palette]", exc)
        theme_vocab = vocab.ThemeVocab(themes={})
    kinds_file = _data_file(vocab.layers_file, "kinds.toml")
    kinds = vocab.kinds(kinds_file) if kinds_file else {}
    labels = {k: info.label for k, info in kinds.items()}
    return MapStyle(raw=styles, themes_file=theme_vocab.themes, kind_labels=labels,
                    default_theme=theme_vocab.default)
