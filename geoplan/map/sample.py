"""A synthetic plan layer with every column ``render_map`` reads.

For benchmarks (100 to 10,000 features), tests and demos of the map without
running the pipeline.  Names are generated (``示例点0001``); kinds are taken
from ``layers/vocab/kinds.toml`` by the geometry each kind is drawn as, so the
sample follows the vocabulary instead of repeating it.
"""

from __future__ import annotations

import math
import random
from typing import Sequence

import geopandas as gpd
from shapely.geometry import LineString, Point, Polygon

from geoplan import vocab

COLUMNS: tuple[str, ...] = (
    "id", "name", "kind", "doc", "doc_title", "task_id", "task_path", "task_top", "theme", "mentions", "quote",
    "located", "precision", "precision_m", "method", "confidence", "source", "source_crs", "aliases", "entity_id",
)


def _kinds_by_geometry() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"point": [], "line": [], "polygon": []}
    for name, kind in vocab.kinds().items():
        if kind.precision == "feature" and kind.geometry in out:
            out[kind.geometry].append(name)
    for geom, fallback in (("point", "other"), ("line", "other"), ("polygon", "other")):
        out[geom] = out[geom] or [fallback]
    return out


def synthetic_layer(
    n: int,
    themes: Sequence[str],
    center: tuple[float, float],
    *,
    spread_deg: float = 0.25,
    tasks: int = 4,
    approximate_share: float = 0.15,
    unlocated: int = 0,
    seed: int = 0,
) -> gpd.GeoDataFrame:
    """``n`` located features around ``center`` (lon, lat), plus ``unlocated`` rows.

    Half are points (``approximate_share`` of all rows at town/district
    precision, drawn as circles), a quarter lines, a quarter polygons.
    """
    rng = random.Random(seed)
    kinds = _kinds_by_geometry()
    lon0, lat0 = center
    rows = []
    approx_levels = [("town", 1500.0), ("district", 6000.0)]
    for i in range(n + unlocated):
        theme = themes[i % len(themes)]
        t = i % tasks
        x = lon0 + rng.uniform(-spread_deg, spread_deg)
        y = lat0 + rng.uniform(-spread_deg * 0.7, spread_deg * 0.7)
        r = rng.random()
        precision, pm = "feature", 50.0
        if i >= n:
            geom, gkind, precision, pm = None, "point", "none", None
        elif r < approximate_share:
            geom, gkind = Point(x, y), "point"
            precision, pm = approx_levels[i % 2]
        elif r < 0.5:
            geom, gkind = Point(x, y), "point"
        elif r < 0.75:
            pts = [(x + k * 0.01, y + 0.006 * math.sin(k + i)) for k in range(6)]
            geom, gkind, pm = LineString(pts), "line", 300.0
        else:
            s = 0.004 + rng.random() * 0.01
            geom = Polygon([(x, y), (x + s, y), (x + s, y + s * 0.8), (x, y + s)])
            gkind, pm = "polygon", 200.0
        kind = kinds[gkind][i % len(kinds[gkind])]
        name = f"示例{gkind}{i:05d}"
        rows.append(
            {
                "id": f"sample-{i:05d}",
                "name": name,
                "kind": kind,
                "doc": "sample",
                "doc_title": "示例规划",
                "task_id": f"{t + 1}/(一)",
                "task_path": f"任务{t + 1} > 子任务",
                "task_top": str(t + 1),
                "theme": theme,
                "mentions": 1 + i % 3,
                "quote": f"推进{name}建设。",
                "located": geom is not None,
                "precision": precision,
                "precision_m": pm,
                "method": "exact" if precision == "feature" else ("admin-fallback" if geom is not None else "none"),
                "confidence": 0.9 if precision == "feature" else 0.5,
                "source": "synthetic",
                "source_crs": "EPSG:4326",
                "aliases": f"{name[:2]}{i:05d}",
                "entity_id": f"sample-{i:05d}",
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, columns=[*COLUMNS, "geometry"], geometry="geometry", crs="EPSG:4326")
