"""Throughput of the datum shifts in :mod:`geoplan.datum`.

Why: a national admin layer or a bureau's parcel layer can carry millions of
vertices; this shows whether converting them is seconds or minutes.  Run::

    python bench/bench_coords.py [--n 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

try:
    from geoplan import datum as C
except ModuleNotFoundError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from geoplan import datum as C

PAIRS = [
    ("wgs84_to_gcj02", C.wgs84_to_gcj02),
    ("gcj02_to_wgs84", C.gcj02_to_wgs84),
    ("gcj02_to_bd09", C.gcj02_to_bd09),
    ("bd09_to_gcj02", C.bd09_to_gcj02),
    ("wgs84_to_bd09", C.wgs84_to_bd09),
    ("bd09_to_wgs84", C.bd09_to_wgs84),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="points per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per conversion (best is kept)")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    lon = rng.uniform(73.7, 134.7, args.n)
    lat = rng.uniform(18.2, 53.5, args.n)
    print(f"{args.n:,} random points in China, best of {args.repeat}")
    for name, func in PAIRS:
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            func(lon, lat)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:16s} {best * 1000:9.1f} ms  {args.n / best:14,.0f} points/s")


if __name__ == "__main__":
    main()
