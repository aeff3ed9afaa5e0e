"""Time to write a build's maps (index, one per plan, one per theme), by assets mode.

Why: a build of five plans writes about twenty maps; with Leaflet inlined in
each, or copied beside each, the same 200 KB of libraries is rendered and
written twenty times.  The five seed plans are built once in memory, then the
maps alone are written ``--repeat`` times per mode into a fresh folder; the
median and the range are printed with the folder's size.  Run::

    python bench/bench_map_write.py [--modes inline files] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modes", nargs="+", default=["inline", "files"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--plans", type=Path, default=CORPUS, help="folder of plans (default: ../shared/corpus)")
    args = ap.parse_args(argv)

    from geoplan import pipeline

    plans = sorted(args.plans.glob("*.txt"))
    if not plans:
        print(f"no plans under {args.plans}", file=sys.stderr)
        return 1
    result = pipeline.build(plans)
    ctx = pipeline.Context()
    print(f"{len(plans)} plans, {len(result.layers.features)} features")
    print(f"{'assets':>8} {'maps':>5} {'write s (median)':>17} {'min–max':>13} {'folder MiB':>11}")
    for mode in args.modes:
        times: list[float] = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                maps = Path(tmp) / "maps"
                t0 = time.perf_counter()
                pipeline._write_maps(result, maps, ctx, mode)
                times.append(time.perf_counter() - t0)
                n = len(list(maps.glob("*.html")))
                size = sum(p.stat().st_size for p in maps.rglob("*") if p.is_file()) / 2**20
        print(f"{mode:>8} {n:>5} {statistics.median(times):>17.2f} {min(times):>6.2f}–{max(times):<6.2f} {size:>11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
