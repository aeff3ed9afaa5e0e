"""The review sheet: what a planner should decide, in the overrides format.

Rows: every unresolved feature (not found, ambiguous, outside the jurisdiction),
every one placed only at a unit it lies in (a fallback, largest uncertainty
first), every located one below a confidence threshold, and every one placed outside
the plan's jurisdiction (杭州地铁5号线 matched to Shanghai's 5号线 is confident
and wrong: only a planner can tell it from a real outside reference), with its
candidates.  The
sheet's columns are those :class:`~geoplan.geocode.overrides.Overrides` reads,
so the edited sheet is passed back unchanged with ``--overrides``; rows left
blank are simply not decided yet.

Writing a sheet never loses a decision: the decided rows of the sheet being
replaced and of the overrides file in use are carried over first (status
``decided``), and the rows still to decide follow.  A sheet that exists but
cannot be read is not overwritten.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from collections.abc import Iterable

from geoplan.geocode.overrides import decided_rows
from geoplan.atomic import write_text
from geoplan.io.cells import escape_rows
from geoplan.records import REVIEW_BELOW, REVIEW_COLUMNS, review_status

COLUMNS = REVIEW_COLUMNS  # shared with the map's review panel (geoplan.map.review)


def review_rows(result, below: float = REVIEW_BELOW) -> list[dict[str, str]]:
    """The rows to decide, most in need first: unresolved, then fallbacks by uncertainty, then the rest.

    A fallback (a project placed at its district or township) is listed
    whatever its confidence, as ``fallback-<precision>``, the largest radius
    first: a planner fixes a city-wide guess before a township one.
    """
    rows: list[tuple[tuple[int, float], dict[str, str]]] = []
    for plan in result.plans:
        j = plan.jurisdiction
        for f in plan.features:
            loc = f.location
            placed = review_status(loc.method, loc.precision, loc.confidence, loc.reason, below) if loc.located else None
            if loc.located and placed is None:
                continue
            status = placed or loc.unresolved_reason or "not-found"
            fallback = status.startswith("fallback-")
            rank = 0 if not loc.located else 1 if fallback else 2
            rows.append((
                (rank, -float(loc.precision_m or 0.0)),
                {
                    "name": f.name,
                    "doc": f.doc,
                    "jurisdiction": j.name if j else "",
                    "gazetteer_id": "",
                    "lon": "",
                    "lat": "",
                    "crs": "EPSG:4326",
                    "precision_m": "",
                    "note": "",
                    "status": status,
                    "current_method": loc.method,
                    "current_confidence": f"{loc.confidence:.2f}",
                    "candidates": " | ".join(loc.candidates),
                    "quote": f.first_task_mention.sentence,
                    "task_path": f.first_task_mention.task_path,
                },
            ))
    rows.sort(key=lambda r: r[0])  # stable: plan and document order within a rank
    return [r for _, r in rows]


def write_review_sheet(
    result, path: Path | str, below: float = 0.6, keep_from: Iterable[Path | str | None] = ()
) -> int:
    """Write the sheet; returns the number of rows still to decide.

    ``keep_from``: sheets whose decided rows are carried over (the overrides in
    use); ``path`` itself is always one of them when it exists.
    """
    path = Path(path)
    sources = [Path(p) for p in keep_from if p is not None]
    if path.exists():
        sources.append(path)
    kept: dict[tuple[str, str, str], dict[str, str]] = {}
    for src in dict.fromkeys(sources):
        for r in decided_rows(src):
            row = {c: r.get(c, "") for c in COLUMNS}
            row["status"] = "decided"
            kept.setdefault((row["name"], row["doc"], row["jurisdiction"]), row)
    decided_names = {(k[0], k[1]) for k in kept} | {(k[0], "") for k in kept}
    todo = [r for r in review_rows(result, below)
            if (r["name"], r["doc"]) not in decided_names and (r["name"], "") not in decided_names]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    w.writeheader()
    w.writerows(escape_rows([*kept.values(), *todo]))  # a name like =1+1 must not run in Excel
    write_text(path, "\ufeff" + buf.getvalue())
    return len(todo)
