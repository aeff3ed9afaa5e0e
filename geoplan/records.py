"""Typed records passed between the pipeline stages.

``read → normalize → outline → extract → geocode → layers → map``: each stage
takes the record of the stage before and returns its own, so a stage can be run,
tested and replaced alone.  Offsets are Python string indices; every span in
normalized text can be mapped back to the raw (decoded) text with
:meth:`NormalizedText.to_raw`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from geoplan.vocab import default_theme


# --------------------------------------------------------------------------- read
@dataclass(frozen=True)
class RawDocument:
    """A plan file decoded to text, with how it was decoded."""

    path: Path
    text: str
    encoding: str
    format: str  # "txt", "docx", "pdf", "html"
    #: the plan's id when its stem is not unique in the build (``plan_2``); empty: the stem
    doc_id: str = ""

    @property
    def doc(self) -> str:
        """The plan's short id: the file's stem (``000_72d8…``), unless the build had to rename it."""
        return self.doc_id or self.path.stem


# ---------------------------------------------------------------------- normalize
@dataclass(frozen=True)
class NormalizedText:
    """Clean text plus a map back to the raw text.

    ``offsets[i]`` is the raw index of normalized character ``i``; one extra
    trailing entry holds the raw index just past the last character so that
    span ends map too.  ``body_start`` marks where the plan body begins (after
    notice headers and web junk, which stay in ``text`` but outside the body).
    """

    raw: RawDocument
    text: str
    offsets: tuple[int, ...]
    body_start: int = 0
    junk_spans: tuple[tuple[int, int], ...] = ()

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized span ``[start, end)`` to the raw span it came from."""
        if start >= end:
            r = self.offsets[start]
            return r, r
        return self.offsets[start], self.offsets[end - 1] + 1

    def raw_slice(self, start: int, end: int) -> str:
        a, b = self.to_raw(start, end)
        return self.raw.text[a:b]

    @property
    def doc(self) -> str:
        return self.raw.doc


# ------------------------------------------------------------------------ outline
@dataclass
class IndicatorRow:
    """One row of an indicator table (``|`` rows in the plan)."""

    indicator: str
    unit: str = ""
    nature: str = ""  # 约束性 / 预期性 / ""
    target: str = ""
    cells: tuple[str, ...] = ()


@dataclass
class TaskNode:
    """A heading of the plan and the text that hangs on it.

    ``id`` joins the heading numbers from the root (``四/(四)/1``), ``path`` the
    titles; ``span`` covers the heading and its body up to the next heading of
    the same or a higher level, in normalized text.
    """

    id: str
    level: int
    title: str
    span: tuple[int, int]
    style: str = ""  # "chapter", "cn-number", "paren", "arabic", "box", "lead", "root"
    number: str = ""
    path: tuple[str, ...] = ()
    is_task: bool = True
    theme: str = field(default_factory=default_theme)
    theme_source: str = ""  # "title", "text", "inherited", "default"
    #: a 专栏 laid out as a table of entries (a column header, then one row per entry): its
    #: title is the table's caption, not each row's purpose
    lists: bool = False
    parent: TaskNode | None = field(default=None, repr=False, compare=False)
    children: list[TaskNode] = field(default_factory=list, repr=False, compare=False)
    tables: list[IndicatorRow] = field(default_factory=list, repr=False)

    @property
    def path_text(self) -> str:
        return " > ".join(self.path)


@dataclass
class Outline:
    """The task tree of one plan."""

    root: TaskNode
    nodes: list[TaskNode]  # document order, root excluded
    title: str = ""
    #: titles of the plan's 目录 entries (not part of the tree; a check of it)
    toc: list[str] = field(default_factory=list)
    #: what a notice wrapping the plan says about it (文号, 日期)
    meta: dict[str, str] = field(default_factory=dict)

    def node_at(self, offset: int) -> TaskNode:
        """The deepest node whose span holds ``offset`` (the root if none)."""
        cached = self.__dict__.get("_starts")
        if cached is None or cached[0] != len(self.nodes):
            # kept until a node is added: every mention asks, so rebuilding it each time is quadratic
            cached = (len(self.nodes), [n.span[0] for n in self.nodes])
            self.__dict__["_starts"] = cached
        starts = cached[1]
        i = bisect_right(starts, offset) - 1
        while i >= 0:
            node = self.nodes[i]
            if node.span[0] <= offset < node.span[1]:
                # a deeper node starting later cannot contain offset; walk back to
                # the nearest containing node
                return node
            i -= 1
        return self.root

    def by_id(self, node_id: str) -> TaskNode | None:
        for n in self.nodes:
            if n.id == node_id:
                return n
        return None


