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


def _rank(rec: dict) -> tuple:
    """Sort key of the most trustworthy location: finest precision, then highest confidence, then id."""
    p = rec["precision"]
    conf = rec["confidence"]
    conf = 0.0 if conf is None or pd.isna(conf) else float(conf)
    return (PRECISIONS.index(p) if p in PRECISIONS else len(PRECISIONS), -conf, rec["id"])


def merge_entities(layers: OutputTables) -> gpd.GeoDataFrame:
    """One row per ``entity_id`` across every plan of the build.

    ``themes`` is the union of the themes each plan gives the place (most
    frequent first), ``task_ids`` lists ``doc:task_id`` per plan, and the
    geometry is that of the best-located feature, so a place one plan names
    vaguely still shows where another plan pins it.  Rows are grouped as plain
    records: pandas operations per group cost a few milliseconds each, seconds
    over a build's hundreds of places.
    """
    feats = layers.features
    geom_col = feats.geometry.name
    groups: dict[object, list[dict]] = {}
    for rec in feats.to_dict("records"):
        eid = rec["entity_id"]
        if eid is None or pd.isna(eid):  # as groupby: a feature without an entity joins none
            continue
        groups.setdefault(eid, []).append(rec)
    rows, geoms = [], []
    for eid in sorted(groups):
        g = groups[eid]
        best = min(g, key=_rank)
        by_doc = sorted(g, key=lambda r: r["doc"])  # stable: features of one plan keep their order
        themes: Counter[str] = Counter()
        for r in g:
            themes.update(split_list(r["themes"]))
        primary = Counter(r["theme"] for r in g).most_common()
        rows.append(
            {
                "entity_id": eid,
                "name": best["name"],
                "kind": best["kind"],
                "plans": len({r["doc"] for r in g}),
                "docs": _join(sorted({r["doc"] for r in g})),
                "doc_titles": _join(r["doc_title"] for r in by_doc),
                "regions": _join(r["region"] for r in by_doc),
                "feature_ids": _join(sorted(r["id"] for r in g)),
                "task_ids": _join(f"{d}:{t}" for d, t in sorted((r["doc"], r["task_id"]) for r in g)),
                "theme": sorted(primary, key=lambda kv: (-kv[1], kv[0]))[0][0],
                "themes": _join(t for t, _ in sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))),
                "mentions": int(sum(r["mentions"] for r in g)),
                "located": any(bool(r["located"]) for r in g),
                "precision": best["precision"],
                "precision_m": best["precision_m"],
                "method": best["method"],
                "confidence": float(best["confidence"]),
                "gazetteer_id": best["gazetteer_id"],
            }
        )
        geoms.append(best[geom_col])
    df = pd.DataFrame(rows, columns=list(ENTITY_COLUMNS))
    out = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)
    out["plans"] = out["plans"].astype("int64")
    out["mentions"] = out["mentions"].astype("int64")
    out["located"] = out["located"].astype(bool)
    out["precision_m"] = pd.to_numeric(out["precision_m"], errors="coerce").astype("float64")
    out["confidence"] = out["confidence"].astype("float64")
    return out
