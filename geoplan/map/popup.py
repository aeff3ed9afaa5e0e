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
    if type(value) is str:  # the common case first: a map reads ~35 cells per feature
        return value
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


#: the popup's rows, in order; their words are ``[labels.popup]`` of ``maps/styles.toml``
POPUP_FIELDS: tuple[str, ...] = ("kind", "theme", "task", "plan", "precision", "method", "confidence", "mentions", "source")


def popup_fields(row: Mapping[str, Any], style: MapStyle, theme_label: str | None = None,
                 plan_label: str | None = None) -> list[str]:
    """The values of the popup's rows (:data:`POPUP_FIELDS`), as plain text, ``""`` for none.

    The page builds the popup from these on click (text nodes, so nothing in
    them is markup); a map of 10,000 features then carries 10,000 short lists
    instead of 10,000 HTML strings.  The plan is named by ``plan_label`` (its
    title, or its id when it has none), never by a file name.
    """
    kind = _text(row.get("kind"))
    theme = _text(row.get("theme"))
    precision = _text(row.get("precision"))
    doc = _text(row.get("doc"))
    plan = plan_label or _text(row.get("doc_title")).strip() or doc.split("_", 1)[0]
    prec = style.precision_label(precision) if precision else ""
    pm = _number(row.get("precision_m"), "±{:,.0f} m")
    if pm:
        prec = f"{prec} {pm}".strip()
    values = {
        "kind": style.kind_label(kind),
        "theme": theme_label or theme,
        "task": _text(row.get("task_path")),
        "plan": plan,
        "precision": prec,
        "method": style.method_label(_text(row.get("method"))),
        "confidence": _number(row.get("confidence"), "{:.2f}"),
        "mentions": _number(row.get("mentions"), "{:.0f}"),
        "source": _text(row.get("source")),
    }
    return [values[k] for k in POPUP_FIELDS]


def popup_labels(style: MapStyle) -> list[str]:
    """The row headings of the popup, in the order of :data:`POPUP_FIELDS`."""
    words = style.section("labels").get("popup", {})
    return [str(words.get(k, k)) for k in POPUP_FIELDS]


def popup_html(row: Mapping[str, Any], style: MapStyle, theme_label: str | None = None,
               plan_label: str | None = None) -> str:
    """The popup of one feature row as escaped HTML (the page's popup, for a file or an e-mail).

    Same rows as the page builds from :func:`popup_fields`.
    """
    name = _text(row.get("name"))
    aliases = split_aliases(row.get("aliases"))
    head = f"<div class='gp-popup-name'>{escape(name)}</div>"
    if aliases:
        head += f"<div class='gp-popup-aliases'>{escape('、'.join(aliases))}</div>"
    quote = highlight(_text(row.get("quote")), [name, *aliases])
    values = popup_fields(row, style, theme_label, plan_label)
    rows = "".join(_row(label, escape(v)) for label, v in zip(popup_labels(style), values))
    quote_html = f"<blockquote class='gp-popup-quote'>{quote}</blockquote>" if quote else ""
    return f"<div class='gp-popup'>{head}{quote_html}<table class='gp-popup-table'>{rows}</table></div>"


#: The page's popup builder: ``gpPopup(d, labels)`` → a DOM element from a payload record
#: (``d.names``: name then aliases; ``d.p``: ``[quote, values]``), every piece of text a text node.
POPUP_JS = """
function gpPopup(d, labels) {
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  var root = el("div", "gp-popup");
  root.appendChild(el("div", "gp-popup-name", d.name));
  var aliases = d.names.slice(1);
  if (aliases.length) { root.appendChild(el("div", "gp-popup-aliases", aliases.join("\u3001"))); }
  var q = d.p[0];
  if (q) {
    // every occurrence of a name, longest first, in <mark>; the rest as text
    var terms = d.names.filter(function (t) { return t; }).sort(function (a, b) { return b.length - a.length; });
    var bq = el("blockquote", "gp-popup-quote"), buf = "", i = 0;
    while (i < q.length) {
      var hit = null;
      for (var k = 0; k < terms.length && !hit; k++) { if (q.startsWith(terms[k], i)) { hit = terms[k]; } }
      if (hit) {
        if (buf) { bq.appendChild(document.createTextNode(buf)); buf = ""; }
        bq.appendChild(el("mark", "", hit));
        i += hit.length;
      } else { buf += q.charAt(i); i += 1; }
    }
    if (buf) { bq.appendChild(document.createTextNode(buf)); }
    root.appendChild(bq);
  }
  var table = el("table", "gp-popup-table");
  d.p[1].forEach(function (v, k) {
    if (!v) { return; }
    var tr = el("tr");
    tr.append(el("th", "", labels[k]), el("td", "", v));
    table.appendChild(tr);
  });
  root.appendChild(table);
  return root;
}
"""
