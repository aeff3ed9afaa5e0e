"""Extraction benchmark: quality on the dev gold set, throughput on the corpus.

Runs the real pipeline up to extraction (read → normalize → outline → extract,
with the real gazetteer) so that the figures are those a planner gets, then
times plain ``jieba.posseg.cut`` over the same text as a reference: discovery
cuts every sentence with jieba, so jieba's speed is the floor to compare with.

    /tmp/venv/bin/python bench/bench_extract.py [--corpus DIR] [--gold CSV] [--quiet]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoplan.extract.aggregate import aggregate  # noqa: E402
from geoplan.extract.evaluate import load_gold, score  # noqa: E402
from geoplan.normalize import normalize  # noqa: E402
from geoplan.outline import build_outline  # noqa: E402
from geoplan.pipeline import Context  # noqa: E402
from geoplan.read import read_plan  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "eval" / "dev_gold.csv")
    ap.add_argument("--quiet", action="store_true", help="figures only, no lists")
    args = ap.parse_args()

    t0 = time.perf_counter()
    ctx = Context()
    print(f"gazetteer loaded in {time.perf_counter() - t0:.1f}s ({len(ctx.gazetteer.features)} features)")
    gold = load_gold(args.gold)
    plans = sorted(args.corpus.glob("*.txt"))

    prepared = []
    for path in plans:
        norm = normalize(read_plan(path))
        prepared.append((path, norm, build_outline(norm), ctx.jurisdiction(norm, build_outline(norm).title)))
    # build every extractor once before timing (jieba dictionary, name maps)
    for _, _, _, j in prepared:
        ctx.extractor(j)

    chars = 0
    t_extract = 0.0
    for path, norm, tree, j in prepared:
        t = time.perf_counter()
        mentions = ctx.extractor(j).extract(norm, tree)
        t_extract += time.perf_counter() - t
        chars += len(norm.text) - norm.body_start
        groups = aggregate(mentions)
        names = [(g.name, [m.surface for m in g.mentions]) for g in groups]
        prefix = path.name[:3]
        if prefix in gold:
            s = score(prefix, names, gold[prefix])
            print(f"\n== {prefix}  recall {s.recall:.3f}  precision {s.precision:.3f}  "
                  f"(gold {s.n_gold}, found {s.n_found}, misses {len(s.misses)}, extras {len(s.extras)})")
            if not args.quiet:
                print("  misses:", "、".join(s.misses))
                print("  extras:", "、".join(s.extras))
        else:
            print(f"\n== {prefix}  {len(names)} features (no gold)")
            if not args.quiet:
                print("  names:", "、".join(n for n, _ in names))

    import jieba.posseg

    jieba.setLogLevel(60)
    t = time.perf_counter()
    for _, norm, _, _ in prepared:
        for _ in jieba.posseg.cut(norm.text[norm.body_start:]):
            pass
    t_jieba = time.perf_counter() - t
    print(f"\nthroughput over {len(prepared)} plans, {chars} chars:")
    print(f"  extraction   {chars / t_extract:10,.0f} chars/s ({t_extract:.2f}s)")
    print(f"  jieba.posseg {chars / t_jieba:10,.0f} chars/s ({t_jieba:.2f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
