"""Scoring extraction against a gold list of names (``dev_gold.csv``).

Why a module and not a script: the benchmark and the tests must score the same
way.  One plan's features are its aggregated names; a feature matches a gold
row when its name is the gold name, surface or one of its aliases.  Recall is
the share of gold rows some feature matches, precision the share of features
that match some gold row.
"""

from __future__ import annotations

import bisect
import csv
import unicodedata
from collections.abc import Callable, Iterable
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


# ------------------------------------------------------------------ window gold
#: a trailing unit word either side does not make a different name (南京 = 南京市)
_UNIT_TAILS = ("街道", "市", "区", "县", "镇", "站")


@dataclass(frozen=True)
class Window:
    doc: str
    window: str
    first_line: int  # 1-based, inclusive
    last_line: int


@dataclass(frozen=True)
class WindowGold:
    name: str
    forms: frozenset[str]
    window: str
    locatable: str  # yes | maybe


def _bare(form: str) -> str:
    for tail in _UNIT_TAILS:
        if form.endswith(tail) and len(form) > len(tail) + 1:
            return form[: -len(tail)]
    return form


def load_windows(windows_csv: Path | str, gold_csv: Path | str) -> tuple[list[Window], list[WindowGold]]:
    """The windows of a window gold and its rows (``nanjing_windows.csv`` + ``nanjing_gold.csv``)."""
    with Path(windows_csv).open(encoding="utf-8", newline="") as fh:
        windows = [Window(r["doc"], r["window"], int(r["start_line"]), int(r["end_line"])) for r in csv.DictReader(fh)]
    rows = []
    with Path(gold_csv).open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            forms = {r["name"], r["surface"], *(a for a in r.get("aliases", "").split(";") if a)}
            folded = frozenset(_bare(fold(f)) for f in forms if f.strip())
            rows.append(WindowGold(r["name"], folded, r["window"], r.get("locatable", "yes").strip() or "yes"))
    return windows, rows


def line_of(raw_text: str) -> Callable[[int], int]:
    """A function from a raw character offset to its 1-based line number."""
    starts = [0] + [i + 1 for i, ch in enumerate(raw_text) if ch == "\n"]
    return lambda offset: bisect.bisect_right(starts, offset)


def score_windows(
    mentions: Iterable[tuple[str, str, int]],
    windows: list[Window],
    gold: list[WindowGold],
) -> Score:
    """Score mentions ``(name, surface, raw line)`` inside the gold windows.

    A gold row is found when a mention inside its window carries its name,
    surface or an alias (a trailing 市/区/县/镇/街道/站 either side does not
    count).  Recall counts the ``yes`` rows; precision the distinct features
    (mention names) of each window that match some row of that window.
    """
    feats: dict[tuple[str, str], set[str]] = {}
    for name, surface, line in mentions:
        for w in windows:
            if w.first_line <= line <= w.last_line:
                feats.setdefault((w.window, name), set()).update({_bare(fold(name)), _bare(fold(surface))})
    by_window: dict[str, list[WindowGold]] = {}
    for g in gold:
        by_window.setdefault(g.window, []).append(g)
    wanted = [g for g in gold if g.locatable == "yes"]
    misses = [
        f"{g.name}@{g.window}"
        for g in wanted
        if not any(w == g.window and forms & g.forms for (w, _), forms in feats.items())
    ]
    extras = [
        f"{n}@{w}"
        for (w, n), forms in feats.items()
        if not any(forms & g.forms for g in by_window.get(w, ()))
    ]
    recall = 1 - len(misses) / len(wanted) if wanted else 1.0
    precision = 1 - len(extras) / len(feats) if feats else 0.0
    return Score("windows", recall, precision, misses, extras, len(wanted), len(feats))
