"""Extraction benchmark: quality on the gold sets, a sample of the wider plans, throughput.

Runs the real pipeline up to extraction (read → normalize → outline → extract,
with the real gazetteer) so that the figures are those a planner gets, then
times plain ``jieba.posseg.cut`` over the same text as a reference: discovery
cuts every sentence with jieba, so jieba's speed is the floor to compare with.

Three checks, the same rules for every plan:

- recall and precision on ``dev_gold.csv`` (plans 000 and 003);
- recall and precision inside the gold windows of the 南京 plan
  (``nanjing_windows.csv`` + ``nanjing_gold.csv``, scored as the eval README says);
- for every other wider plan, ``--sample`` extracted names drawn with a fixed
  seed, printed for a human to check (a change that helps one plan and adds
  junk elsewhere shows there).

    python bench/bench_extract.py [--corpus DIR] [--wider DIR] [--sample 40] [--seed 14] [--quiet]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoplan.extract.aggregate import aggregate  # noqa: E402
from geoplan.extract.evaluate import line_of, load_gold, load_windows, score, score_windows  # noqa: E402
from geoplan.normalize import normalize  # noqa: E402
from geoplan.outline import build_outline  # noqa: E402
from geoplan.pipeline import Context  # noqa: E402
from geoplan.read import read_plan  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "eval" / "dev_gold.csv")
    ap.add_argument("--wider", type=Path, default=ROOT.parent / "shared" / "wider")
    ap.add_argument("--windows", type=Path, default=ROOT.parent / "shared" / "eval" / "nanjing_windows.csv")
    ap.add_argument("--window-gold", type=Path, default=ROOT.parent / "shared" / "eval" / "nanjing_gold.csv")
    ap.add_argument("--sample", type=int, default=40, help="names drawn per wider plan without gold")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--only", nargs="*", default=(), help="run only plans whose file name holds one of these")
    ap.add_argument("--quiet", action="store_true", help="figures only, no lists")
    args = ap.parse_args()

    t0 = time.perf_counter()
    ctx = Context()
    print(f"gazetteer loaded in {time.perf_counter() - t0:.1f}s ({len(ctx.gazetteer.features)} features)")
    gold = load_gold(args.gold)
    plans = sorted(args.corpus.glob("*.txt"))
    wider = sorted(p for p in args.wider.glob("*") if p.suffix in (".txt", ".html", ".htm", ".pdf", ".docx"))
    windows, window_gold = load_windows(args.windows, args.window_gold) if args.windows.exists() else ([], [])
    window_docs = {w.doc for w in windows}
    if args.only:
        plans = [p for p in plans if any(o in p.name for o in args.only)]
        wider = [p for p in wider if any(o in p.name for o in args.only)]

    prepared = []
    for path in [*plans, *wider]:
        norm = normalize(read_plan(path))
        tree = build_outline(norm)
        prepared.append((path, norm, tree, ctx.jurisdiction(norm, tree.title)))
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
        if path.stem in window_docs:
            line = line_of(norm.raw.text)
            s = score_windows(
                [(m.name, m.surface, line(m.raw_span[0])) for m in mentions],
                [w for w in windows if w.doc == path.stem],
                window_gold,
            )
            print(f"\n== {path.stem} (gold windows)  recall {s.recall:.3f}  precision {s.precision:.3f}  "
                  f"(gold yes {s.n_gold}, features {s.n_found}, misses {len(s.misses)}, extras {len(s.extras)})")
            if not args.quiet:
                print("  misses:", "、".join(s.misses))
                print("  extras:", "、".join(s.extras))
        elif path.parent == args.wider:
            drawn = random.Random(args.seed).sample(names, min(args.sample, len(names)))
            print(f"\n== {path.stem}  {len(names)} features; {len(drawn)} drawn (seed {args.seed}) for a human check")
            if not args.quiet:
                for n, surfaces in drawn:
                    print(f"  {n}" + (f"  ({surfaces[0]})" if surfaces and surfaces[0] != n else ""))
        elif prefix in gold:
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
