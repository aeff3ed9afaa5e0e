"""A panel listing the names geoplan found in the plan but could not place.

A map that silently drops what it could not locate looks complete when it is
not; the panel keeps those names in front of the planner with the reason
(not found, ambiguous, outside the jurisdiction) and the candidates, so the
review file can fix them.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from geoplan.map.panel import Panel, panel_labels
from geoplan.map.popup import _text
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle, load_style

def unresolved_html(unresolved: pd.DataFrame | None, labels: dict[str, Any] | None = None,
                    plans: dict[str, str] | None = None, kinds: dict[str, str] | None = None,
                    style: MapStyle | None = None) -> str:
    """The panel's inner HTML; every cell escaped; words from ``[labels.unresolved]``.

    ``plans`` (doc → title) names each plan by its title, ``kinds`` (kind →
    Chinese label) names the kinds; a doc or kind missing from them is shown
    by its plan id or as it is; ``style`` puts the geocoder's explanations
    into Chinese (``[[labels.details]]``).
    """
    plans = plans or {}
    kinds = kinds or {}
    words = labels if labels is not None else panel_labels("unresolved")
    reasons = dict(words.get("reasons", {}))
    w = {k: escape(str(v)) for k, v in words.items() if isinstance(v, str)}
    rows: list[str] = []
    frame = unresolved if unresolved is not None else pd.DataFrame()
    for _, r in frame.iterrows():
        reason = _text(r.get("reason"))
        cands = _text(r.get("candidates"))
        detail = escape(reasons.get(reason, reason))
        note = _text(r.get("detail"))
        if note:
            note = style.detail_label(note) if style is not None else note
            detail += f"<div class='gp-cands'>{escape(note)}</div>"
        if cands:
            detail += f"<div class='gp-cands'>{w.get('candidates', '')}{escape(cands)}</div>"
        quote = _text(r.get("quote"))
        rows.append(
            "<tr class='gp-unresolved-row'>"
            f"<td class='gp-u-name' title='{escape(quote, quote=True)}'>{escape(_text(r.get('name')))}</td>"
            f"<td>{escape(kinds.get(_text(r.get('kind')), _text(r.get('kind'))))}</td>"
            f"<td>{detail}</td>"
            f"<td>{escape(_text(r.get('task_path')))}</td>"
            f"<td>{escape(plans.get(_text(r.get('doc')), _text(r.get('doc')).split('_', 1)[0]))}</td></tr>"
        )
    head = "<tr>" + "".join(f"<th>{w.get(k, '')}</th>" for k in ("name", "kind", "reason", "task", "plan")) + "</tr>"
    return (
        f"<details id='gp-unresolved-details'><summary>{w.get('title', '')} ({len(rows)})</summary>"
        f"<table class='gp-unresolved-table'>{head}{''.join(rows)}</table></details>"
    )


class UnresolvedPanel(Panel):
    """The unresolved list as a collapsible control (bottom left)."""

    name = "unresolved"
    css = """
.gp-unresolved{max-width:520px}
.gp-unresolved summary{cursor:pointer;font-weight:700;color:#a33}
.gp-unresolved-table{border-collapse:collapse;margin-top:4px}
.gp-unresolved-table td,.gp-unresolved-table th{border-top:1px solid #eee;padding:2px 5px;text-align:left;vertical-align:top}
.gp-cands{color:#777;font-size:11px}"""
    body = """
    div.innerHTML = {{ this.html_json }};"""

    def __init__(self, unresolved: pd.DataFrame | None, position: str = "bottomleft", style: MapStyle | None = None,
                 plans: dict[str, str] | None = None) -> None:
        super().__init__(position, style)
        self.count = 0 if unresolved is None else len(unresolved)
        style = style or load_style()
        self.html = unresolved_html(unresolved, self.labels, plans, style.kind_labels, style)
        self.html_json = script_json(self.html)
