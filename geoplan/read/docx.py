"""Word ``.docx`` plans: paragraphs and tables in document order.

Tables become ``|`` rows in the same shape as the collected text plans
(``cell | cell | cell |``) so that the outline stage parses indicator tables
the same way whatever format the plan came in.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from geoplan.errors import PlanReadError
from geoplan.read import limits, sniff
from geoplan.records import RawDocument


def table_row(cells: list[str]) -> str:
    """Join cells the way the corpus does: each cell followed by `` | ``, right-stripped."""
    return "".join(f"{' '.join(c.split())} | " for c in cells).rstrip()


def read_docx(path: Path, data: bytes) -> RawDocument:
    import io

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if not data.startswith(b"PK"):
        kind = sniff.magic_kind(data) or "not a ZIP container"
        raise PlanReadError(path, f"is not a valid .docx file: it is {kind}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            limits.check_zip(path, zf)  # before python-docx loads every part into memory
        document = docx.Document(io.BytesIO(data))
    except PlanReadError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlanReadError(path, f"is not a valid .docx file: {exc}") from exc
    except Exception as exc:  # python-docx raises assorted errors on broken packages
        raise PlanReadError(path, f"cannot be opened as .docx: {exc.__class__.__name__}: {exc}") from exc

    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            lines.extend(_table_lines(Table(child, document)))
    text = sniff.newlines("\n".join(lines))
    sniff.check_text(path, text)
    return RawDocument(path=path, text=text, encoding="utf-8", format="docx")


def _table_lines(table) -> list[str]:
    """One line per row; a merged cell (the same ``<w:tc>`` repeated) counts once."""
    out: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            cells.append(cell.text)
        out.append(table_row(cells))
    return out
