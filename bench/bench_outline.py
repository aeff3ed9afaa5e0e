"""The outline on all ten plans: tree, 目录, title, jurisdiction, feature themes.

Runs read → normalize → outline → extract (no geocoding) on the five seed plans
and the five wider ones and prints, per plan: node counts by level (with the
styles at each level), how many 目录 entries were recognised and how many of
them match a body heading, the title and jurisdiction found, and the share of
features by theme (the 其他 share should stay at most 10 %).  Then the feature
theme is compared with the two gold sets: ``dev_gold.csv`` (plans 000 and 003,
the theme of the feature as a whole) and ``nanjing_gold.csv`` (the theme of the
mentions inside each window).  A gold row counts when extraction found a feature
carrying its name, surface or an alias (a trailing 市/区/县/镇/街道/站 allowed on
either side); the rest are listed as not extracted, which is extraction's
figure, not the theme tagger's.

    python bench/bench_outline.py [--shared DIR] [--quiet] [--verbose]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoplan.extract.aggregate import aggregate  # noqa: E402
from geoplan.normalize import normalize  # noqa: E402
from geoplan.outline import build_outline  # noqa: E402
from geoplan.outline.themes import feature_themes, load_themes  # noqa: E402
from geoplan.pipeline import Context  # noqa: E402
from geoplan.read import read_plan  # noqa: E402

_SUFFIX = re.compile(r"(市|区|县|镇|街道|站)$")


def _key(name: str) -> str:
    return _SUFFIX.sub("", name.strip())


def named_groups(groups, row: dict[str, str]) -> list[list]:
    """The features a gold row names, as tiers of exactness.

    First the features named exactly as the row, its surface or an alias
    (湖州站), then every feature that matches once a trailing 市/区/县/镇/街道/站
    is dropped (湖州市 too): when extraction found both the station and the
    city, the row is the station.  A caller takes the first tier that serves.
    """
    written = [n.strip() for n in [row["name"], row["surface"], *row.get("aliases", "").split(";")] if n.strip()]
    keys = {_key(n) for n in written}
    hits = [g for g in groups if _key(g.name) in keys]
    exact = sorted((g for g in hits if g.name in written), key=lambda g: written.index(g.name))
    return [tier for tier in (exact, hits) if tier]


def plan_files(shared: Path) -> list[Path]:
    """The five seed plans, then the five wider ones (README files excluded)."""
    seeds = sorted((shared / "corpus").glob("*.txt"))
    wider = sorted(p for p in (shared / "wider").iterdir() if p.suffix in (".txt", ".html", ".htm", ".pdf", ".docx"))
    return seeds + wider


def doc_key(path: Path) -> str:
    """How the gold files name a plan: the seed plans by their number, the others by stem."""
    return path.name[:3] if path.parent.name == "corpus" else path.stem


def gold_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def windows(path: Path) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r["doc"], r["window"]): (int(r["start_line"]), int(r["end_line"])) for r in gold_rows(path)}


def print_plan(name: str, outline, juris, groups, taxonomy, quiet: bool) -> float:
    """One plan's figures; returns its 其他 share."""
    by_level: dict[int, Counter] = defaultdict(Counter)
    for n in outline.nodes:
        by_level[n.level][n.style] += 1
    levels = "  ".join(
        f"L{lvl}={sum(c.values())}({','.join(f'{s}:{k}' for s, k in c.most_common())})" for lvl, c in sorted(by_level.items())
    )
    toc = list(getattr(outline, "toc", []) or [])
    keys = {re.sub(r"\s+", "", n.title) for n in outline.nodes}
    matched = sum(re.sub(r"\s+", "", t) in keys for t in toc)
    themes = Counter(feature_themes(g.mentions, g.kind)[0] for g in groups)
    total = sum(themes.values()) or 1
    other = themes.get(taxonomy.default, 0) / total
    meta = getattr(outline, "meta", {}) or {}
    print(f"== {name}")
    print(f"   title: {outline.title!r}" + (f"  meta: {meta}" if meta else ""))
    print(f"   jurisdiction: {juris.name if juris else None} ({juris.level if juris else '-'})"
          + (f"  scope: {';'.join(getattr(outline, 'scope', ()) or ())}" if getattr(outline, "scope", None) else ""))
    print(f"   nodes: {len(outline.nodes)}  {levels}")
    print(f"   目录: {len(toc)} entries, {matched} match a body heading")
    shares = "  ".join(f"{t}:{k / total:.0%}" for t, k in themes.most_common())
    print(f"   features: {sum(themes.values())}  其他 {other:.1%}  |  {shares}")
    if not quiet and toc and matched < len(toc):
        missing = [t for t in toc if re.sub(r"\s+", "", t) not in keys]
        print(f"   目录 entries without a body heading: {missing[:8]}")
    return other


