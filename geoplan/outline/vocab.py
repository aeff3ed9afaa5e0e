"""The outline vocabulary: heading patterns, lead rules, table headers, non-task sections.

They live in ``layers/vocab/outline.toml`` so that a planner whose plans number
their headings differently can teach geoplan without touching code; this module
only finds the file, reads it once and compiles the patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from geoplan import vocab


@dataclass(frozen=True)
class OutlineVocab:
    """Compiled form of ``outline.toml``."""

    style_order: tuple[str, ...]
    same_level: tuple[frozenset[str], ...]
    patterns: dict[str, re.Pattern[str]]
    title_terminators: str
    title_breaks: str
    max_title: int
    body_openers: tuple[str, ...]
    matter: tuple[str, ...]
    matter_max_chars: int
    lead_max: int
    lead_short: int
    lead_min: int
    lead_inline_max: int
    lead_prefixes: tuple[str, ...]
    lead_stop_prefixes: tuple[str, ...]
    lead_stop_chars: tuple[str, ...]
    tables: dict[str, tuple[str, ...]]
    table_min_rows: int
    nontask: dict[str, tuple[re.Pattern[str], ...]]
    #: words that make a short line before the first heading the plan's title
    title_words: tuple[str, ...] = ()
    title_max_chars: int = 60
    #: task-id form of a style's number ("第{}章")
    numbers: dict[str, str] = field(default_factory=dict)
    markup_prefix: re.Pattern[str] = re.compile(r"^")
    markup_suffix: re.Pattern[str] = re.compile(r"$")
    toc_words: tuple[str, ...] = ()
    toc_page_tail: re.Pattern[str] = re.compile(r"(?!)")
    toc_leaders: re.Pattern[str] = re.compile(r"(?!)")
    page_line: re.Pattern[str] = re.compile(r"(?!)")
    toc_min_run: int = 3
    box_prose_min: int = 50
    #: a line of a 专栏 that names its item before a colon ("续建工程：…")
    box_item_row: re.Pattern[str] = re.compile(r"(?!)")
    #: a 专栏's column header ("地区 指引内容"): the box is a table
    box_header_row: re.Pattern[str] = re.compile(r"(?!)")
    #: a row of such a table box: its label cell, a blank, then its text
    box_table_row: re.Pattern[str] = re.compile(r"(?!)")
    title_skip: tuple[re.Pattern[str], ...] = ()
    notice_endings: tuple[str, ...] = ()
    doc_number: re.Pattern[str] = re.compile(r"(?!)")
    notice_date: re.Pattern[str] = re.compile(r"(?!)")
    note_line: re.Pattern[str] = re.compile(r"(?!)")
    note_mark: re.Pattern[str] = re.compile(r"(?!)")


def load_outline_vocab(path: Path | None = None) -> OutlineVocab:
    """Read and compile ``layers/vocab/outline.toml`` (or ``path``), once per file version."""
    return vocab.typed(path or vocab.layers_file("outline.toml"), _compile)


def _compile(data: dict) -> OutlineVocab:
    styles = data.get("styles", {})
    heads = data.get("headings", {})
    leads = data.get("leads", {})
    tables = data.get("tables", {})
    toc = data.get("toc", {})
    title = data.get("title", {})
    never = "(?!)"
    return OutlineVocab(
        style_order=tuple(styles.get("order", ())),
        same_level=tuple(frozenset(g) for g in styles.get("same_level", ())),
        patterns={style: re.compile(p) for style, p in heads.get("patterns", {}).items()},
        title_terminators=heads.get("title_terminators", "。"),
        title_breaks=heads.get("title_breaks", "，,"),
        max_title=int(heads.get("max_title", 40)),
        body_openers=tuple(heads.get("body_openers", ())),
        matter=tuple(heads.get("matter", ())),
        matter_max_chars=int(heads.get("matter_max_chars", 24)),
        lead_max=int(leads.get("max_chars", 34)),
        lead_short=int(leads.get("short_chars", 25)),
        lead_min=int(leads.get("min_chars", 4)),
        lead_inline_max=int(leads.get("inline_max_chars", 16)),
        lead_prefixes=tuple(sorted(leads.get("prefixes", ()), key=len, reverse=True)),
        lead_stop_prefixes=tuple(leads.get("stop_prefixes", ())),
        lead_stop_chars=tuple(leads.get("stop_chars", ())),
        tables={k: tuple(v) for k, v in tables.items() if isinstance(v, list)},
        table_min_rows=int(tables.get("min_rows", 2)),
        nontask={
            category: tuple(re.compile(p) for p in pats)
            for category, pats in data.get("nontask", {}).items()
        },
        title_words=tuple(data.get("title", {}).get("words", ())),
        title_max_chars=int(data.get("title", {}).get("max_chars", 60)),
        numbers=dict(heads.get("numbers", {})),
        markup_prefix=re.compile(heads.get("markup_prefix", "^")),
        markup_suffix=re.compile(heads.get("markup_suffix", "$")),
        toc_words=tuple(toc.get("words", ())),
        toc_page_tail=re.compile(toc.get("page_tail", never)),
        toc_leaders=re.compile(toc.get("leaders", never)),
        page_line=re.compile(toc.get("page_line", never)),
        toc_min_run=int(toc.get("min_run", 3)),
        box_prose_min=int(data.get("boxes", {}).get("prose_min_chars", 50)),
        box_item_row=re.compile(data.get("boxes", {}).get("item_row", never)),
        box_header_row=re.compile(data.get("boxes", {}).get("header_row", never)),
        box_table_row=re.compile(data.get("boxes", {}).get("table_row", never)),
        title_skip=tuple(re.compile(p) for p in title.get("skip", ())),
        notice_endings=tuple(title.get("notice_endings", ())),
        doc_number=re.compile(title.get("doc_number", never)),
        notice_date=re.compile(title.get("date", never)),
        note_line=re.compile(data.get("notes", {}).get("line", never)),
        note_mark=re.compile(data.get("notes", {}).get("mark", never)),
    )
