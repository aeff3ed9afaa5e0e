"""The popup a planner reads when clicking a feature.

It answers "what is this, where in the plan is it, and how sure is the
position": name, kind, theme, task path, the sentence that names it with the
name marked, the plan, and the geocoding precision, method and confidence.
Every piece of document text is HTML-escaped *before* it is wrapped in markup,
so a plan that contains ``<script>`` shows it as text.
"""

from __future__ import annotations

import math
import re
from html import escape
from typing import Any, Mapping, Sequence

from geoplan.map.styles import MapStyle


def _text(value: Any) -> str:
    """A cell as text; NaN/None (pandas' missing values) become empty."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd

        if pd.isna(value):  # type: ignore[arg-type]
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def split_aliases(value: Any) -> list[str]:
    """``"青浦;青浦区"`` → ``["青浦", "青浦区"]``; lists and tuples pass through."""
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        items = _text(value).split(";")
    return [a.strip() for a in items if a and a.strip()]


def highlight(quote: str, names: Sequence[str]) -> str:
    """Escape ``quote`` and wrap every occurrence of any of ``names`` in ``<mark>``.

    Matching runs on the unescaped text (longest name first) so that a name
    containing ``&`` or ``<`` is still found, and each piece is escaped alone.
    """
    terms = sorted({n for n in names if n}, key=len, reverse=True)
    if not quote:
        return ""
    if not terms:
        return escape(quote)
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(quote):
        out.append(escape(quote[pos : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(escape(quote[pos:]))
    return "".join(out)


def _row(label: str, value_html: str) -> str:
    return f"<tr><th>{escape(label)}</th><td>{value_html}</td></tr>" if value_html else ""


def _number(value: Any, fmt: str) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        return fmt.format(float(value))
    except (TypeError, ValueError):
        return escape(text)


def popup_html(row: Mapping[str, Any], style: MapStyle, theme_label: str | None = None,
               plan_label: str | None = None) -> str:
    """The popup of one feature row (a mapping with the layer's columns).

    The plan is named by ``plan_label`` (its title, or its id when it has
    none), never by a file name.
    """
    name = _text(row.get("name"))
    aliases = split_aliases(row.get("aliases"))
    kind = _text(row.get("kind"))
    theme = _text(row.get("theme"))
    precision = _text(row.get("precision"))
    doc = _text(row.get("doc"))
    plan = escape(plan_label or _text(row.get("doc_title")).strip() or doc.split("_", 1)[0])
    prec = escape(style.precision_label(precision)) if precision else ""
    pm = _number(row.get("precision_m"), "±{:,.0f} m")
    if pm:
        prec = f"{prec} {pm}".strip()
    conf = _number(row.get("confidence"), "{:.2f}")
    mentions = _number(row.get("mentions"), "{:.0f}")

    head = f"<div class='gp-popup-name'>{escape(name)}</div>"
    if aliases:
        head += f"<div class='gp-popup-aliases'>{escape('、'.join(aliases))}</div>"
    quote = highlight(_text(row.get("quote")), [name, *aliases])
    words = style.section("labels").get("popup", {})
    values = {
        "kind": escape(style.kind_label(kind)),
        "theme": escape(theme_label or theme),
        "task": escape(_text(row.get("task_path"))),
        "plan": plan,
        "precision": prec,
        "method": escape(style.method_label(_text(row.get("method")))),
        "confidence": conf,
        "mentions": mentions,
        "source": escape(_text(row.get("source"))),
    }
    rows = "".join(_row(str(words.get(k, k)), v) for k, v in values.items())
    quote_html = f"<blockquote class='gp-popup-quote'>{quote}</blockquote>" if quote else ""
    return f"<div class='gp-popup'>{head}{quote_html}<table class='gp-popup-table'>{rows}</table></div>"
