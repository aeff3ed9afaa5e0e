"""Select part of a build: by theme, plan task, kind, plan, area and precision.

One meaning everywhere: the ``geoplan filter`` command, the per-theme layers of
the GeoPackage and GeoJSON exports and any script calling
:func:`filter_layers` select the same features for the same values.

- Several values of one option are alternatives (``--theme 交通 --theme 生态``:
  either); different options must all hold.
- ``theme`` keeps a feature the plan names under that theme in *any* task (its
  ``themes`` list), not only under the theme of its first task: a lake named in
  an ecology task and again in a tourism task belongs to both maps.
- ``task`` is a task id prefix on whole path segments (``四/(四)`` keeps
  ``四/(四)`` and ``四/(四)/1`` but not ``四/(四十)``), matched against every task
  mention of the feature, not only its first; full-width brackets are accepted.
- ``doc`` is a plan's file stem or the part before its first ``_`` (``000``).
- ``within`` is an administrative name or code (青浦区, 310118), resolved through
  the gazetteer; a located feature is kept when its geometry touches the unit,
  an unlocated one when the plan's ``region`` lies in the unit.
- ``precision`` is one of ``feature``, ``town``, ``district``, ``city``, ``none``.

An unknown value raises :class:`geoplan.errors.FilterError` listing the allowed
ones, so a typo never silently gives an empty layer.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd
import shapely

from geoplan.errors import FilterError
from geoplan import vocab
from geoplan.output.tables import OutputTables, split_list
from geoplan.records import PRECISIONS

_BRACKETS = str.maketrans({"（": "(", "）": ")", "／": "/", " ": "", "\u3000": ""})


def _values(v: str | Iterable[str] | None) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def known_themes() -> list[str]:
    """Themes of ``maps/themes.toml``, in legend order."""
    return list(vocab.themes().themes)


def known_kinds() -> list[str]:
    """Kinds of ``layers/vocab/kinds.toml``, in file order."""
    return list(vocab.kinds())


def normalize_task(task: str) -> str:
    """``四／（四）/ 1`` → ``四/(四)/1``: the spelling of task ids in the layers."""
    return str(task).translate(_BRACKETS).strip("/")


def task_matches(task_id: str, prefix: str) -> bool:
    """True when ``prefix`` is ``task_id`` or a leading run of its ``/`` segments."""
    return task_id == prefix or task_id.startswith(prefix + "/")


def present_themes(features: pd.DataFrame) -> list[str]:
    """Every theme a feature of ``features`` is named under (first theme or ``themes`` list), sorted."""
    found = set(features["theme"].dropna()) | {t for v in features["themes"] for t in split_list(v)}
    return sorted(t for t in found if t)


def theme_mask(features: pd.DataFrame, themes: Iterable[str]) -> pd.Series:
    """Features named under any of ``themes`` (primary theme or ``themes`` list)."""
    wanted = set(themes)
    return pd.Series(
        [t in wanted or bool(wanted.intersection(split_list(ts))) for t, ts in zip(features["theme"], features["themes"])],
        index=features.index,
        dtype=bool,
    )


# ------------------------------------------------------------------ options
def _check(field: str, values: list[str], allowed: list[str]) -> None:
    for v in values:
        if v not in allowed:
            raise FilterError(field, v, allowed)


def _task_ids(layers: OutputTables) -> dict[str, set[str]]:
    """Feature id → every task id it is named in (task mentions, and its first task)."""
    out: dict[str, set[str]] = {fid: {tid} if tid else set() for fid, tid in zip(layers.features["id"], layers.features["task_id"])}
    m = layers.mentions
    if len(m):
        task_m = m[m["is_task"].astype(bool)]
        for fid, tid in zip(task_m["feature_id"], task_m["task_id"]):
            if tid and fid in out:
                out[fid].add(tid)
    return out


def _all_prefixes(task_ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    for tid in task_ids:
        parts = tid.split("/")
        for i in range(1, len(parts) + 1):
            seen.add("/".join(parts[:i]))
    return sorted(seen)


def _task_mask(layers: OutputTables, prefixes: list[str]) -> pd.Series:
    ids = _task_ids(layers)
    allowed = _all_prefixes(t for s in ids.values() for t in s)
    norm = [normalize_task(p) for p in prefixes]
    for raw, p in zip(prefixes, norm):
        if p not in allowed:
            raise FilterError("task", raw, allowed)
    return layers.features["id"].map(lambda fid: any(task_matches(t, p) for t in ids.get(fid, ()) for p in norm)).astype(bool)


def _doc_mask(features: pd.DataFrame, docs: list[str]) -> pd.Series:
    stems = sorted(features["doc"].unique())
    allowed = sorted(set(stems) | {s.split("_", 1)[0] for s in stems})
    _check("doc", docs, allowed)
    return features["doc"].map(lambda d: d in docs or d.split("_", 1)[0] in docs).astype(bool)


def _resolve_units(gazetteer, value: str, layers: OutputTables) -> list:
    """The administrative units ``value`` names (a code or a name); FilterError if none."""
    from geoplan.gazetteer.units import AmbiguousUnitError, choices, named_unit

    try:
        unit = named_unit(gazetteer, value)
    except AmbiguousUnitError as exc:
        raise FilterError("within", value, choices(exc.units, limit=len(exc.units))) from None
    units = [unit] if unit is not None else []
    if not units:
        hints = sorted({r for r in layers.features["region"] if r})
        located = layers.features[layers.features["located"]]
        if len(located):
            reps = [g.representative_point() for g in located.geometry]
            hints = sorted(set(hints) | {c.name for c in gazetteer.counties_of(reps) if c is not None})
        raise FilterError("within", value, hints)
    return units


def _within_mask(layers: OutputTables, values: list[str], gazetteer) -> pd.Series:
    from geoplan.gazetteer.admin import significant_prefix

    if gazetteer is None:
        from geoplan.gazetteer import Gazetteer

        gazetteer = Gazetteer.load()
    feats = layers.features
    mask = pd.Series(False, index=feats.index)
    region_codes: dict[str, list[str]] = {}
    for r in feats["region"].unique():
        region_codes[r] = [u.admin_code or "" for u in gazetteer.resolve_admin_name(r)] if r else []
    for v in values:
        for unit in _resolve_units(gazetteer, v, layers):
            prefix = significant_prefix(unit.admin_code or "")
            if unit.geometry is not None:
                geoms = feats.geometry.values
                hit = feats["located"].to_numpy() & ~shapely.is_missing(geoms)
                hit &= shapely.intersects(geoms, unit.geometry)
                mask |= pd.Series(hit, index=feats.index)
            by_region = feats["region"].map(lambda r: any(c.startswith(prefix) for c in region_codes.get(r, [])))
            mask |= ~feats["located"] & by_region.astype(bool)
    return mask


# --------------------------------------------------------------------- main
def filter_layers(
    layers: OutputTables,
    theme: str | Iterable[str] | None = None,
    task: str | Iterable[str] | None = None,
    kind: str | Iterable[str] | None = None,
    doc: str | Iterable[str] | None = None,
    within: str | Iterable[str] | None = None,
    precision: str | Iterable[str] | None = None,
    *,
    gazetteer=None,
) -> OutputTables:
    """The features (with their mentions and unresolved rows) that pass every given option.

    ``gazetteer`` is only needed for ``within`` (loaded on demand when omitted).
    """
    feats = layers.features
    mask = pd.Series(True, index=feats.index)
    themes = _values(theme)
    if themes:
        # a theme the tables hold is valid even if the theme file has dropped it since the build
        _check("theme", themes, list(dict.fromkeys([*known_themes(), *present_themes(feats)])))
        mask &= theme_mask(feats, themes)
    kinds = _values(kind)
    if kinds:
        _check("kind", kinds, known_kinds())
        mask &= feats["kind"].isin(kinds)
    precisions = _values(precision)
    if precisions:
        _check("precision", precisions, list(PRECISIONS))
        mask &= feats["precision"].isin(precisions)
    docs = _values(doc)
    if docs:
        mask &= _doc_mask(feats, docs)
    tasks = _values(task)
    if tasks:
        mask &= _task_mask(layers, tasks)
    areas = _values(within)
    if areas:
        mask &= _within_mask(layers, areas, gazetteer)
    return select(layers, mask)


def select(layers: OutputTables, mask: pd.Series) -> OutputTables:
    """The features where ``mask`` holds, with the mention and unresolved rows of those features."""
    kept: gpd.GeoDataFrame = layers.features[mask.to_numpy()].reset_index(drop=True)
    ids = set(kept["id"])
    mentions = layers.mentions[layers.mentions["feature_id"].isin(ids)].reset_index(drop=True)
    unresolved = layers.unresolved[layers.unresolved["feature_id"].isin(ids)].reset_index(drop=True)
    return OutputTables(features=kept, mentions=mentions, unresolved=unresolved)
