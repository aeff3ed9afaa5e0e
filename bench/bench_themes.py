"""Theme agreement with the dev gold set, and outline throughput.

Each gold entity names the plan section of its first task mention
(``section_path``) and a theme a careful reader gave it.  This script finds that
section in geoplan's outline (by titles, numbers stripped, punctuation ignored)
and compares the section's theme with the entity's.  Gold themes are per entity,
so a mixed section (a rural-revival item listing roads) caps agreement below
100 % even for a perfect section tagger; the per-section majority figure shows
how far off the tagger is from the best it could do.

    python bench/bench_themes.py [--gold PATH] [--corpus DIR] [--repeat N]
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

from geoplan.normalize import normalize, normalize_string  # noqa: E402
from geoplan.outline import build_outline  # noqa: E402
from geoplan.outline.headings import Paragraph, match_numbered  # noqa: E402
from geoplan.read import read_plan  # noqa: E402

_PUNCT = re.compile(r"[\s,，、。:：;；“”\"'()（）《》]")


def title_key(component: str) -> str:
    """A gold path component or node title reduced to comparable form."""
    component = normalize_string(component.strip())
    h = match_numbered(Paragraph(0, len(component), component))
    title = h.title if h is not None and h.style != "chapter" else component
    return _PUNCT.sub("", title)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "eval" / "dev_gold.csv")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--repeat", type=int, default=20, help="outline runs per plan for the timing")
    args = ap.parse_args(argv)

    plans = {p.name[:3]: normalize(read_plan(p)) for p in sorted(args.corpus.glob("*.txt"))}
    outlines = {doc: build_outline(text) for doc, text in plans.items()}

    with args.gold.open(encoding="utf-8") as fh:
        gold = list(csv.DictReader(fh))

    per_entity = Counter()
    confusion = Counter()
    sections: dict[tuple[str, str], list[str]] = defaultdict(list)
    section_theme: dict[tuple[str, str], str] = {}
    unmatched = Counter()
    for row in gold:
        doc, path = row["doc"], row["section_path"]
        outline = outlines.get(doc)
        if outline is None:
            continue
        want = tuple(title_key(c) for c in path.split(" > "))
        node = next((n for n in outline.nodes if tuple(_PUNCT.sub("", t) for t in n.path) == want), None)
        if node is None:  # fall back on the last title alone, if unique
            hits = [n for n in outline.nodes if _PUNCT.sub("", n.title) == want[-1]]
            node = hits[0] if len(hits) == 1 else None
        if node is None:
            unmatched[(doc, path)] += 1
            continue
        per_entity["matched"] += 1
        per_entity["agree"] += node.theme == row["theme"]
        confusion[(row["theme"], node.theme)] += 1
        sections[(doc, node.id)].append(row["theme"])
        section_theme[(doc, node.id)] = node.theme

    n = per_entity["matched"]
    print(f"gold entities: {len(gold)}, in matched sections: {n}, sections matched: {len(sections)}")
    if unmatched:
        print(f"unmatched section paths: {len(unmatched)}")
        for (doc, path), k in unmatched.most_common():
            print(f"  {doc} ×{k}  {path}")
    if n:
        print(f"entity-level theme agreement: {per_entity['agree']}/{n} = {per_entity['agree'] / n:.1%}")
        majority = sum(Counter(v).most_common(1)[0][0] == section_theme[k] for k, v in sections.items())
        ceiling = sum(Counter(v).most_common(1)[0][1] for v in sections.values())
        print(f"section-level (gold majority) agreement: {majority}/{len(sections)} = {majority / len(sections):.1%}")
        print(f"ceiling for any one-theme-per-section tagger: {ceiling}/{n} = {ceiling / n:.1%}")
        print("confusion (gold → geoplan), disagreements only:")
        for (g, mine), k in confusion.most_common():
            if g != mine:
                print(f"  {g} → {mine}: {k}")

    chars = sum(len(t.text) for t in plans.values())
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for text in plans.values():
            build_outline(text)
    dt = time.perf_counter() - t0
    print(f"outline throughput: {chars * args.repeat / dt:,.0f} chars/s "
          f"({len(plans)} plans, {chars:,} chars, ×{args.repeat})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
