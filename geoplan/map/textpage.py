"""The plan-text page: one plan's text with every mention marked and its headings as an outline.

Why: a popup quotes one sentence, but a planner checking whether geoplan read a
name right needs the paragraph around it, the chapter it sits in and the other
places the plan names it.  ``maps/text_<doc>.html`` holds the plan's
normalized text (the text geoplan read, so the offsets of the mentions table
point into it), each mention a ``<mark>`` with its own anchor
(``#m<start>-<end>``), and the headings of the task tree as a navigable outline
beside it.  The popup's "在规划中查看" link (:mod:`geoplan.map.textlink`) goes
to the feature's first task mention; the page then marks every mention of that
feature and steps between them.

Every piece of plan text is HTML-escaped on its own, so a plan holding
``<script>`` shows it as text.  A mention whose span no longer holds its surface
(the plan file changed since the build) is left unmarked and counted, never
placed at a wrong spot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from geoplan.atomic import write_text
from geoplan.map.panel import panel_labels
from geoplan.map.popup import _text
from geoplan.map.safejson import script_json
from geoplan.map.styles import MapStyle, load_style

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heading:
    """A heading of the outline: its task id, title, depth and where it starts in the normalized text."""

    id: str
    title: str
    level: int
    start: int


@dataclass(frozen=True)
class Marked:
    """One mention to mark: its span in the normalized text, the feature it names and the canonical name."""

    start: int
    end: int
    feature_id: str
    name: str


def feature_key(feature_id: str) -> str:
    """A feature's short key in the text page (its id after the plan's ``doc:``): no space, safe in a fragment."""
    return feature_id.rsplit(":", 1)[-1]


def text_page_name(doc: str) -> str:
    """The file name of a plan's text page, beside the maps: ``text_<doc>.html``."""
    return f"text_{doc}.html"


def mention_anchor(start: int, end: int) -> str:
    """The anchor of the mention at ``[start, end)``: offsets are unique per span and known to both pages."""
    return f"m{int(start)}-{int(end)}"


def headings_of(nodes: Iterable[Any]) -> list[Heading]:
    """The outline's headings (``TaskNode``-like: ``id``, ``title``, ``level``, ``span``) in document order."""
    out = [Heading(str(n.id), str(n.title), int(n.level), int(n.span[0])) for n in nodes if str(n.title).strip()]
    return sorted(out, key=lambda h: h.start)


def marked_of(mentions: pd.DataFrame | None, doc: str) -> list[Marked]:
    """The mentions of plan ``doc`` from a mentions table (columns doc, start, end, feature_id, name)."""
    if mentions is None or not len(mentions) or "start" not in mentions.columns:
        return []
    rows = mentions[mentions["doc"].astype(str) == doc]
    out = []
    for s, e, fid, name in zip(rows["start"], rows["end"], rows.get("feature_id", [""] * len(rows)), rows["name"]):
        try:
            start, end = int(s), int(e)
        except (TypeError, ValueError):
            continue
        if 0 <= start < end:
            out.append(Marked(start, end, _text(fid), _text(name)))
    return out


def first_mentions(mentions: pd.DataFrame | None) -> dict[str, tuple[str, int, int]]:
    """``feature_id → (doc, start, end)`` of the mention a popup links to.

    The first task mention in the table's order, as the feature's quote is
    (``PlanFeature.first_task_mention``), else its first mention.
    """
    if mentions is None or not len(mentions) or "feature_id" not in mentions.columns:
        return {}
    first: dict[str, tuple[str, int, int]] = {}
    task_found: set[str] = set()
    is_task = mentions["is_task"] if "is_task" in mentions.columns else pd.Series(True, index=mentions.index)
    for fid, doc, s, e, t in zip(mentions["feature_id"], mentions["doc"], mentions["start"], mentions["end"], is_task):
        fid = _text(fid)
        if not fid or fid in task_found:
            continue
        try:
            span = (_text(doc), int(s), int(e))
        except (TypeError, ValueError):
            continue
        task = str(t).lower() in ("true", "1")
        if task:
            first[fid] = span
            task_found.add(fid)
        else:
            first.setdefault(fid, span)
    return first


def text_href(doc: str, start: int, end: int, feature_id: str = "") -> str:
    """The link from a map beside the text page to one mention of one feature (the doc id percent-encoded).

    One span can name two features (“G50、拦路港生态廊道”: G50 is the road and the corridor's first
    part), so the fragment names the feature too: ``#m<start>-<end>.<feature key>``.
    """
    key = f".{quote(feature_key(feature_id))}" if feature_id else ""
    return f"{quote(text_page_name(doc))}#{mention_anchor(start, end)}{key}"


