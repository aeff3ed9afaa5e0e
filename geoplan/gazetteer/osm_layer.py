"""Turn the features streamed out of an OSM extract into one user layer, memory bounded.

OSM maps one river as hundreds of ways, one park as several polygons, one
station as a node and an outline.  A gazetteer with 300 features named 秦淮河
would call the name ambiguous, so pieces of one kind and name that lie within
``merge_within_m`` of each other (``layers/vocab/osm_tags.toml``) become one
feature; pieces further apart stay apart (every county has its 小河).

Merging needs every piece of a name together, which a province cannot hold in
memory: the pieces are spooled to a temporary SQLite file as they stream in
(:mod:`geoplan.gazetteer.osm_read` hands them over in chunks), then read back
one name at a time in name order and written to the layer file as they are
merged.  What is held at once is one chunk while reading and one name's pieces
while merging.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from tqdm import tqdm

from geoplan import vocab
from geoplan.atomic import atomic_path
from geoplan.datum import M_PER_DEG
from geoplan.errors import LayerImportError
from geoplan.gazetteer.osm_read import DEFAULT_CHUNK, OsmFeature, read_osm_chunks

log = logging.getLogger(__name__)

OSM_LICENSE = "ODbL-1.0 — © OpenStreetMap contributors"
#: tags whose values are other names of the feature (``;`` separates several)
ALIAS_TAGS = ("name:zh", "name:zh-Hans", "alt_name", "alt_name:zh", "official_name", "short_name", "old_name")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_POINT, _LINE, _POLYGON = 0, 1, 2


@dataclass
class OsmImport:
    """What an import read and wrote: the figures the CLI and the bench print."""

    path: Path
    objects: int = 0
    chunks: int = 0
    #: the most features held at once while reading (never above the chunk size)
    max_chunk: int = 0
    #: the most pieces of one name held at once while merging
    max_group: int = 0
    features: int = 0
    by_kind: Counter = field(default_factory=Counter)


def import_osm(
    path: Path,
    out: Path,
    *,
    county_of: Callable[[BaseGeometry], Any] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: bool = False,
    license: str = OSM_LICENSE,
    rules: vocab.OsmTagVocab | None = None,
) -> OsmImport:
    """Import the named features of ``path`` that ``osm_tags.toml`` keeps into the GeoJSON layer ``out``."""
    rules = rules or vocab.osm_tags()
    geometry_of = {k: info.geometry for k, info in vocab.kinds().items()}
    unknown = {r.kind for r in rules.rules} - set(geometry_of)
    if unknown:
        raise LayerImportError(path, f"osm_tags.toml names unknown kind(s) {sorted(unknown)}", field="kind")
    stats = OsmImport(out)
    with tempfile.TemporaryDirectory(prefix="geoplan-osm-spool-") as tmp:
        db = sqlite3.connect(Path(tmp) / "pieces.sqlite")
        db.execute("CREATE TABLE piece (kind TEXT, name TEXT, gtype INT, osm TEXT, aliases TEXT, wkb BLOB)")
        bar = tqdm(desc=f"reading {path.name}", unit=" features", disable=not progress, leave=False)
        for chunk in read_osm_chunks(path, rules, chunk_size, progress=progress):
            stats.chunks += 1
            stats.max_chunk = max(stats.max_chunk, len(chunk))
            stats.objects += len(chunk)
            db.executemany("INSERT INTO piece VALUES (?, ?, ?, ?, ?, ?)", _rows(chunk, rules))
            bar.update(len(chunk))
        bar.close()
        db.execute("CREATE INDEX piece_name ON piece (kind, name)")
        total = db.execute("SELECT COUNT(*) FROM (SELECT DISTINCT kind, name FROM piece)").fetchone()[0]
        rows = db.execute("SELECT kind, name, gtype, osm, aliases, wkb FROM piece ORDER BY kind, name, osm")
        groups = tqdm(itertools.groupby(rows, key=lambda r: (r[0], r[1])), total=total, desc="merging",
                      unit=" names", disable=not progress, leave=False)
        tol = rules.merge_within_m / M_PER_DEG

        def features() -> Iterator[dict[str, Any]]:
            for (kind, name), pieces in groups:
                group = list(pieces)
                stats.max_group = max(stats.max_group, len(group))
                for cluster in _clusters(group, tol):
                    feat = _feature(path, kind, name, cluster, geometry_of.get(kind, "point"), rules, license, county_of)
                    if feat is not None:
                        stats.features += 1
                        stats.by_kind[kind] += 1
                        yield feat

        header = {"imported_from": path.name, "imported_path": str(path.resolve()), "source_crs": "EPSG:4326",
                  "default_license": license, "osm_rules": "layers/vocab/osm_tags.toml"}
        _write_layer(out, header, features())
        db.close()
    if stats.features == 0:
        out.unlink(missing_ok=True)
        raise LayerImportError(path, "no named OSM feature matches a rule of layers/vocab/osm_tags.toml", field="name")
    return stats


def _rows(chunk: Iterable[OsmFeature], rules: vocab.OsmTagVocab) -> list[tuple[Any, ...]]:
    kept: list[tuple[Any, ...]] = []
    for f in chunk:
        kind = rules.kind_of(f.tags)
        if kind is None:
            continue
        name, aliases = _names(f.tags)
        if not name or f.geometry.is_empty:
            continue
        suffix = rules.name_suffix.get(kind)
        if suffix:
            name = name if name.endswith(suffix) else name + suffix
            named = (a if a.endswith(suffix) else a + suffix for a in aliases)
            aliases = tuple(dict.fromkeys(a for a in named if a != name))
        gtype = _POLYGON if f.geometry.geom_type in ("Polygon", "MultiPolygon") else (
            _LINE if f.geometry.geom_type in ("LineString", "MultiLineString") else _POINT)
        kept.append((kind, name, gtype, f"{f.osm_type}{f.osm_id}", "\t".join(aliases), f.geometry))
    wkb = shapely.to_wkb([r[5] for r in kept]) if kept else []
    return [(*r[:5], w) for r, w in zip(kept, wkb)]


def _names(tags: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The Chinese name (``name``, else ``name:zh`` when ``name`` has no Chinese) and the other names."""
    name = tags.get("name", "").strip()
    if not _HAN.search(name):
        name = next((tags[k].strip() for k in ("name:zh", "name:zh-Hans") if _HAN.search(tags.get(k, ""))), name)
    others = (a.strip() for k in ALIAS_TAGS for a in tags.get(k, "").split(";"))
    return name, tuple(dict.fromkeys(a for a in others if a and a != name and _HAN.search(a)))


