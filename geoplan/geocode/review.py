"""The review sheet: what a planner should decide, in the overrides format.

Rows: every unresolved feature (not found, ambiguous, outside the jurisdiction)
and every located one below a confidence threshold, with its candidates.  The
sheet's columns are those :class:`~geoplan.geocode.overrides.Overrides` reads,
so the edited sheet is passed back unchanged with ``--overrides``; rows left
blank are simply not decided yet.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from geoplan.io.atomic import write_text

COLUMNS = (
    "name",
    "doc",
    "jurisdiction",
    "gazetteer_id",
    "lon",
    "lat",
    "crs",
    "precision_m",
    "note",
    "status",
    "current_method",
    "current_confidence",
    "candidates",
    "quote",
    "task_path",
)


def review_rows(result, below: float = 0.6) -> list[dict[str, str]]:
    rows = []
    for plan in result.plans:
        j = plan.jurisdiction
        for f in plan.features:
            loc = f.location
            if loc.located and loc.confidence >= below:
                continue
            status = loc.unresolved_reason or ("low-confidence" if loc.located else "not-found")
            rows.append(
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
                }
            )
    return rows


def write_review_sheet(result, path: Path | str, below: float = 0.6) -> int:
    rows = review_rows(result, below)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    w.writeheader()
    w.writerows(rows)
    write_text(path, "\ufeff" + buf.getvalue())
    return len(rows)
