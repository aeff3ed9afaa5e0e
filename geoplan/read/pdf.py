"""PDF plans: the text layer, page by page.

geoplan does no OCR: a scanned plan has no text layer, and saying so clearly
is more useful than returning an empty document.  The artefacts of PDF
extraction (hard line breaks, spaced digits, footnote numbers) are repaired
later by :mod:`geoplan.normalize.pdf`, which keeps offsets into this text.
"""

from __future__ import annotations

import io
from pathlib import Path

from geoplan.errors import PlanReadError
from geoplan.read import limits, sniff
from geoplan.records import RawDocument

#: fewer visible characters per page than this means there is no usable text layer
MIN_CHARS_PER_PAGE = 5


def read_pdf(path: Path, data: bytes) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError as PyPdfError

    if not data.lstrip()[:5] == b"%PDF-":
        kind = sniff.magic_kind(data) or "not a PDF"
        raise PlanReadError(path, f"is not a valid PDF file: it is {kind}")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises various errors for unsupported crypto
                raise PlanReadError(path, f"PDF is encrypted and cannot be opened: {exc}") from exc
            if not ok:
                raise PlanReadError(path, "PDF is encrypted with a password")
        pages = _page_texts(path, reader)
    except PlanReadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PlanReadError(path, f"PDF cannot be parsed: {exc}") from exc
    if not pages:
        raise PlanReadError(path, "PDF has no pages")
    visible = sum(1 for page in pages for ch in page if not ch.isspace())
    if visible < MIN_CHARS_PER_PAGE * len(pages):
        raise PlanReadError(
            path,
            f"PDF has no text layer ({visible} characters on {len(pages)} pages): "
            "it is probably scanned; run OCR on it first",
        )
    text = sniff.newlines("\n".join(p.rstrip("\n") for p in pages))
    sniff.check_text(path, text)
    return RawDocument(path=path, text=text, encoding="pdf-text-layer", format="pdf")


def _page_texts(path: Path, reader) -> list[str]:
    """The text of every page, refusing too many pages or too much text as it comes."""
    lim = limits.LIMITS
    n = len(reader.pages)
    if n > lim.max_pages:
        raise limits.too_large(path, f"the PDF has {n:,} pages", "max_pages", lim.max_pages)
    pages: list[str] = []
    chars = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        chars += len(text)
        limits.check_chars(path, chars, lim)
        pages.append(text)
    return pages
