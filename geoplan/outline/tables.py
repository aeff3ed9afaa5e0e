"""Indicator tables: consecutive ``|`` rows, read by their header.

Plans state their targets in a table (指标名称 | 单位 | 属性 | 2025年目标).  Text
extraction flattens it into ``|``-separated lines and loses merged cells: the
``领域``/``类别`` column is written only on the first row of its group, so the
other rows are one cell short.  The header tells which columns those are; a
short row is mapped after dropping them.  A ``|`` block without an indicator
column (the 索引号/发文时间 metadata box some portals print) is not an indicator
table and yields nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from geoplan.records import IndicatorRow
from geoplan.outline.headings import iter_paragraphs, split_cells
from geoplan.outline.vocab import OutlineVocab, load_outline_vocab

_UNIT_IN_NAME = re.compile(r"^(?P<name>.*?)\s*[(（](?P<unit>[^()（）]{1,10})[)）]\s*$")
# order matters: 指标属性 is a nature column although it holds 指标
_COLUMN_ROLES = ("nature", "unit", "target", "baseline", "group", "serial", "indicator")


@dataclass
class TableBlock:
    """A run of ``|`` lines: where it is and its cells."""

    start: int
    end: int
    rows: list[list[str]]


def find_table_blocks(
    text: str, start: int = 0, skip: Sequence[tuple[int, int]] = (), min_rows: int | None = None
) -> list[TableBlock]:
    """Every run of at least ``min_rows`` consecutive ``|`` lines."""
    min_rows = min_rows or load_outline_vocab().table_min_rows
    blocks: list[TableBlock] = []
    current: TableBlock | None = None
    for para in iter_paragraphs(text, start, skip):
        cells = split_cells(para.text) if "|" in para.text else []
        if len(cells) >= 2:
            if current is None:
                current = TableBlock(para.start, para.end, [])
            current.rows.append(cells)
            current.end = para.end
            continue
        if current is not None and len(current.rows) >= min_rows:
            blocks.append(current)
        current = None
    if current is not None and len(current.rows) >= min_rows:
        blocks.append(current)
    return blocks


def _role(cell: str, vocab: OutlineVocab) -> str:
    for role in _COLUMN_ROLES:
        if any(word in cell for word in vocab.tables.get(role, ())):
            return role
    return ""


def header_roles(cells: Sequence[str], vocab: OutlineVocab | None = None) -> list[str] | None:
    """Column roles of a header row, or None if it is not an indicator-table header."""
    vocab = vocab or load_outline_vocab()
    roles = [_role(c, vocab) for c in cells]
    if "indicator" not in roles:
        return None
    if not {"unit", "nature", "target"} & set(roles):
        return None
    return roles


def _map_row(cells: list[str], roles: list[str]) -> dict[str, str]:
    """Row cells → role → value, dropping merged (group) columns from a short row."""
    cols = list(roles)
    missing = len(cols) - len(cells)
    while missing > 0 and "group" in cols:
        cols.remove("group")
        missing -= 1
    cells = cells + [""] * max(0, len(cols) - len(cells))
    out: dict[str, str] = {}
    for role, value in zip(cols, cells):
        if role and role not in out:
            out[role] = value
    return out


def parse_indicator_rows(block: TableBlock, vocab: OutlineVocab | None = None) -> list[IndicatorRow]:
    """The indicator rows of a table block ([] if it is not an indicator table)."""
    vocab = vocab or load_outline_vocab()
    natures = vocab.tables.get("natures", ("约束性", "预期性"))
    for h, header in enumerate(block.rows[:3]):
        roles = header_roles(header, vocab)
        if roles is not None:
            break
    else:
        return []
    rows: list[IndicatorRow] = []
    for cells in block.rows[h + 1 :]:
        values = _map_row(cells, roles)
        indicator = values.get("indicator", "")
        if not indicator:
            continue
        nature = values.get("nature", "")
        if nature not in natures:
            # a row misaligned in some other way still names its nature in one cell
            nature = next((c for c in cells if c in natures), nature if "nature" not in roles else "")
        unit = values.get("unit", "")
        if "unit" not in roles:
            m = _UNIT_IN_NAME.match(indicator)
            if m:
                indicator, unit = m.group("name"), m.group("unit").strip()
        rows.append(
            IndicatorRow(
                indicator=indicator,
                unit=unit,
                nature=nature,
                target=values.get("target", ""),
                cells=tuple(cells),
            )
        )
    return rows
