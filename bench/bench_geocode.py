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

Ten plans: every plan of ``../shared/corpus`` and ``../shared/wider`` built
the same way; per plan the share of its features placed at feature, town,
district and city precision and left unresolved; for the gold windows of
``nanjing_gold.csv`` the share of the gold names found inside their window that
are placed at feature precision; and a sample of placements at feature precision
for a person to check against a map.

    python bench/bench_geocode.py [--corpus DIR] [--wider DIR] [--gold CSV] [--repeat N] [--quiet]
                                  [--only ten|dev|speed] [--sample N]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
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


# ------------------------------------------------------------------- ten plans
#: a found name may carry one of these endings where the gold has none, or the reverse
_GOLD_ENDINGS = ("市", "区", "县", "镇", "街道", "站")


def ten_plans(corpus: Path, wider: Path) -> list[Path]:
    plans = sorted(corpus.glob("*.txt"))
    plans += sorted(p for p in wider.iterdir() if p.suffix in (".txt", ".html", ".htm", ".pdf", ".docx"))
    return plans


def _forms(name: str) -> set[str]:
    base = fold(name)
    out = {base}
    for end in _GOLD_ENDINGS:
        if base.endswith(end) and len(base) > len(end) + 1:
            out.add(base[: -len(end)])
        out.add(base + end)
    return out


def _line_of(text: str) -> callable:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    import bisect

    return lambda offset: bisect.bisect_right(starts, offset)


def window_gold(gold_path: Path, windows_path: Path) -> tuple[list[dict], dict[str, tuple[int, int]]]:
    with windows_path.open(encoding="utf-8", newline="") as fh:
        windows = {r["window"]: (int(r["start_line"]), int(r["end_line"])) for r in csv.DictReader(fh)}
    with gold_path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh)]
    return rows, windows


def gold_placement(plan, rows: list[dict], windows: dict[str, tuple[int, int]]) -> dict[str, object]:
    """Gold rows (``locatable`` yes) found by a mention inside their window, and how they are placed."""
    line = _line_of(plan.raw.text)
    by_form: dict[str, list[tuple[int, object]]] = {}
    for f in plan.features:
        for m in f.mentions:
            ln = line(m.raw_span[0])
            for form in {m.surface, m.name, f.name}:
                by_form.setdefault(fold(form), []).append((ln, f))
    found = []
    for r in rows:
        if r.get("locatable", "yes") != "yes":
            continue
        lo, hi = windows[r["window"]]
        names = {r["name"], r["surface"], *(a for a in (r.get("aliases") or "").split(";") if a)}
        hits = [f for n in names for form in _forms(n) for ln, f in by_form.get(form, []) if lo <= ln <= hi]
        if hits:
            found.append((r, _best(hits)))
    by_precision = Counter(f.location.precision for _, f in found)
    return {"found": found, "by_precision": by_precision}


#: gold kinds that are administrative units, and the precision class a unit is placed at
_UNIT_CLASS = {"town": "town", "district": "district", "county": "district", "city": "city", "province": "city"}


def _as_itself(gold_kind: str, f) -> bool:
    """Placed at feature precision, or a township/county/city placed as that very unit (not a fallback)."""
    loc = f.location
    if loc.precision == "feature":
        return True
    return loc.method in ("exact", "alias") and _UNIT_CLASS.get(gold_kind) == loc.precision


def report_ten(ctx: Context, plans: list[Path], gold_path: Path, windows_path: Path, sample: int, quiet: bool) -> None:
    rows, windows = window_gold(gold_path, windows_path)
    print(f"\n== ten plans: share of features by precision (feature / town / district / city / unresolved)")
    rng = random.Random(15)
    for path in plans:
        t = time.perf_counter()
        result = build([path], None, gazetteer=ctx.gazetteer)
        if not result.plans:
            print(f"  {path.name}: not built ({result.errors})")
            continue
        plan = result.plans[0]
        feats = plan.features
        n = max(1, len(feats))
        c = Counter(f.location.precision for f in feats)
        shares = " / ".join(f"{c[p] / n:5.1%}" for p in PRECISIONS)
        j = plan.jurisdiction.name if plan.jurisdiction else "?"
        print(f"  {path.name[:34]:34} {j:6} {len(feats):4} features: {shares}  ({time.perf_counter() - t:.0f}s)")
        stem = path.stem
        plan_rows = [r for r in rows if r["doc"] == stem]
        if plan_rows:
            g = gold_placement(plan, plan_rows, windows)
            k = len(g["found"])
            bp = g["by_precision"]
            own = sum(1 for r, f in g["found"] if _as_itself(r["kind"], f))
            print(f"    gold windows: {k} yes-names found; placed at feature precision {bp['feature'] / max(1, k):.1%} "
                  f"(town {bp['town']}, district {bp['district']}, city {bp['city']}, unresolved {bp['none']}); "
                  f"at feature precision or a named unit as that unit {own / max(1, k):.1%}")
            if not quiet:
                for r, f in g["found"]:
                    if f.location.precision != "feature":
                        print(f"      {r['name']} [{r['kind']}] → {f.location.precision}: {f.location.reason[:110]}")
        placed = [f for f in feats if f.location.precision == "feature"]
        for f in rng.sample(placed, min(sample, len(placed))):
            g = f.location.geometry.representative_point()
            print(f"      sample: {f.name} [{f.kind}] at {g.y:.4f},{g.x:.4f} via {f.location.method}: "
                  f"{f.location.reason[:90]}")


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
    ap.add_argument("--wider", type=Path, default=ROOT.parent / "shared" / "wider")
    ap.add_argument("--nanjing-gold", type=Path, default=ROOT.parent / "shared" / "eval" / "nanjing_gold.csv")
    ap.add_argument("--windows", type=Path, default=ROOT.parent / "shared" / "eval" / "nanjing_windows.csv")
    ap.add_argument("--only", choices=("ten", "dev", "speed"), help="run one part only")
    ap.add_argument("--sample", type=int, default=5, help="placements printed per plan for a check by eye")
    args = ap.parse_args()

    t0 = time.perf_counter()
    ctx = Context()
    print(f"gazetteer loaded in {time.perf_counter() - t0:.1f}s ({len(ctx.gazetteer)} features)")
    if args.only in (None, "ten"):
        report_ten(ctx, ten_plans(args.corpus, args.wider), args.nanjing_gold, args.windows, args.sample, args.quiet)
    if args.only in (None, "dev"):
        report_quality(ctx, args.corpus, args.gold, args.quiet)
    if args.only in (None, "speed"):
        report_speed(ctx, args.corpus, max(1, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