def _body(text: str, heads: Sequence[Heading], marks: Sequence[Marked]) -> tuple[str, int]:
    """The text as HTML with heading anchors and mention marks; returns it and the number of marks skipped.

    A mention inside another (a road named within a district's longer name) keeps
    its anchor just before the outer mark, so every link lands.
    """
    skipped = 0
    spans: dict[tuple[int, int], list[Marked]] = {}
    for m in marks:
        if m.end > len(text):
            skipped += 1
            continue
        spans.setdefault((m.start, m.end), []).append(m)
    # one mark per span, holding every feature it names
    valid = [Marked(s, e, " ".join(dict.fromkeys(feature_key(m.feature_id) for m in ms)),
                    "、".join(dict.fromkeys(m.name for m in ms)))
             for (s, e), ms in sorted(spans.items(), key=lambda kv: (kv[0][0], -kv[0][1]))]
    # points where something is inserted: (offset, order, html); marks as (start, end) runs
    out: list[str] = []
    pos = 0
    outer_at = 0  # where in ``out`` the last mark begins
    heads = sorted(heads, key=lambda h: h.start)
    hi_list = [(h.start, i) for i, h in enumerate(heads) if 0 <= h.start <= len(text)]
    hp = 0
    k = 0
    while k < len(valid) or hp < len(hi_list):
        next_mark = valid[k].start if k < len(valid) else len(text) + 1
        next_head = hi_list[hp][0] if hp < len(hi_list) else len(text) + 1
        if next_head <= next_mark:
            at, i = hi_list[hp]
            at = max(at, pos)
            out.append(escape(text[pos:at]))
            out.append(f"<a class='gp-h-anchor' id='h{i}'></a>")
            pos = at
            hp += 1
            continue
        m = valid[k]
        if m.start < pos:  # inside the previous mark: its anchor goes before that mark
            out.insert(outer_at, f"<a class='gp-m-anchor' id='{mention_anchor(m.start, m.end)}'></a>")
            k += 1
            continue
        out.append(escape(text[pos:m.start]))
        outer_at = len(out)
        out.append(
            f"<mark class='gp-mention' id='{mention_anchor(m.start, m.end)}' data-f='{escape(m.feature_id, quote=True)}'"
            f" title='{escape(m.name, quote=True)}'>{escape(text[m.start:m.end])}</mark>"
        )
        pos = m.end
        k += 1
    out.append(escape(text[pos:]))
    return "".join(out), skipped


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@TITLE@</title>
<style>
body{margin:0;font:15px/1.8 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222}
#gp-text-head{position:fixed;top:0;left:0;right:0;height:44px;background:#fff;border-bottom:1px solid #ddd;
  padding:0 14px;display:flex;align-items:center;gap:14px;z-index:2}
#gp-text-head h1{font-size:16px;margin:0;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;flex:1}
#gp-text-nav{position:fixed;top:45px;bottom:0;left:0;width:300px;overflow:auto;border-right:1px solid #ddd;
  padding:8px 10px;box-sizing:border-box;font-size:13px;line-height:1.5;background:#fafafa}
