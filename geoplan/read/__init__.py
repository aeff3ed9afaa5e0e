"""Read a plan file as a planner receives it: ``.txt``, ``.docx``, ``.pdf``, ``.html``.

:func:`read_plan` is the only entry point: it checks the path (missing,
directory, empty, too large), dispatches by suffix to one reader per format and
returns a :class:`~geoplan.records.RawDocument` whose ``text`` has ``\\n``
newlines only; every later offset refers to that text.  Every failure is a
:class:`~geoplan.errors.PlanReadError` naming the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from geoplan.errors import PlanReadError
from geoplan.read import sniff
from geoplan.read.docx import read_docx
from geoplan.read.html import read_html
from geoplan.read.pdf import read_pdf
from geoplan.read.text import read_text
from geoplan.records import RawDocument

__all__ = ["read_plan", "READERS", "DEFAULT_MAX_BYTES"]

#: 50 MB: far above any real plan's text, low enough to refuse a mistaken dump
DEFAULT_MAX_BYTES = 50_000_000

Reader = Callable[[Path, bytes], RawDocument]

#: suffix → reader; anything else is read as text (after content sniffing)
READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_text,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
    ".xhtml": read_html,
    ".shtml": read_html,
}


def read_plan(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Read and decode the plan at ``path``.

    The suffix picks the reader; a file with an unknown suffix is sniffed
    (``%PDF``, a ZIP holding ``word/document.xml``, ``<html``) before falling
    back to text, because plans are often saved without a proper extension.
    """
    p = Path(path)
    sniff.check_path(p, max_bytes)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise PlanReadError(p, f"cannot be read: {exc.strerror or exc}") from exc
    if not data.strip(b" \t\r\n\x0b\x0c"):
        raise PlanReadError(p, "file holds only whitespace")
    suffix = p.suffix.lower()
    if suffix == ".doc":
        raise PlanReadError(p, "legacy Word .doc files are not supported: save the plan as .docx")
    reader = READERS.get(suffix) or _sniff_reader(data)
    return reader(p, data)


def _sniff_reader(data: bytes) -> Reader:
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF-"):
        return read_pdf
    if data.startswith(b"PK\x03\x04") and sniff.is_docx_zip(data):
        return read_docx
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return read_html
    return read_text
