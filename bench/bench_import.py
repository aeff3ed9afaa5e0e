"""Benchmark `geoplan gazetteer import` of an OSM extract: throughput and peak memory.

Writes a synthetic extract (``--nodes`` nodes, default 200,000, on a grid around
杭州; a way every ten nodes: named rivers, roads, industrial zones and unnamed
or unwanted ways; a named station or hospital every fifty nodes, shops that
no rule keeps), converts it to PBF with osmium-tool, then imports it with the
default chunk size and prints nodes and megabytes per second, the features
kept, the largest chunk and name group held, the peak of Python's own heap
(tracemalloc) and the peak resident size of the osmium processes.

A province from Geofabrik is 50–200 times larger; the Python figures should
not grow with it (one chunk, one name's pieces), only the time.

    python bench/bench_import.py [--nodes 200000] [--chunk 5000]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geoplan.gazetteer.osm_layer import import_osm  # noqa: E402
from geoplan.gazetteer.osm_read import DEFAULT_CHUNK  # noqa: E402

WAY_TAGS = (
    '<tag k="waterway" v="river"/><tag k="name" v="河{n}"/>',
    '<tag k="highway" v="primary"/><tag k="name" v="路{n}"/>',
    '<tag k="highway" v="residential"/><tag k="name" v="巷{n}"/>',
    '<tag k="building" v="yes"/>',
    '<tag k="landuse" v="industrial"/><tag k="name" v="工业区{n}"/>',
)
NODE_TAGS = (
    '<tag k="railway" v="station"/><tag k="name" v="站{n}"/>',
    '<tag k="amenity" v="hospital"/><tag k="name" v="医院{n}"/>',
    '<tag k="shop" v="convenience"/><tag k="name" v="店{n}"/>',
)


def write_extract(path: Path, nodes: int, seed: int = 7) -> None:
    """An OSM XML file in id order (nodes, then ways), as osmium expects."""
    rng = random.Random(seed)
    side = int(nodes**0.5) + 1
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"bench\">\n")
        for i in range(1, nodes + 1):
            lon, lat = 119.5 + (i % side) * 0.002, 29.8 + (i // side) * 0.002
            tags = NODE_TAGS[rng.randrange(len(NODE_TAGS))].format(n=i // 500) if i % 50 == 0 else ""
            fh.write(f'<node id="{i}" lat="{lat:.6f}" lon="{lon:.6f}">{tags}</node>\n')
        for w in range(1, nodes // 10 + 1):
            first = (w - 1) * 10 + 1
            refs = list(range(first, first + 10))
            kind = rng.randrange(len(WAY_TAGS))
            if kind == 4:  # a zone: a closed ring
                refs = refs[:4] + [refs[0]]
            nds = "".join(f'<nd ref="{r}"/>' for r in refs)
            # names repeat, so pieces of one river or road are merged
            fh.write(f'<way id="{w}">{nds}{WAY_TAGS[kind].format(n=w // 20)}</way>\n')
        fh.write("</osm>\n")


def _cpu() -> float:
    """CPU seconds of this process and its finished children (osmium): steadier than wall time on a busy machine."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=200_000)
    ap.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    args = ap.parse_args()
    exe = shutil.which("osmium")
    if exe is None:
        sys.exit("osmium-tool is not installed (apt-get install osmium-tool)")
    with tempfile.TemporaryDirectory(prefix="geoplan-bench-osm-") as tmp:
        xml, pbf = Path(tmp) / "synthetic.osm", Path(tmp) / "synthetic.osm.pbf"
        write_extract(xml, args.nodes)
        subprocess.run([exe, "cat", str(xml), "-o", str(pbf), "--no-progress"], check=True)
        mb = pbf.stat().st_size / 1e6
        tracemalloc.start()
        cpu0 = _cpu()
        t = time.perf_counter()
        stats = import_osm(pbf, Path(tmp) / "out.geojson", chunk_size=args.chunk)
        dt = time.perf_counter() - t
        cpu = _cpu() - cpu0
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out_mb = (Path(tmp) / "out.geojson").stat().st_size / 1e6
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e3
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"osm import          {args.nodes:,} nodes, {args.nodes // 10:,} ways ({mb:.1f} MB PBF) in {dt:.1f} s: "
          f"{args.nodes / dt:,.0f} nodes/s, {stats.objects / dt:,.0f} kept objects/s "
          f"({cpu:.1f} s CPU with osmium's: {stats.objects / cpu:,.0f} kept objects per CPU second)")
    print(f"  kept              {stats.objects:,} named objects → {stats.features:,} features ({out_mb:.1f} MB GeoJSON); "
          + ", ".join(f"{k} {n:,}" for k, n in stats.by_kind.most_common()))
    print(f"  memory            chunks of ≤ {args.chunk:,} (largest {stats.max_chunk:,}), largest name group "
          f"{stats.max_group:,} pieces; Python heap peak {heap_peak / 1e6:.1f} MB; "
          f"osmium peak RSS {child:.0f} MB; process max RSS {own:.0f} MB")


if __name__ == "__main__":
    main()