# ------------------------------------------------------------------------ extract
@dataclass
class Mention:
    """One occurrence of a place or project name in a plan."""

    surface: str  # the text as written (normalized text)
    name: str  # the canonical name the mention stands for
    kind: str
    span: tuple[int, int]  # in normalized text
    raw_span: tuple[int, int]  # in the raw text
    sentence: str
    task_id: str
    task_path: str
    theme: str
    origin: str  # "gazetteer" or "discovery"
    is_task: bool = True
    gazetteer_ids: tuple[str, ...] = ()
    #: in a row of a 专栏 laid out as a table of entries: the row, not the caption, says its theme
    in_list: bool = False
    doc: str = ""
    rule: str = ""  # which grammar rule produced it (coordination, nested, …)
    confidence: float = 0.9  # how sure extraction is that this span names a place (0–1)


@dataclass
class Entity:
    """One entity of one plan: a canonical name and every mention of it.

    Extraction groups its mentions into entities (:func:`geoplan.extract.aggregate.aggregate`);
    geocoding places each one.  One record for both stages, so nothing is copied field by field.
    """

    name: str
    kind: str
    doc: str
    mentions: Sequence[Mention]

    @property
    def gazetteer_ids(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for m in self.mentions:
            for i in m.gazetteer_ids:
                seen.setdefault(i, None)
        return tuple(seen)

    @property
    def surfaces(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.surface for m in self.mentions))

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.sentence for m in self.mentions))


# ------------------------------------------------------------------------ geocode
PRECISIONS: tuple[str, ...] = ("feature", "town", "district", "city", "none")


@dataclass
class Location:
    """Where a name was placed, how, and how sure geoplan is."""

    geometry: BaseGeometry | None
    precision: str  # one of PRECISIONS
    precision_m: float | None
    method: str  # exact, alias, contained-name, admin-fallback, derived, override, online:PROVIDER, none
    confidence: float
    reason: str
    source: str = ""
    source_crs: str = ""
    gazetteer_id: str | None = None
    candidates: tuple[str, ...] = ()
    unresolved_reason: str = ""  # "not-found", "ambiguous", "outside-jurisdiction"

    @property
    def located(self) -> bool:
        return self.geometry is not None


@dataclass
class PlanFeature:
    """One distinct place or project of one plan, with all its mentions."""

    id: str
    name: str
    kind: str
    doc: str
    mentions: list[Mention]
    location: Location
    doc_title: str = ""
    region: str = ""
    entity_id: str = ""
    aliases: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def first_task_mention(self) -> Mention:
        for m in self.mentions:
            if m.is_task:
                return m
        return self.mentions[0]


# ------------------------------------------------------------------------- review
#: the columns of the review sheet, in order: what ``geoplan review`` writes, what the map's review panel
#: downloads and what ``--overrides`` reads back; here, below both, so the two writers cannot drift apart
REVIEW_COLUMNS: tuple[str, ...] = (
    "name",
    "doc",
    "jurisdiction",
    "gazetteer_id",
    "lon",
    "lat",
    "crs",
    "precision_m",
    "note",
    "status",
    "current_method",
    "current_confidence",
    "candidates",
    "quote",
    "task_path",
)

#: the note a placement outside the plan's area carries in its reason (geocode writes it, review reads it)
OUTSIDE_NOTE = "lies outside"
#: methods that place a name at a unit it lies in, not at the thing itself
FALLBACK_METHODS: tuple[str, ...] = ("admin-fallback", "contained-name")
#: methods by which a feature is placed as the gazetteer's own feature: a town found as itself is at town
#: precision because it is a town, not because geoplan fell back to it
SELF_METHODS: frozenset[str] = frozenset({"exact", "alias", "override"})
#: a placement below this confidence is listed for review
REVIEW_BELOW = 0.6


def review_status(method: str, precision: str, confidence: float, reason: str,
                  below: float = REVIEW_BELOW) -> str | None:
    """Why a *located* placement needs a planner's decision (its sheet ``status``), or None.

    One rule for ``geoplan review`` and the map's review panel, so both list the same names: a
    fallback (placed at a unit around it, or only at town/district/city precision by any method
    other than the gazetteer's own feature) as ``fallback-<precision>``, then a placement outside
    the plan's area, then one of low confidence.
    """
    coarse = precision in ("town", "district", "city") and method not in SELF_METHODS
    if coarse or (method in FALLBACK_METHODS and precision != "feature"):
        return f"fallback-{precision}"
    if OUTSIDE_NOTE in (reason or ""):
        return "placed-outside"
    if confidence < below:
        return "low-confidence"
    return None