def agreement(label, rows, find, quiet: bool, verbose: bool = False) -> tuple[int, int]:
    """Count (agree, matched) over gold rows; ``find(row)`` gives geoplan's (theme, themes) or None.

    The figure is the primary theme's; how often the gold theme is among the
    themes a feature can be filtered under is printed beside it.  ``verbose``
    lists every disagreement with the gold row's section.
    """
    agree = matched = listed = 0
    missing = []
    confusion = Counter()
    for row in rows:
        found = find(row)
        if found is None:
            missing.append(row["name"])
            continue
        theme, themes = found
        matched += 1
        agree += theme == row["theme"]
        listed += row["theme"] in themes
        if theme != row["theme"]:
            confusion[(row["theme"], theme)] += 1
            if verbose:
                print(f"   ✗ {row['name']}: gold {row['theme']}, found {theme} {themes}  | {row.get('section_path', '')[-60:]}")
    share = agree / matched if matched else 0.0
    also = listed / matched if matched else 0.0
    print(f"{label}: theme agreement {agree}/{matched} = {share:.1%}, among its themes {also:.1%}"
          f" ({len(missing)} of {len(rows)} gold rows not extracted)")
    if not quiet:
        for (g, mine), k in confusion.most_common(8):
            print(f"   {g} → {mine}: {k}")
    return agree, matched


def score(results, shared: Path, quiet: bool, verbose: bool = False) -> None:
    """Theme agreement with both gold sets; ``results`` maps a plan's gold key to (normalized text, features)."""

    def groups_named(doc: str, row: dict[str, str]):
        if doc not in results:
            return None, []
        return results[doc][0], named_groups(results[doc][1], row)

    def dev_find(row):
        _, tiers = groups_named(row["doc"], row)
        if not tiers:
            return None
        g = tiers[0][0]
        return feature_themes(g.mentions, g.kind)

    spans = windows(shared / "eval" / "nanjing_windows.csv")

    def window_find(row):
        norm, tiers = groups_named(row["doc"], row)
        lines = spans.get((row["doc"], row["window"]))
        if lines is None:
            return None
        raw = norm.raw.text
        for hits in tiers:
            inside = [
                (m, g.kind) for g in hits for m in g.mentions
                if lines[0] <= raw.count("\n", 0, m.raw_span[0]) + 1 <= lines[1]
            ]
            if inside:
                inside.sort(key=lambda mk: mk[0].span[0])
                return feature_themes([m for m, _ in inside], inside[0][1])
        return None

    a1, n1 = agreement("dev_gold (000, 003)", gold_rows(shared / "eval" / "dev_gold.csv"), dev_find, quiet, verbose)
    a2, n2 = agreement("nanjing_gold (8 windows)", gold_rows(shared / "eval" / "nanjing_gold.csv"), window_find, quiet, verbose)
    if n1 + n2:
        print(f"overall theme agreement: {(a1 + a2) / (n1 + n2):.1%} (target ≥ 85 %)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--quiet", action="store_true", help="figures only, no lists")
    ap.add_argument("--verbose", action="store_true", help="list every theme disagreement with the gold")
    args = ap.parse_args(argv)
    taxonomy = load_themes()

    t0 = time.perf_counter()
    ctx = Context()
    print(f"gazetteer loaded in {time.perf_counter() - t0:.1f}s")
    results = {}
    worst = 0.0
    t_outline = 0.0
    for path in plan_files(args.shared):
        norm = normalize(read_plan(path))
        t = time.perf_counter()
        outline = build_outline(norm)
        t_outline += time.perf_counter() - t
        juris = ctx.jurisdiction(norm, outline.title)
        mentions = ctx.extractor(juris).extract(norm, outline)
        groups = aggregate(mentions)
        results[doc_key(path)] = (norm, groups)
        worst = max(worst, print_plan(path.name, outline, juris, groups, taxonomy, args.quiet))
    print(f"highest 其他 share: {worst:.1%} (target ≤ 10 %); outline time {t_outline:.1f}s for {len(results)} plans")
    score(results, args.shared, args.quiet, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
