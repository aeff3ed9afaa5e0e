"""Spreadsheet-safe CSV cells: the OWASP rule against formula injection, reversibly.

Why: every CSV geoplan writes is meant to be opened in Excel or LibreOffice, and
a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is run as a formula there.  Such text reaches the sheets from places geoplan
does not control: a plan's file name (``=1+2.txt``), a heading, the names of an
imported layer.  A leading apostrophe makes a spreadsheet show the cell as text.

The escape is reversible so that geoplan reads its own sheets back unchanged
(the review sheet goes out and comes back as ``--overrides``): a cell that
already begins with an apostrophe gets one more, and :func:`unescape_cell`
removes exactly one from a cell that begins with an apostrophe followed by a
trigger character or another apostrophe.  Numbers (a real negative value in a
numeric column) are left alone; only text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: characters a spreadsheet reads as the start of a formula (OWASP, "CSV Injection")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_ESCAPED = (*TRIGGERS, _QUOTE)


def escape_cell(value: Any) -> Any:
    """``value`` with an apostrophe in front when a spreadsheet would run it; non-text unchanged."""
    if isinstance(value, str) and value.startswith(_ESCAPED):
        return _QUOTE + value
    return value


def unescape_cell(value: Any) -> Any:
    """The cell as it was before :func:`escape_cell`."""
    if isinstance(value, str) and len(value) > 1 and value[0] == _QUOTE and value[1] in _ESCAPED:
        return value[1:]
    return value


def escape_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: escape_cell(v) for k, v in row.items()}


def escape_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [escape_row(r) for r in rows]


def escape_frame(df):
    """A copy of a DataFrame with its text cells escaped (numeric columns untouched)."""
    return _map_text(df, escape_cell)


def unescape_frame(df):
    """A copy of a DataFrame read from a geoplan CSV with its text cells restored."""
    return _map_text(df, unescape_cell)


def _map_text(df, fn):
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(fn)
    return out
