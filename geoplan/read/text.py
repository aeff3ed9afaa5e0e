"""Plain-text plans (``.txt`` and any suffix geoplan does not know)."""

from __future__ import annotations

from pathlib import Path

from geoplan.errors import PlanReadError
from geoplan.read import sniff
from geoplan.read.encoding import decode_bytes
from geoplan.records import RawDocument


def read_text(path: Path, data: bytes) -> RawDocument:
    """Decode a text plan after refusing binary content by its magic number.

    A ZIP or PDF renamed to ``.txt`` is refused here rather than decoded into
    garbage; :func:`geoplan.read.read_plan` sends such files to the right reader
    when their suffix is unknown, but a ``.txt`` suffix is a promise of text.
    """
    kind = sniff.magic_kind(data)
    if kind == "a ZIP archive" and sniff.is_docx_zip(data):
        kind = "a Word .docx document (rename it to .docx)"
    if kind is not None and not _utf16_bom(data):
        raise PlanReadError(path, f"looks binary: it is {kind}, not a text plan")
    text, encoding = decode_bytes(data, path)
    text = sniff.newlines(text)
    sniff.check_text(path, text)
    return RawDocument(path=path, text=text, encoding=encoding, format="txt")


def _utf16_bom(data: bytes) -> bool:
    return data[:2] in (b"\xff\xfe", b"\xfe\xff")