def _clusters(group: Sequence[tuple[Any, ...]], tol: float) -> list[list[tuple[Any, ...]]]:
    """Pieces of one name joined when they lie within ``tol`` degrees of each other (union–find).

    Each piece comes back as its row with the decoded geometry appended.
    """
    geoms = list(shapely.from_wkb([r[5] for r in group]))
    if len(group) == 1:
        return [[(*group[0], geoms[0])]]
    parent = list(range(len(group)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    left, right = STRtree(geoms).query(geoms, predicate="dwithin", distance=tol)
    for a, b in zip(left.tolist(), right.tolist()):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    out: dict[int, list[tuple[Any, ...]]] = {}
    for i, r in enumerate(group):
        out.setdefault(root(i), []).append((*r, geoms[i]))
    return list(out.values())


def _feature(
    path: Path,
    kind: str,
    name: str,
    cluster: Sequence[tuple[Any, ...]],
    expected: str,
    rules: vocab.OsmTagVocab,
    license: str,
    county_of: Callable[[BaseGeometry], Any] | None,
) -> dict[str, Any] | None:
    """One gazetteer feature from the pieces of one place, in the geometry its kind expects."""
    order = (_LINE, _POLYGON, _POINT) if expected == "line" else (_POLYGON, _LINE, _POINT)
    gtype = next(g for g in order if any(r[2] == g for r in cluster))
    pieces = [r for r in cluster if r[2] == gtype]
    geoms = [r[6] for r in pieces]
    if gtype == _POINT or len(geoms) == 1:
        geom = geoms[0]  # most names are one object: no union to pay for
    elif gtype == _POLYGON:
        geom = shapely.unary_union(geoms)
    else:
        geom = shapely.line_merge(shapely.unary_union(geoms))
    if gtype == _POLYGON and not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type.startswith("Multi") and len(geom.geoms) == 1:
        geom = geom.geoms[0]  # osmium writes every area as a MultiPolygon
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        log.warning("%s: %s %s has coordinates outside lon/lat: skipped", path, kind, name)
        return None
    refs = [r[3] for r in pieces]
    aliases = list(dict.fromkeys(a for r in cluster for a in r[4].split("\t") if a))
    county = county_of(geom.representative_point()) if county_of is not None else None
    more = f" and {len(refs) - 3} more" if len(refs) > 3 else ""
    props: dict[str, Any] = {
        "id": f"osm-{refs[0]}",
        "name": name,
        "aliases": aliases,
        "kind": kind,
        "admin_code": getattr(county, "admin_code", None),
        "precision_m": rules.precision_m["polygon" if gtype == _POLYGON else "line" if gtype == _LINE else "point"],
        "source": f"OpenStreetMap extract {path.name}: {', '.join(refs[:3])}{more}",
        "license": license,
        "source_crs": "EPSG:4326",
    }
    if len(refs) > 1:
        props["note"] = f"merged from {len(refs)} OSM objects of this name"
    return {"type": "Feature", "properties": props, "geometry": geom}


def _write_layer(out: Path, header: dict[str, Any], features: Iterable[dict[str, Any]]) -> None:
    """Write a GeoJSON FeatureCollection one feature at a time (atomic: a temporary file, then renamed)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection",\n"geoplan": ')
        fh.write(json.dumps(header, ensure_ascii=False))
        fh.write(',\n"features": [\n')
        for i, feat in enumerate(features):
            if i:
                fh.write(",\n")
            # GEOS writes the coordinates: json.dumps of nested lists is the slow part of a province
            fh.write('{"type": "Feature", "properties": ')
            fh.write(json.dumps(feat["properties"], ensure_ascii=False))
            fh.write(', "geometry": ')
            fh.write(shapely.to_geojson(feat["geometry"]))
            fh.write("}")
        fh.write("\n]}\n")
