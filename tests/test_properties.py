"""Property-based tests: the reader, the normalizer and the CSV round trip hold for any input, not only the plans we have."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoplan.errors import PlanReadError
from geoplan.geocode.overrides import decided_rows
from geoplan.io.cells import TRIGGERS, escape_cell, escape_rows, unescape_cell
from geoplan.normalize import normalize
from geoplan.read import read_plan
from geoplan.records import RawDocument

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

#: planning text: CJK, digits, Latin, the punctuation plans use, spaces and line breaks
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_PLAN_CHARS = st.one_of(_CJK, st.sampled_from(list("0123456789abcGx。，、；：（）()《》“”!?—- \n\t\r\u3000\u00a0\u200b")))
plan_text = st.text(_PLAN_CHARS, min_size=0, max_size=400)
any_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)


# ------------------------------------------------------------------- CSV cells
@given(any_text)
def test_escape_is_safe_and_reversible(value):
    cell = escape_cell(value)
    assert not cell.startswith(TRIGGERS)
    assert unescape_cell(cell) == value


@SETTINGS
@given(st.lists(any_text.map(str.strip).filter(bool), min_size=1, max_size=5),
       st.lists(any_text.map(str.strip), min_size=1, max_size=5))
def test_review_sheet_cells_round_trip(tmp_path, names, notes):
    """What geoplan writes into a sheet, it reads back as written (names, notes, anything)."""
    rows = [{"name": n, "gazetteer_id": "cn-310118", "note": notes[i % len(notes)]} for i, n in enumerate(names)]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["name", "gazetteer_id", "note"])
    w.writeheader()
    w.writerows(escape_rows(rows))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    back = decided_rows(sheet)
    assert [(r["name"], r["note"]) for r in back] == [(r["name"], r["note"].strip()) for r in rows]
    assert all(not c.startswith(TRIGGERS) for row in csv.reader(io.StringIO(buf.getvalue())) for c in row)


# ---------------------------------------------------------------------- reader
@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".docx", ".pdf", ".html", ".dat"]))
def test_reader_only_raises_plan_read_errors(tmp_path, data, suffix):
    """Any bytes under any suffix: a document or a PlanReadError naming the file, never another exception."""
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(data)
    try:
        raw = read_plan(path)
    except PlanReadError as exc:
        assert str(path) in str(exc)
        return
    assert "\r" not in raw.text


@SETTINGS
@given(plan_text, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_reader_decodes_what_was_encoded(tmp_path, text, codec):
    text = "上海市青浦区规划建设要点推进淀山湖生态保护和朱家角古镇更新。\n" + text
    path = tmp_path / "plan.txt"
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return
    path.write_bytes(data)
    try:
        raw = read_plan(path)
    except PlanReadError:
        return  # e.g. too few Chinese characters among control characters: refused, by name
    assert raw.text == text.replace("\r\n", "\n").replace("\r", "\n")


# ------------------------------------------------------------------ normalizer
@SETTINGS
@given(plan_text, st.booleans())
def test_normalized_offsets_map_into_the_raw_text(text, one_line):
    if one_line:
        text = text.replace("\n", "")
    raw = RawDocument(path=Path("p.txt"), text=text, encoding="utf-8", format="txt")
    norm = normalize(raw)
    offs = norm.offsets
    assert len(offs) == len(norm.text) + 1
    assert all(0 <= o <= len(text) for o in offs)
    assert all(a <= b for a, b in zip(offs, offs[1:-1]))
    start, end = norm.to_raw(0, len(norm.text)) if norm.text else (0, 0)
    assert 0 <= start <= end <= len(text)


@SETTINGS
@given(plan_text)
def test_normalize_is_idempotent_on_its_output(text):
    raw = RawDocument(path=Path("p.txt"), text=text, encoding="utf-8", format="txt")
    once = normalize(raw).text
    twice = normalize(RawDocument(path=Path("p.txt"), text=once, encoding="utf-8", format="txt")).text
    assert twice == once
