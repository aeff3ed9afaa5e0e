"""Multi-plan builds: one layer per plan, and one merged row per place.

A build of several plans holds one feature per (plan, place): 淀山湖 named by
two plans is two features sharing an ``entity_id`` (the gazetteer id, see
:func:`geoplan.output.tables.entity_id`).  A planner comparing plans wants both
views: each plan alone (:func:`split_by_plan`) and every place once, with the
plans, tasks and themes that name it (:func:`merge_entities`, the ``entities``
layer of the GeoPackage and of PostGIS).
"""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import pandas as pd

from geoplan.output.tables import CRS, LIST_SEPARATOR, OutputTables, split_list
from geoplan.records import PRECISIONS

#: fields of the merged ``entities`` layer, in order (documented in README.md)
ENTITY_COLUMNS: tuple[str, ...] = (
    "entity_id",
    "name",
    "kind",
    "plans",
    "docs",
    "doc_titles",
    "regions",
    "feature_ids",
    "task_ids",
    "theme",
    "themes",
    "mentions",
    "located",
    "precision",
    "precision_m",
    "method",
    "confidence",
    "gazetteer_id",
)


def split_by_plan(layers: OutputTables) -> dict[str, OutputTables]:
    """The layers of each plan of a build, keyed by the plan's ``doc``, in doc order."""
    out: dict[str, OutputTables] = {}
    for doc in sorted(layers.features["doc"].unique()):
        f = layers.features[layers.features["doc"] == doc].reset_index(drop=True)
        m = layers.mentions[layers.mentions["doc"] == doc].reset_index(drop=True)
        u = layers.unresolved[layers.unresolved["doc"] == doc].reset_index(drop=True)
        out[str(doc)] = OutputTables(features=f, mentions=m, unresolved=u)
    return out


def _join(values) -> str:
    return LIST_SEPARATOR.join(dict.fromkeys(str(v) for v in values if v is not None and str(v) != ""))


def _best(group: pd.DataFrame) -> pd.Series:
    """The feature whose location is most trustworthy: finest precision, then highest confidence."""
    rank = group["precision"].map(lambda p: PRECISIONS.index(p) if p in PRECISIONS else len(PRECISIONS))
    order = pd.DataFrame({"rank": rank, "conf": -group["confidence"].fillna(0), "id": group["id"]})
    return group.loc[order.sort_values(["rank", "conf", "id"]).index[0]]


def merge_entities(layers: OutputTables) -> gpd.GeoDataFrame:
    """One row per ``entity_id`` across every plan of the build.

    ``themes`` is the union of the themes each plan gives the place (most
    frequent first), ``task_ids`` lists ``doc:task_id`` per plan, and the
    geometry is that of the best-located feature, so a place one plan names
    vaguely still shows where another plan pins it.
    """
    feats = layers.features
    rows, geoms = [], []
    for eid, g in feats.groupby("entity_id", sort=True):
        best = _best(g)
        themes: Counter[str] = Counter()
        for v in g["themes"]:
            themes.update(split_list(v))
        primary = Counter(g["theme"]).most_common()
        rows.append(
            {
                "entity_id": eid,
                "name": best["name"],
                "kind": best["kind"],
                "plans": int(g["doc"].nunique()),
                "docs": _join(sorted(g["doc"].unique())),
                "doc_titles": _join(g.sort_values("doc")["doc_title"]),
                "regions": _join(g.sort_values("doc")["region"]),
                "feature_ids": _join(sorted(g["id"])),
                "task_ids": _join(f"{d}:{t}" for d, t in sorted(zip(g["doc"], g["task_id"]))),
                "theme": sorted(primary, key=lambda kv: (-kv[1], kv[0]))[0][0],
                "themes": _join(t for t, _ in sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))),
                "mentions": int(g["mentions"].sum()),
                "located": bool(g["located"].any()),
                "precision": best["precision"],
                "precision_m": best["precision_m"],
                "method": best["method"],
                "confidence": float(best["confidence"]),
                "gazetteer_id": best["gazetteer_id"],
            }
        )
        geoms.append(best.geometry)
    df = pd.DataFrame(rows, columns=list(ENTITY_COLUMNS))
    out = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)
    out["plans"] = out["plans"].astype("int64")
    out["mentions"] = out["mentions"].astype("int64")
    out["located"] = out["located"].astype(bool)
    out["precision_m"] = pd.to_numeric(out["precision_m"], errors="coerce").astype("float64")
    out["confidence"] = out["confidence"].astype("float64")
    return out
