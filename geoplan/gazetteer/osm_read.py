"""Stream the named features a plan uses out of an OpenStreetMap extract, in chunks.

A provincial extract is hundreds of megabytes of PBF holding tens of millions of
nodes; reading it whole (GDAL's OSM driver into one data frame) takes gigabytes.
Here ``osmium-tool`` does the heavy part in two streaming passes:

1. ``osmium tags-filter`` keeps the objects whose tags match a rule of
   ``layers/vocab/osm_tags.toml`` (and the nodes and members they need), which
   cuts a province to a few per cent of its size;
2. ``osmium export`` builds their geometries (areas from closed ways and
   multipolygon relations) with its node-location index in a file, not in
   memory, and writes one GeoJSON feature per line to a pipe.

Python reads that pipe a line at a time and hands the features on in chunks of
at most ``chunk_size`` lines, so what it holds never grows with the extract.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geoplan.errors import LayerImportError
from geoplan.vocab import OsmTagVocab

#: features handed on at once: the bound on what the reader holds
DEFAULT_CHUNK = 5000
_EXPORT_CONFIG = {"attributes": {"type": True, "id": True}, "format_options": {"print_record_separator": False}}


@dataclass(frozen=True)
class OsmFeature:
    """One OSM object with a geometry: ``n``/``w``/``r`` (``a`` for an area from a way), its id and tags."""

    osm_type: str
    osm_id: int
    tags: dict[str, str]
    geometry: BaseGeometry


def osmium_exe() -> str | None:
    return shutil.which("osmium")


def filter_expressions(rules: OsmTagVocab) -> list[str]:
    """``osmium tags-filter`` expressions for the rules (``nwr/landuse=industrial,commercial``)."""
    by_key: dict[str, set[str]] = {}
    for r in rules.rules:
        by_key.setdefault(r.key, set()).update(r.values)
    return [f"nwr/{k}" if "*" in v else f"nwr/{k}={','.join(sorted(v))}" for k, v in sorted(by_key.items())]


def read_osm_chunks(
    path: Path, rules: OsmTagVocab, chunk_size: int = DEFAULT_CHUNK, progress: bool = False
) -> Iterator[list[OsmFeature]]:
    """The named features of ``path`` (.osm, .osm.pbf…) that some rule keeps, ``chunk_size`` at a time."""
    exe = osmium_exe()
    if exe is None:
        raise LayerImportError(path, "osmium-tool is needed to import an OSM extract (apt-get install osmium-tool)")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    show = ["--progress"] if progress and sys.stderr.isatty() else ["--no-progress"]
    with tempfile.TemporaryDirectory(prefix="geoplan-osm-") as tmp:
        filtered = Path(tmp) / "filtered.osm.pbf"
        _run(path, [exe, "tags-filter", str(path), *filter_expressions(rules), "-o", str(filtered), "--overwrite", *show])
        config = Path(tmp) / "export.json"
        config.write_text(json.dumps(_EXPORT_CONFIG), encoding="utf-8")
        cmd = [exe, "export", str(filtered), "-f", "geojsonseq", "-c", str(config),
               "-i", f"sparse_file_array,{Path(tmp) / 'nodes.idx'}", "--no-progress"]
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors)
            assert proc.stdout is not None
            finished = False
            try:
                lines: list[bytes] = []
                for line in proc.stdout:
                    lines.append(line)
                    if len(lines) >= chunk_size:
                        yield _features(lines)
                        lines = []
                if lines:
                    yield _features(lines)
                finished = True
            finally:
                if not finished:  # the caller stopped early (or failed): osmium is not needed any more
                    proc.kill()
                proc.stdout.close()
                code = proc.wait()
            if code != 0:
                errors.seek(0)
                raise LayerImportError(path, f"osmium export failed: {_hint(errors.read().decode(errors='replace'))}")


def _hint(message: str) -> str:
    """osmium's message, with the fix for the one a hand-written or merged file gives."""
    message = message.strip()
    if "out of order" in message:
        message += " (sort the file first: osmium sort IN -o OUT.osm.pbf)"
    return message


def _run(path: Path, cmd: list[str]) -> None:
    """Run one osmium step; its progress (``--progress``, on stderr) reaches the terminal, its errors the message."""
    if "--progress" in cmd:  # stderr left to the terminal so the bar shows; the exit code still decides
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL)
        if done.returncode != 0:
            raise LayerImportError(path, f"osmium cannot read it (exit {done.returncode}; its message is above)")
        return
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise LayerImportError(path, f"osmium cannot read it: {_hint(done.stderr.decode(errors='replace'))}")


def _features(lines: list[bytes]) -> list[OsmFeature]:
    """The named objects among GeoJSON lines of ``osmium export`` (geometries parsed by GEOS, all at once)."""
    kept: list[tuple[bytes, dict[str, Any]]] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        raw: dict[str, Any] = json.loads(line)
        props = raw.get("properties") or {}
        if str(props.get("name") or "").strip() and raw.get("geometry"):
            kept.append((line, props))
    geoms = shapely.from_geojson([line for line, _ in kept]) if kept else []
    out: list[OsmFeature] = []
    for (_, props), geom in zip(kept, geoms):
        osm_type = str(props.pop("@type", "node"))[:1]
        osm_id = int(props.pop("@id", 0))
        if osm_type == "w" and geom.geom_type in ("Polygon", "MultiPolygon"):
            osm_type = "a"  # the area of a closed way: its line is exported too
        out.append(OsmFeature(osm_type, osm_id, {str(k): str(v) for k, v in props.items()}, geom))
    return out
