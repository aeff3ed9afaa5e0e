"""Throughput of the reader and the normalizer on the corpus plans.

Run: ``python bench/bench_read.py [--repeat N] [FILES…]`` (defaults to
``../shared/corpus/*.txt``).  Prints, per file and overall, characters per
second and MB per second (of the file's bytes) for reading, normalizing and both.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geoplan.normalize import normalize  # noqa: E402
from geoplan.read import read_plan  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def bench(path: Path, repeat: int) -> tuple[int, int, float, float]:
    """``(bytes, chars, read seconds, normalize seconds)``, best of ``repeat``."""
    best_read = best_norm = float("inf")
    raw = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        raw = read_plan(path)
        t1 = time.perf_counter()
        normalize(raw)
        t2 = time.perf_counter()
        best_read = min(best_read, t1 - t0)
        best_norm = min(best_norm, t2 - t1)
    assert raw is not None
    return path.stat().st_size, len(raw.text), best_read, best_norm


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    files = args.files or sorted(CORPUS.glob("*.txt"))
    if not files:
        print(f"no plans found in {CORPUS}", file=sys.stderr)
        return 1
    normalize(read_plan(files[0]))  # warm caches (vocabulary, zhconv tables)
    head = f"{'file':<28}{'bytes':>9}{'chars':>8}{'read ms':>9}{'norm ms':>9}{'kchar/s':>9}{'MB/s':>7}"
    print(head)
    print("-" * len(head))
    tb = tc = tr = tn = 0.0
    for f in files:
        b, c, r, n = bench(f, args.repeat)
        tb, tc, tr, tn = tb + b, tc + c, tr + r, tn + n
        print(f"{f.name[:27]:<28}{b:>9,}{c:>8,}{r * 1e3:>9.1f}{n * 1e3:>9.1f}{c / (r + n) / 1e3:>9.1f}{b / (r + n) / 1e6:>7.2f}")
    print("-" * len(head))
    print(f"{'overall':<28}{int(tb):>9,}{int(tc):>8,}{tr * 1e3:>9.1f}{tn * 1e3:>9.1f}{tc / (tr + tn) / 1e3:>9.1f}{tb / (tr + tn) / 1e6:>7.2f}")
    print(f"read only: {tc / tr / 1e3:.0f} kchar/s, {tb / tr / 1e6:.1f} MB/s; "
          f"normalize only: {tc / tn / 1e3:.0f} kchar/s, {tb / tn / 1e6:.2f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
