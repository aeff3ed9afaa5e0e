"""The one reader of geoplan's data files: vocabularies, themes, styles, rules.

Everything a planner may edit without touching code is a TOML file under
``layers/vocab/`` or ``maps/`` (found through :mod:`geoplan.paths`, so that
``GEOPLAN_LAYERS`` / ``GEOPLAN_MAPS`` point every stage at a bureau's copies at
once).  This module is the only place that parses them: each file is read once
per process and per path (:func:`reload` forgets them), and the files
that several stages share come back as typed, frozen records:

* ``kinds.toml`` → :func:`kinds` (:class:`Kind`), shared by extraction, the
  gazetteer, the geocoder, the filters and the map;
* ``themes.toml`` → :func:`themes` (:class:`ThemeVocab`), shared by the outline,
  the map, the exports and the filters; its ``default`` is the theme of
  anything no theme claims;
* ``admin_names.toml`` → :func:`admin_names` (:class:`AdminNameVocab`), how an
  official administrative name is shortened;
* ``regions.toml`` / ``groups.toml`` → :func:`regions`, :func:`groups`.

A stage that alone reads a file (``extract.toml``, ``outline.toml``,
``normalize.toml``, ``styles.toml``, the online providers' table) compiles its
own typed view from :func:`read` so that its rules stay next to the code that
applies them.  Floor: the ground floor, beside :mod:`geoplan.paths`; it imports
nothing else of geoplan.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, TypeVar

from geoplan import paths
from geoplan.errors import GeoplanError

__all__ = [
    "AdminNameVocab",
    "GroupVocab",
    "Kind",
    "Theme",
    "ThemeVocab",
    "VocabError",
    "admin_names",
    "groups",
    "kinds",
    "layers_file",
    "maps_file",
    "read",
    "read_text",
    "reload",
    "typed",
    "default_theme",
    "regions",
    "themes",
]

T = TypeVar("T")

#: the theme of anything no theme claims when ``themes.toml`` names none
FALLBACK_DEFAULT_THEME = "其他"


class VocabError(GeoplanError, ValueError):
    """A data file that is not valid TOML (the message names the file)."""


# ------------------------------------------------------------------ files
# Hot callers ask for a record per candidate name, so a look-up costs two dict
# hits: the folder is resolved once per value of its environment variable, a
# file parsed once per path.
def layers_file(name: str) -> Path:
    """``layers/vocab/<name>`` (``GEOPLAN_LAYERS`` wins)."""
    return _located("layers", name, os.environ.get("GEOPLAN_LAYERS"))


def maps_file(name: str) -> Path:
    """``maps/<name>`` (``GEOPLAN_MAPS`` wins)."""
    return _located("maps", name, os.environ.get("GEOPLAN_MAPS"))


@lru_cache(maxsize=64)
def _located(folder: str, name: str, _env: str | None) -> Path:
    if folder == "layers":
        return paths.layers_dir() / "vocab" / name
    return paths.maps_dir() / name


def read(path: Path | str) -> dict[str, Any]:
    """The parsed content of one TOML file, read once per path.

    The same dictionary is handed to every caller: treat it as read-only.
    """
    return _parse(str(path))


def typed(path: Path | str, build: Callable[[dict[str, Any]], T]) -> T:
    """``build(read(path))``, built once per path (a stage's compiled view of its file)."""
    return _build(build, str(path))


def reload() -> None:
    """Forget every file read so far: the next look-up reads the files again (after an edit)."""
    _located.cache_clear()
    _parse.cache_clear()
    _build.cache_clear()
    _parse_text.cache_clear()


@lru_cache(maxsize=64)
def _build(build: Callable[[dict[str, Any]], T], path: str) -> T:
    return build(_parse(path))


@lru_cache(maxsize=64)
def _parse(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise VocabError(f"{path}: not valid TOML ({exc})") from exc


def read_text(text: str, origin: str) -> dict[str, Any]:
    """Parse TOML held as text (a file inside a package's resources); ``origin`` names it in errors."""
    return _parse_text(text, origin)


@lru_cache(maxsize=8)
def _parse_text(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VocabError(f"{origin}: not valid TOML ({exc})") from exc


def _freeze(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


# ------------------------------------------------------------------ kinds
@dataclass(frozen=True)
class Kind:
    """One feature kind of ``kinds.toml``: how precise, how drawn, which head words end its names."""

    name: str
    label: str
    precision: str
    geometry: str
    heads: tuple[str, ...]
    #: other kinds a name with this head may turn out to be in the gazetteer (a 站 may be a hub)
    accepts: tuple[str, ...] = ()


def kinds(path: Path | None = None) -> Mapping[str, Kind]:
    """Kinds of ``kinds.toml`` (or ``path``) in the order they are written."""
    return typed(path or layers_file("kinds.toml"), _kinds_of)


def _kinds_of(data: dict[str, Any]) -> Mapping[str, Kind]:
    return _freeze({
        name: Kind(
            name=name,
            label=str(spec.get("label", name)),
            precision=str(spec.get("precision", "feature")),
            geometry=str(spec.get("geometry", "point")),
            heads=tuple(spec.get("heads", ())),
            accepts=tuple(spec.get("accepts", ())),
        )
        for name, spec in data.items()
        if isinstance(spec, dict)
    })


# ----------------------------------------------------------------- themes
@dataclass(frozen=True)
class Theme:
    """One plan theme: legend label, colour, legend order and weighted keywords.

    ``color`` is empty when the file gives none (the map then takes a palette
    colour); ``order`` is 99 when unset and ``ordered`` says whether it was set
    (the map then orders such themes by appearance, after the listed ones).
    """

    name: str
    label: str
    color: str
    order: int = 99
    keywords: Mapping[str, float] = field(default_factory=dict)
    ordered: bool = True


@dataclass(frozen=True)
class ThemeVocab:
    """``themes.toml``: the themes in legend order and how a task's theme is scored."""

    themes: Mapping[str, Theme]
    title_weight: float = 3.0
    text_share_weight: float = 4.0
    text_cap: int = 3
    text_saturation: float = 8.0
    min_score: float = 2.5
    min_margin: float = 1.25
    #: the theme of a task (and of its places) that no theme claims
    default: str = FALLBACK_DEFAULT_THEME
    #: kind of place → theme ([kinds]); weights of a feature's signals ([feature])
    kinds: Mapping[str, str] = field(default_factory=dict)
    task_weight: float = 3.0
    ancestor_weight: float = 1.0
    sentence_weight: float = 2.0
    #: inside a 专栏 box (a list of mixed projects) its title weighs less and each row's own sentence more
    box_task_weight: float = 3.0
    box_sentence_weight: float = 2.0
    kind_weight: float = 2.0
    #: kinds whose names are designations (a 经济带, a 商务区): the name's head keyword says their theme
    named_kinds: frozenset[str] = frozenset()
    name_weight: float = 0.0
    name_min_weight: float = 2.0


def themes(path: Path | None = None) -> ThemeVocab:
    """``maps/themes.toml`` (or ``path``): themes sorted by ``order``, plus the scoring rules."""
    return typed(path or maps_file("themes.toml"), _themes_of)


def _theme_tables(data: Mapping[str, Any]) -> Mapping[str, Any]:
    # the file keeps its themes under [themes.X]; [theme.X] and top-level [X] are read too
    for wrapper in ("themes", "theme"):
        inner = data.get(wrapper)
        if isinstance(inner, dict) and all(isinstance(v, dict) for v in inner.values()):
            return inner
    return {k: v for k, v in data.items() if isinstance(v, dict) and k not in ("scoring", "feature", "kinds")}


def _themes_of(data: dict[str, Any]) -> ThemeVocab:
    scoring = data.get("scoring", {})
    feature = data.get("feature", {})
    listed = [
        Theme(
            name=name,
            label=str(spec.get("label") or name),
            color=str(spec.get("color") or ""),
            order=int(spec.get("order", 99)),
            keywords=_freeze({k: float(v) for k, v in spec.get("keywords", {}).items()}),
            ordered="order" in spec,
        )
        for name, spec in _theme_tables(data).items()
    ]
    listed.sort(key=lambda t: t.order)
    return ThemeVocab(
        themes=_freeze({t.name: t for t in listed}),
        title_weight=float(scoring.get("title_weight", 3.0)),
        text_share_weight=float(scoring.get("text_share_weight", 4.0)),
        text_cap=int(scoring.get("text_cap", 3)),
        text_saturation=float(scoring.get("text_saturation", 8.0)),
        min_score=float(scoring.get("min_score", 2.5)),
        min_margin=float(scoring.get("min_margin", 1.25)),
        default=str(scoring.get("default", FALLBACK_DEFAULT_THEME)),
        kinds=_freeze({k: str(v) for k, v in data.get("kinds", {}).items() if v in {t.name for t in listed}}),
        task_weight=float(feature.get("task_weight", 3.0)),
        ancestor_weight=float(feature.get("ancestor_weight", 1.0)),
        sentence_weight=float(feature.get("sentence_weight", 2.0)),
        box_task_weight=float(feature.get("box_task_weight", feature.get("task_weight", 3.0))),
        box_sentence_weight=float(feature.get("box_sentence_weight", feature.get("sentence_weight", 2.0))),
        kind_weight=float(feature.get("kind_weight", 2.0)),
        named_kinds=frozenset(str(k) for k in feature.get("named_kinds", ())),
        name_weight=float(feature.get("name_weight", 0.0)),
        name_min_weight=float(feature.get("name_min_weight", 2.0)),
    )


def default_theme() -> str:
    """The theme ``themes.toml`` gives to anything no theme claims (其他 if the file is missing)."""
    try:
        return themes().default
    except (FileNotFoundError, VocabError):
        return FALLBACK_DEFAULT_THEME


# ----------------------------------------------------- administrative names
@dataclass(frozen=True)
class AdminNameVocab:
    """``admin_names.toml``: the suffixes that shorten an official administrative name.

    ``suffixes`` maps a level (province, city, district, town, street) to its
    suffixes, longest first; ``autonomous`` suffixes also strip the ethnic
    names before them (长阳土家族自治县 → 长阳); a stem keeps ``min_stem`` characters.
    """

    min_stem: int
    suffixes: Mapping[str, tuple[str, ...]]
    autonomous: tuple[str, ...]
    ethnic: tuple[str, ...]


def admin_names(path: Path | None = None) -> AdminNameVocab:
    return typed(path or layers_file("admin_names.toml"), _admin_names_of)


def _longest_first(words: Any) -> tuple[str, ...]:
    return tuple(sorted((str(w) for w in words), key=len, reverse=True))


def _admin_names_of(data: dict[str, Any]) -> AdminNameVocab:
    return AdminNameVocab(
        min_stem=int(data.get("min_stem", 2)),
        suffixes=_freeze({k: _longest_first(v) for k, v in data.get("suffixes", {}).items()}),
        autonomous=_longest_first(data.get("autonomous", {}).get("suffixes", ())),
        ethnic=_longest_first(data.get("ethnic", {}).get("names", ())),
    )


# ------------------------------------------------------ regions and groups
def regions(path: Path | None = None) -> Mapping[str, str]:
    """Macro-region names (长三角, 亚太…) → the kind they are reported as; empty without the file.

    They name no gazetteer feature yet a planner expects them on the list.
    """
    p = path or layers_file("regions.toml")
    if not p.exists():
        return _freeze({})
    return typed(p, _regions_of)


def _regions_of(data: dict[str, Any]) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for group in data.values():
        kind = group.get("kind", "zone")
        for name in group.get("names", ()):
            out[name] = kind
    return _freeze(out)


@dataclass(frozen=True)
class GroupVocab:
    """``groups.toml``: names that stand for several places (青西三镇) and how to spot new ones."""

    counts: str = ""
    heads: tuple[str, ...] = ()
    max_stem: int = 3
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def groups(path: Path | None = None) -> GroupVocab:
    p = path or layers_file("groups.toml")
    if not p.exists():
        return GroupVocab()
    return typed(p, _groups_of)


def _groups_of(data: dict[str, Any]) -> GroupVocab:
    pattern = data.get("pattern", {})
    return GroupVocab(
        counts=str(pattern.get("counts", "")),
        heads=tuple(pattern.get("heads", ())),
        max_stem=int(pattern.get("max_stem", 3)),
        members=_freeze({name: tuple(spec.get("members", ())) for name, spec in data.get("groups", {}).items()}),
    )


# ---------------------------------------------------------- OSM import
@dataclass(frozen=True)
class OsmTagRule:
    """One line of ``osm_tags.toml``: features whose ``key`` has one of ``values`` ("*": any) are ``kind``."""

    key: str
    values: tuple[str, ...]
    kind: str
    unless: tuple[tuple[str, str], ...] = ()

    def matches(self, tags: Mapping[str, str]) -> bool:
        value = tags.get(self.key)
        if value is None or ("*" not in self.values and value not in self.values):
            return False
        return not any(tags.get(k) == v for k, v in self.unless)


@dataclass(frozen=True)
class OsmTagVocab:
    """``osm_tags.toml``: which OSM features an extract import keeps, their kind and precision."""

    rules: tuple[OsmTagRule, ...]
    precision_m: Mapping[str, float]
    merge_within_m: float
    #: kind → the word its names end with (站 for a station), added where OSM leaves it out
    name_suffix: Mapping[str, str] = field(default_factory=dict)

    def kind_of(self, tags: Mapping[str, str]) -> str | None:
        """The kind of the first rule the tags match, or None (the feature is not imported)."""
        return next((r.kind for r in self.rules if r.matches(tags)), None)


def osm_tags(path: Path | None = None) -> OsmTagVocab:
    return typed(path or layers_file("osm_tags.toml"), _osm_tags_of)


def _osm_tags_of(data: dict[str, Any]) -> OsmTagVocab:
    rules = []
    for i, r in enumerate(data.get("rule", ()), 1):
        try:
            unless = tuple(tuple(u.split("=", 1)) for u in r.get("unless", ()))
            if any(len(u) != 2 for u in unless):
                raise ValueError("'unless' entries are key=value")
            rules.append(OsmTagRule(str(r["key"]), tuple(map(str, r["values"])), str(r["kind"]), unless))  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError) as exc:
            raise VocabError(f"osm_tags.toml: rule {i}: {exc!r} (each rule needs key, values, kind)") from None
    precision = {str(k): float(v) for k, v in data.get("precision_m", {}).items()}
    for geom in ("point", "line", "polygon"):
        precision.setdefault(geom, 100.0)
    suffix = {str(k): str(v) for k, v in data.get("name_suffix", {}).items()}
    return OsmTagVocab(tuple(rules), _freeze(precision), float(data.get("merge_within_m", 2000.0)), _freeze(suffix))
