"""Located plan features → the three output tables of a build (geopandas).

"Output tables" (features, mentions, unresolved) are what a build writes; they
are not the gazetteer's input layers under ``layers/``.  One schema for every output (GeoJSON, GeoPackage, Shapefile, CSV, PostGIS and
the map): :data:`FEATURE_COLUMNS` for features, :data:`MENTION_COLUMNS` for the
mentions table and :data:`UNRESOLVED_COLUMNS` for names that could not be
located.  Everything is WGS-84 (EPSG:4326).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geoplan.outline.themes import feature_themes
from geoplan.records import Mention, PlanFeature

CRS = "EPSG:4326"

#: columns that are lists joined with ``;`` (themes, aliases, origins)
LIST_SEPARATOR = ";"

#: feature fields, in order (README.md documents each)
FEATURE_COLUMNS: tuple[str, ...] = (
    "id",
    "entity_id",
    "name",
    "kind",
    "doc",
    "doc_title",
    "region",
    "task_id",
    "task_path",
    "task_top",
    "theme",
    "themes",
    "mentions",
    "quote",
    "located",
    "precision",
    "precision_m",
    "method",
    "confidence",
    "reason",
    "source",
    "source_crs",
    "gazetteer_id",
    "aliases",
    "origin",
)

MENTION_COLUMNS: tuple[str, ...] = (
    "feature_id",
    "doc",
    "name",
    "surface",
    "start",
    "end",
    "raw_start",
    "raw_end",
    "sentence",
    "task_id",
    "task_path",
    "theme",
    "is_task",
    "origin",
    "rule",
    "name_confidence",
)

UNRESOLVED_COLUMNS: tuple[str, ...] = (
    "feature_id",
    "name",
    "doc",
    "kind",
    "reason",
    "detail",
    "candidates",
    "quote",
    "task_path",
    "theme",
)


def split_list(value: object) -> list[str]:
    """``"交通;生态"`` → ``["交通", "生态"]`` (empty and missing values give ``[]``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [p for p in str(value).split(LIST_SEPARATOR) if p]


def feature_id(doc: str, name: str) -> str:
    """Stable id of a plan feature: the plan's stem and a hash of the name."""
    return f"{doc}:{hashlib.sha1(name.encode('utf-8')).hexdigest()[:10]}"


def entity_id(f: PlanFeature) -> str:
    """Shared by the same place across plans: its gazetteer id, else its name."""
    # only a feature that *is* the gazetteer feature shares its id; one placed at
    # a place it merely lies in (contained-name, admin-fallback) is its own entity
    stands_for_itself = f.location.method in ("exact", "alias", "override")
    key = f.location.gazetteer_id if f.location.gazetteer_id and stands_for_itself else f"name:{f.name}"
    return "e-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


@dataclass
class OutputTables:
    """The three tables of a build: what every exporter writes and every reader returns."""

    features: gpd.GeoDataFrame
    mentions: pd.DataFrame
    unresolved: pd.DataFrame

    @property
    def located(self) -> gpd.GeoDataFrame:
        return self.features[self.features["located"]]


def mention_row(m: Mention) -> dict:
    """One row of the mentions table (every column but ``feature_id``)."""
    return {
        "doc": m.doc,
        "name": m.name,
        "surface": m.surface,
        "start": m.span[0],
        "end": m.span[1],
        "raw_start": m.raw_span[0],
        "raw_end": m.raw_span[1],
        "sentence": m.sentence,
        "task_id": m.task_id,
        "task_path": m.task_path,
        "theme": m.theme,
        "is_task": m.is_task,
        "origin": m.origin,
        "rule": m.rule,
        "name_confidence": m.confidence,
    }


def _top(task_id: str) -> str:
    return task_id.split("/", 1)[0] if task_id else ""


def build_tables(features: Iterable[PlanFeature]) -> OutputTables:
    """One features row per plan feature, one mentions row per mention, one unresolved row per unlocated one."""
    rows = []
    geoms = []
    mention_rows = []
    unresolved_rows = []
    for f in features:
        first = f.first_task_mention
        loc = f.location
        theme, themes = feature_themes(f.mentions, f.kind)
        fid = f.id
        rows.append(
            {
                "id": fid,
                "entity_id": f.entity_id or entity_id(f),
                "name": f.name,
                "kind": f.kind,
                "doc": f.doc,
                "doc_title": f.doc_title,
                "region": f.region,
                "task_id": first.task_id,
                "task_path": first.task_path,
                "task_top": _top(first.task_id),
                "theme": theme,
                "themes": LIST_SEPARATOR.join(themes),
                "mentions": len(f.mentions),
                "quote": first.sentence,
                "located": loc.located,
                "precision": loc.precision if loc.located else "none",
                "precision_m": float(loc.precision_m) if loc.located and loc.precision_m is not None else None,
                "method": loc.method,
                "confidence": float(loc.confidence),
                "reason": loc.reason,
                "source": loc.source,
                "source_crs": loc.source_crs,
                "gazetteer_id": loc.gazetteer_id or "",
                "aliases": LIST_SEPARATOR.join(dict.fromkeys(m.surface for m in f.mentions if m.surface != f.name)),
                "origin": LIST_SEPARATOR.join(sorted({m.origin for m in f.mentions})),
            }
        )
        geoms.append(loc.geometry)
        for m in f.mentions:
            mention_rows.append({"feature_id": fid, **mention_row(m)})
        if not loc.located:
            unresolved_rows.append(
                {
                    "feature_id": fid,
                    "name": f.name,
                    "doc": f.doc,
                    "kind": f.kind,
                    "reason": loc.unresolved_reason or "not-found",
                    "detail": loc.reason,
                    "candidates": "; ".join(loc.candidates),
                    "quote": first.sentence,
                    "task_path": first.task_path,
                    "theme": theme,
                }
            )
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows, columns=list(FEATURE_COLUMNS)), geometry=geoms, crs=CRS)
    if len(gdf):
        gdf = gdf.sort_values(["doc", "id"], kind="stable").reset_index(drop=True)
    gdf["mentions"] = gdf["mentions"].astype("int64")
    gdf["located"] = gdf["located"].astype(bool)
    gdf["confidence"] = gdf["confidence"].astype("float64")
    gdf["precision_m"] = pd.to_numeric(gdf["precision_m"], errors="coerce").astype("float64")
    mentions = pd.DataFrame(mention_rows, columns=list(MENTION_COLUMNS))
    unresolved = pd.DataFrame(unresolved_rows, columns=list(UNRESOLVED_COLUMNS))
    return OutputTables(features=gdf, mentions=mentions, unresolved=unresolved)


def report(layers: OutputTables) -> dict:
    """Counts a planner checks first: how much was found and how well it was placed."""
    f = layers.features
    located = f[f["located"]]
    per_doc = {}
    for doc, g in f.groupby("doc", sort=True):
        per_doc[str(doc)] = {
            "features": int(len(g)),
            "located": int(g["located"].sum()),
            "mentions": int(layers.mentions[layers.mentions["doc"] == doc].shape[0]),
        }
    return {
        "mentions": int(len(layers.mentions)),
        "features": int(len(f)),
        "located": int(len(located)),
        "unresolved": int(len(f) - len(located)),
        "located_by_precision": {k: int(v) for k, v in sorted(Counter(located["precision"]).items())},
        "located_by_method": {k: int(v) for k, v in sorted(Counter(located["method"]).items())},
        "unresolved_by_reason": {k: int(v) for k, v in sorted(Counter(layers.unresolved["reason"]).items())},
        "features_by_theme": {k: int(v) for k, v in sorted(Counter(f["theme"]).items())},
        "docs": per_doc,
    }
