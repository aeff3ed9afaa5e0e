"""Geocoding benchmark: how much of the dev gold set gets on the map, and how fast.

Quality: plans 000 and 003 are built with :func:`geoplan.build` exactly as a
planner would (offline, no overrides); each gold row of ``dev_gold.csv`` is
matched to the built features by its name, surface or aliases (the same
spelling-insensitive match the extraction benchmark uses), and counted as
located, extracted-but-unresolved (with the resolver's reason) or not extracted.

Speed: the resolution stage alone (resolver construction excluded, reported
apart), over every entity of every corpus plan, in mentions per second; then
the same with an online geocoder consulted for the names left unresolved, its
cache pre-filled so that not one request leaves the machine.  The pre-filled
answers are timing fixtures (one result at the jurisdiction's own point), kept
in a temporary folder and never counted in the quality figures.

    /tmp/venv/bin/python bench/bench_geocode.py [--corpus DIR] [--gold CSV] [--repeat N] [--quiet]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoplan.extract.aggregate import aggregate  # noqa: E402
from geoplan.extract.evaluate import GoldName, fold, load_gold  # noqa: E402
from geoplan.geocode import Resolver  # noqa: E402
from geoplan.geocode.stage import ask_online  # noqa: E402
from geoplan.normalize import normalize  # noqa: E402
from geoplan.outline import build_outline  # noqa: E402
from geoplan.pipeline import Context, build  # noqa: E402
from geoplan.extract.vocab import load_vocab  # noqa: E402
from geoplan.read import read_plan  # noqa: E402
from geoplan.records import PRECISIONS, PlanFeature  # noqa: E402


# ----------------------------------------------------------------------- quality
def _best(feats: list[PlanFeature]) -> PlanFeature:
    """The feature a gold row is credited with: a located one first, the surest first."""
    return max(feats, key=lambda f: (f.location.located, f.location.confidence))


def match_gold(gold: list[GoldName], features: list[PlanFeature]) -> list[tuple[GoldName, PlanFeature | None]]:
    by_form: dict[str, list[PlanFeature]] = {}
    for f in features:
        for n in {f.name, *f.aliases, *(m.surface for m in f.mentions)}:
            by_form.setdefault(fold(n), []).append(f)
    out = []
    for g in gold:
        hits = [f for form in g.forms for f in by_form.get(fold(form), [])]
        out.append((g, _best(hits) if hits else None))
    return out


def report_quality(ctx: Context, corpus: Path, gold_path: Path, quiet: bool) -> None:
    gold = load_gold(gold_path)
    plans = [p for p in sorted(corpus.glob("*.txt")) if p.name[:3] in gold]
    t = time.perf_counter()
    result = build(plans, None, gazetteer=ctx.gazetteer)
    print(f"built {', '.join(p.name[:3] for p in plans)} in {time.perf_counter() - t:.1f}s")
    total = Counter()
    for plan in result.plans:
        prefix = plan.doc[:3]
        matched = match_gold(gold[prefix], plan.features)
        n = len(matched)
        located = [(g, f) for g, f in matched if f is not None and f.location.located]
        unresolved = [(g, f) for g, f in matched if f is not None and not f.location.located]
        missing = [g for g, f in matched if f is None]
        total.update(gold=n, located=len(located), unresolved=len(unresolved), missing=len(missing))
        print(f"\n== {prefix} ({plan.jurisdiction.name if plan.jurisdiction else 'no jurisdiction'})  "
              f"gold {n}: located {len(located)} ({len(located) / n:.1%}), "
              f"extracted but unresolved {len(unresolved)}, not extracted {len(missing)}")
        by_precision = Counter(f.location.precision for _, f in located)
        by_method = Counter(f.location.method for _, f in located)
        print("  by precision: " + ", ".join(f"{p} {by_precision[p]}" for p in PRECISIONS if by_precision[p]))
        print("  by method:    " + ", ".join(f"{m} {c}" for m, c in by_method.most_common()))
        why = Counter(f.location.unresolved_reason for _, f in unresolved)
        print("  unresolved:   " + (", ".join(f"{r} {c}" for r, c in why.most_common()) or "none"))
        total.update({f"precision:{k}": v for k, v in by_precision.items()})
        total.update({f"method:{k}": v for k, v in by_method.items()})
        if not quiet:
            print("  gold not located:")
            for g, f in matched:
                if f is None:
                    print(f"    {g.name} [{g.kind}]: not extracted")
                elif not f.location.located:
                    print(f"    {g.name} [{g.kind}]: {f.location.unresolved_reason}: {f.location.reason}")
    n = total["gold"]
    print(f"\n== all gold  {n}: located {total['located']} ({total['located'] / n:.1%}); "
          f"of the extracted ones {total['located'] / max(1, n - total['missing']):.1%}")
    print("  by precision: " + ", ".join(f"{p} {total['precision:' + p]}" for p in PRECISIONS if total["precision:" + p]))
    print("  by method:    " + ", ".join(
        f"{k.split(':', 1)[1]} {v}" for k, v in sorted(total.items(), key=lambda kv: -kv[1]) if k.startswith("method:")))


# ------------------------------------------------------------------------- speed
def prepare(ctx: Context, corpus: Path) -> list[tuple]:
    """Every plan up to its aggregated entities (the resolver's input)."""
    out = []
    for path in sorted(corpus.glob("*.txt")):
        norm = normalize(read_plan(path))
        tree = build_outline(norm)
        j = ctx.jurisdiction(norm, tree.title)
        ents = aggregate(ctx.extractor(j).extract(norm, tree))
        ents.sort(key=lambda e: e.name.endswith(load_vocab().extensions))  # as geocode.locate: extensions last
        out.append((path.name[:3], j, ents))
    return out


def resolve_all(ctx: Context, prepared: list[tuple], resolvers: dict, geocoder=None) -> tuple[int, int, int]:
    """Resolve every entity as :func:`geoplan.geocode.locate` does; returns (mentions, entities, located)."""
    ctx.geocoder = geocoder
    n_mentions = n_ents = n_located = 0
    for prefix, j, ents in prepared:
        resolver = resolvers[prefix]
        done = {}
        for e in ents:
            loc = resolver.resolve(e, done)
            if not loc.located and geocoder is not None and loc.unresolved_reason != "ambiguous":
                loc = ask_online(geocoder, ctx.gazetteer, e.name, j, loc)
            if loc.located:
                done[e.name] = loc
                n_located += 1
            n_mentions += len(e.mentions)
            n_ents += 1
    return n_mentions, n_ents, n_located


def warm_online_geocoder(ctx: Context, prepared: list[tuple], resolvers: dict, cache_dir: Path):
    """A Nominatim geocoder whose cache already answers every name the gazetteer leaves unresolved."""
    from geoplan.geocode.online import get_geocoder
    from geoplan.geocode.online.cache import Candidate

    coder = get_geocoder("nominatim", cache_dir=cache_dir, max_retries=0)

    def no_network(*_a, **_k):
        raise RuntimeError("the benchmark must not reach the network")

    coder._request = no_network  # a cache miss would fail loudly, not slowly
    n = 0
    for prefix, j, ents in prepared:
        unit = ctx.gazetteer.get(j.feature_id) if j is not None else None
        pt = unit.geometry.representative_point() if unit is not None and unit.geometry is not None else None
        for e in ents:
            loc = resolvers[prefix].resolve(e, {})
            if loc.located or loc.unresolved_reason == "ambiguous":
                continue
            cands = [Candidate(pt.x, pt.y, coder.source_crs, f"{j.name} (timing fixture)", {"type": "village"})] if pt else []
            region = j.name if j is not None else None
            coder.cache.put(coder.name, e.name.strip(), region, coder.build_query(e.name, region), cands)
            n += 1
    return coder, n


def report_speed(ctx: Context, corpus: Path, repeat: int) -> None:
    prepared = prepare(ctx, corpus)
    from geoplan.geocode.index import NameIndex

    t = time.perf_counter()
    NameIndex(ctx.gazetteer.features)
    t_index = time.perf_counter() - t
    t = time.perf_counter()
    resolvers = {prefix: Resolver(ctx.gazetteer, j, ctx.overrides) for prefix, j, _ in prepared}
    t_build = (time.perf_counter() - t) / len(prepared)
    print(f"\nname index over {len(ctx.gazetteer)} features: {t_index * 1000:.0f} ms once per gazetteer; "
          f"resolver construction after it: {t_build * 1000:.1f} ms per plan")

    def timed(geocoder=None) -> tuple[float, tuple[int, int, int]]:
        best = float("inf")
        counts = (0, 0, 0)
        for _ in range(repeat):
            t0 = time.perf_counter()
            counts = resolve_all(ctx, prepared, resolvers, geocoder)
            best = min(best, time.perf_counter() - t0)
        return best, counts

    secs, (m, e, located) = timed()
    print(f"offline resolution over {len(prepared)} plans: {e} entities, {m} mentions, {located} located, "
          f"best of {repeat}: {secs:.3f}s → {m / secs:,.0f} mentions/s ({e / secs:,.0f} entities/s)")

    with tempfile.TemporaryDirectory() as tmp:
        coder, filled = warm_online_geocoder(ctx, prepared, resolvers, Path(tmp))
        secs, (m, e, located) = timed(coder)
        print(f"with a warm nominatim cache ({filled} names pre-filled, {coder.requests_sent} requests sent): "
              f"{secs:.3f}s → {m / secs:,.0f} mentions/s ({e / secs:,.0f} entities/s)")
        coder.cache.close()
    ctx.geocoder = None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "eval" / "dev_gold.csv")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs; the best is reported")
    ap.add_argument("--quiet", action="store_true", help="figures only, no list of gold rows not located")
    args = ap.parse_args()

    t0 = time.perf_counter()
    ctx = Context()
    print(f"gazetteer loaded in {time.perf_counter() - t0:.1f}s ({len(ctx.gazetteer)} features)")
    report_quality(ctx, args.corpus, args.gold, args.quiet)
    report_speed(ctx, args.corpus, max(1, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
