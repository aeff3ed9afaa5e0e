"""HTML plans as saved from a government web site.

Page chrome (``script``, ``style``, ``nav``, ``header``, ``footer`` …) is
dropped; every block element starts a new line and tables become ``|`` rows,
so that a saved web page reads like the collected text plans.  Junk that is
not marked up as chrome (breadcrumbs in a ``div``) is left for
:mod:`geoplan.normalize.junk`.
"""

from __future__ import annotations

import re
from pathlib import Path

from geoplan.read import sniff
from geoplan.read.docx import table_row
from geoplan.read.encoding import decode_bytes
from geoplan.records import RawDocument

DROP = frozenset(
    "script style nav header footer noscript template iframe head svg canvas button select "
    "option object embed audio video map area input textarea".split()
)
BLOCK = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption "
    "figure form h1 h2 h3 h4 h5 h6 hr html li main ol p pre section summary table tbody thead "
    "tfoot tr ul caption".split()
)

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_WS = re.compile(r"\s+")


def declared_charset(data: bytes) -> str | None:
    """The charset named by ``<meta charset>`` or ``http-equiv`` in the first 4 KB."""
    head = data[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    m = _META.search(head)
    return m.group(1).decode("ascii") if m else None


def read_html(path: Path, data: bytes) -> RawDocument:
    from bs4 import BeautifulSoup

    markup, encoding = decode_bytes(data, path, declared=declared_charset(data))
    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup.find_all(list(DROP)):
        tag.decompose()
    lines = _Lines()
    _walk(soup, lines)
    text = sniff.newlines("\n".join(lines.done()))
    sniff.check_text(path, text)
    return RawDocument(path=path, text=text, encoding=encoding, format="html")


class _Lines:
    """Accumulates inline text into the current line; blocks flush it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []

    def add(self, s: str) -> None:
        self.current.append(s)

    def flush(self) -> None:
        line = _WS.sub(" ", "".join(self.current)).strip()
        if line:
            self.lines.append(line)
        self.current = []

    def add_line(self, line: str) -> None:
        self.flush()
        if line.strip():
            self.lines.append(line)

    def done(self) -> list[str]:
        self.flush()
        return self.lines


def _walk(node, out: _Lines) -> None:
    from bs4 import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    for child in node.children:
        if isinstance(child, (Comment, Doctype, Declaration, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            out.add(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        if name in DROP:
            continue
        if name == "br":
            out.flush()
        elif name == "table":
            out.flush()
            for row in _rows(child):
                out.add_line(row)
        elif name == "pre":
            out.flush()
            for line in child.get_text().split("\n"):
                out.add_line(line.rstrip())
        elif name in BLOCK:
            out.flush()
            _walk(child, out)
            out.flush()
        else:
            _walk(child, out)


def _rows(table) -> list[str]:
    """``tr`` rows of ``table`` (not of tables nested in its cells) as ``|`` rows."""
    rows: list[str] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [
            _WS.sub(" ", cell.get_text(" ")).strip()
            for cell in tr.find_all(["td", "th"])
            if cell.find_parent("tr") is tr
        ]
        if any(cells):
            rows.append(table_row(cells))
    return rows