#gp-text-nav a{display:block;color:#234;text-decoration:none;padding:1px 0}
#gp-text-nav a:hover{text-decoration:underline}
#gp-text-body{margin:45px 0 0 300px;padding:16px 28px 60vh;white-space:pre-wrap;word-break:break-all;max-width:60em}
mark.gp-mention{background:#ffe9a8;border-radius:2px;padding:0 1px}
mark.gp-mention.gp-same{background:#ffc94d}
mark.gp-mention.gp-current{background:#ff8c1a;color:#fff}
.gp-h-anchor,.gp-m-anchor{scroll-margin-top:60px}
mark.gp-mention{scroll-margin-top:60px}
#gp-text-same button{font-size:13px}
@media (max-width:800px){#gp-text-nav{display:none}#gp-text-body{margin-left:0}}
</style></head>
<body>
<div id="gp-text-head"><h1>@TITLE@</h1><span id="gp-text-count">@COUNT@</span><span id="gp-text-same"></span></div>
<nav id="gp-text-nav"><div><b>@OUTLINE@</b></div>@NAV@</nav>
<div id="gp-text-body">@BODY@</div>
<script>
(function () {
  var L10N = @L10N@;
  var same = document.getElementById("gp-text-same"), list = [], at = -1;
  function show(i) {
    list.forEach(function (m) { m.classList.remove("gp-current"); });
    at = (i + list.length) % list.length;
    list[at].classList.add("gp-current");
    list[at].scrollIntoView({block: "center"});
    label.textContent = L10N.same.replace("{i}", at + 1).replace("{n}", list.length);
  }
  var label = document.createElement("span");
  function follow() {
    var parts = decodeURIComponent(location.hash.slice(1)).split("."), id = parts[0];
    var target = /^m[0-9]/.test(id) ? document.getElementById(id) : null;
    document.querySelectorAll("mark.gp-same").forEach(function (m) { m.classList.remove("gp-same", "gp-current"); });
    same.textContent = "";
    if (!target) { return; }
    var mark = target;
    while (mark && mark.tagName !== "MARK") { mark = mark.nextElementSibling; }
    if (!mark || !mark.dataset.f) { return; }
    var key = parts[1] || mark.dataset.f.split(" ")[0];  // the feature the link is about
    list = Array.prototype.filter.call(document.querySelectorAll("mark.gp-mention"),
                                       function (m) { return m.dataset.f.split(" ").indexOf(key) >= 0; });
    list.forEach(function (m) { m.classList.add("gp-same"); });
    var prev = document.createElement("button"), next = document.createElement("button");
    prev.textContent = L10N.prev; next.textContent = L10N.next;
    prev.id = "gp-text-prev"; next.id = "gp-text-next";
    prev.onclick = function () { show(at - 1); };
    next.onclick = function () { show(at + 1); };
    same.append(prev, label, next);
    var start = list.indexOf(mark) < 0 ? 0 : list.indexOf(mark);
    show(start);
    setTimeout(function () { list[at].scrollIntoView({block: "center"}); }, 0);  // after the browser's own jump
  }
  window.addEventListener("hashchange", follow);
  follow();
})();
</script>
</body></html>
"""


_SLOT = re.compile(r"@(TITLE|COUNT|OUTLINE|NAV|L10N|BODY)@")


def text_page_html(doc: str, title: str, text: str, headings: Sequence[Heading], marks: Sequence[Marked],
                   style: MapStyle | None = None) -> str:
    """The whole page; every piece of document text escaped; words from ``[labels.text]``."""
    words = panel_labels("text", style)
    checked = [m for m in marks if m.end <= len(text) and text[m.start:m.end]]
    body, skipped = _body(text, headings, checked)
    if skipped:
        log.warning("text page of %s: %d mention(s) outside the text left unmarked", doc, skipped)
    nav = "".join(
        f"<a href='#h{i}' style='padding-left:{max(h.level - 1, 0)}em' title='{escape(h.id, quote=True)}'>"
        f"{escape(h.title)}</a>"
        for i, h in enumerate(sorted(headings, key=lambda h: h.start))
    ) or f"<div>{escape(str(words.get('no_outline', '')))}</div>"
    count = str(words.get("count", "{n}")).replace("{n}", str(len(checked)))
    page_title = escape(title or doc)
    fill = {
        "TITLE": page_title,
        "COUNT": escape(count),
        "OUTLINE": escape(str(words.get("outline", ""))),
        "NAV": nav,
        "L10N": script_json({k: str(v) for k, v in words.items() if isinstance(v, str)}),
        "BODY": body,
    }
    # one pass: a plan title or heading that happens to hold "@BODY@" is text, never a slot filled again
    return _SLOT.sub(lambda m: fill[m.group(1)], _PAGE)


def check_marks(text: str, mentions: pd.DataFrame | None, doc: str) -> tuple[list[Marked], int]:
    """The mentions of ``doc`` whose span in ``text`` still holds their surface, and how many do not."""
    marks = marked_of(mentions, doc)
    if mentions is None or "surface" not in mentions.columns:
        return marks, 0
    rows = mentions[mentions["doc"].astype(str) == doc]
    surfaces = {(int(s), int(e)): _text(x) for s, e, x in zip(rows["start"], rows["end"], rows["surface"])}
    good = [m for m in marks if text[m.start:m.end] == surfaces.get((m.start, m.end), text[m.start:m.end])]
    return good, len(marks) - len(good)


def write_text_page(out_dir: Path, doc: str, title: str, text: str, nodes: Iterable[Any],
                    mentions: pd.DataFrame | None, style: MapStyle | None = None) -> Path | None:
    """Write ``out_dir/text_<doc>.html``; None (and a warning) when the text is not the one the mentions point into.

    ``nodes`` are the outline's ``TaskNode``s; ``mentions`` the build's mentions
    table (other plans' rows are ignored).  When a mention's span does not hold
    its surface the plan file changed since the build, and a page whose marks
    sit at the wrong words is worse than none.
    """
    style = style or load_style()
    marks, stale = check_marks(text, mentions, doc)
    if stale:
        log.warning("no text page for %s: %d mention(s) do not match the plan's text (changed since the build?)",
                    doc, stale)
        return None
    html = text_page_html(doc, title, text, headings_of(nodes), marks, style)
    return write_text(Path(out_dir) / text_page_name(doc), html)
