"""Located plan features → the layers planners use (geopandas).

One schema for every output (GeoJSON, GeoPackage, Shapefile, CSV, PostGIS and
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

from geoplan.records import Mention, PlanFeature

CRS = "EPSG:4326"

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
class Layers:
    """The three tables of a build."""

    features: gpd.GeoDataFrame
    mentions: pd.DataFrame
    unresolved: pd.DataFrame

    @property
    def located(self) -> gpd.GeoDataFrame:
        return self.features[self.features["located"]]

    def themes(self) -> list[str]:
        return sorted(self.features["theme"].dropna().unique())

    def by_theme(self) -> dict[str, gpd.GeoDataFrame]:
        return {t: self.features[self.features["theme"] == t] for t in self.themes()}


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


def build_layers(features: Iterable[PlanFeature]) -> Layers:
    rows = []
    geoms = []
    mention_rows = []
    unresolved_rows = []
    for f in features:
        first = f.first_task_mention
        loc = f.location
        themes = Counter(m.theme for m in f.mentions if m.is_task) or Counter(m.theme for m in f.mentions)
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
                "theme": first.theme,
                "themes": ";".join(t for t, _ in themes.most_common()),
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
                "aliases": ";".join(dict.fromkeys(m.surface for m in f.mentions if m.surface != f.name)),
                "origin": ";".join(sorted({m.origin for m in f.mentions})),
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
                    "theme": first.theme,
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
    return Layers(features=gdf, mentions=mentions, unresolved=unresolved)


def report(layers: Layers) -> dict:
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
