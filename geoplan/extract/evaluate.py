"""Scoring extraction against a gold list of names (``dev_gold.csv``).

Why a module and not a script: the benchmark and the tests must score the same
way.  One plan's features are its aggregated names; a feature matches a gold
row when its name is the gold name, surface or one of its aliases.  Recall is
the share of gold rows some feature matches, precision the share of features
that match some gold row.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class GoldName:
    name: str
    forms: frozenset[str]  # name, surface and aliases
    kind: str = ""


@dataclass
class Score:
    doc: str
    recall: float
    precision: float
    misses: list[str] = field(default_factory=list)  # gold names no feature matched
    extras: list[str] = field(default_factory=list)  # features matching no gold row
    n_gold: int = 0
    n_found: int = 0


def fold(name: str) -> str:
    """Spelling-insensitive form: full-width brackets, dashes and spaces do not count."""
    name = unicodedata.normalize("NFKC", name)
    for dash in "—–－‐":
        name = name.replace(dash, "-")
    return "".join(name.split())


def load_gold(path: Path | str) -> dict[str, list[GoldName]]:
    """Gold rows per document prefix (``"000"``)."""
    out: dict[str, list[GoldName]] = {}
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            forms = {row["name"], row["surface"], *(a for a in row.get("aliases", "").split(";") if a)}
            out.setdefault(row["doc"], []).append(
                GoldName(row["name"], frozenset(fold(f) for f in forms if f.strip()), row.get("kind", ""))
            )
    return out


def score(doc: str, found: Iterable[str | tuple[str, Iterable[str]]], gold: list[GoldName]) -> Score:
    """Recall and precision of the distinct features ``found`` against ``gold``.

    A feature is a name or ``(name, surfaces)``: it matches a gold row when its
    name or one of the surfaces the plan wrote for it (吴江 for 吴江区) is one of
    the row's forms.
    """
    feats: dict[str, set[str]] = {}
    for f in found:
        name, surfaces = (f, ()) if isinstance(f, str) else (f[0], f[1])
        feats.setdefault(name, set()).update({fold(name), *(fold(x) for x in surfaces)})
    all_forms = set().union(*(g.forms for g in gold)) if gold else set()
    misses = [g.name for g in gold if not any(forms & g.forms for forms in feats.values())]
    extras = [n for n, forms in feats.items() if not forms & all_forms]
    recall = 1 - len(misses) / len(gold) if gold else 1.0
    precision = 1 - len(extras) / len(feats) if feats else 0.0
    return Score(doc, recall, precision, misses, extras, len(gold), len(feats))
