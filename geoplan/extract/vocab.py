"""The extraction vocabulary: kinds with their head words, and the discovery rules.

Both live as data (``layers/vocab/kinds.toml`` and ``layers/vocab/extract.toml``)
so that a planner can add a head word or a stop word without touching code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from geoplan import vocab
from geoplan.vocab import Kind

#: the kind record of ``kinds.toml`` (kept under the extraction's old name)
KindInfo = Kind


@dataclass(frozen=True)
class ExtractVocab:
    kinds: Mapping[str, KindInfo]
    head_kind: dict[str, str]  # head word → kind (the longest head decides)
    heads_longest_first: tuple[str, ...]
    weak_heads: frozenset[str]
    numeric_heads: frozenset[str]
    breakers: frozenset[str]
    generic: frozenset[str]
    not_places: frozenset[str]
    trailing_descriptors: tuple[str, ...]
    extensions: tuple[str, ...]
    quote_open: str
    quote_close: str
    sentence_ends: str
    min_stem: int
    max_stem: int
    locator_admin_kinds: frozenset[str]
    stop_chars: frozenset[str]
    stop_flags: tuple[str, ...]
    no_discovery_kinds: frozenset[str]
    locator_before: frozenset[str]
    soft_breakers: frozenset[str] = frozenset()
    phases: tuple[str, ...] = ()
    area_kinds: frozenset[str] = frozenset()
    list_separators: str = "、"
    joiners: dict[str, tuple[str, ...]] | None = None
    actor_heads: frozenset[str] = frozenset()
    slogans: tuple[str, ...] = ()
    category_prefixes: tuple[str, ...] = ()
    designations: tuple[str, ...] = ()
    rare_freq: int = 100
    proper_freq: int = 1000
    group_counts: str = ""
    group_heads: tuple[str, ...] = ()
    group_max_stem: int = 3
    groups: dict[str, tuple[str, ...]] | None = None
    regions: dict[str, str] | None = None  # macro-region name → kind
    bare_proper_kinds: frozenset[str] = frozenset()  # one-character stems allowed (长江, 滁河)
    #: characters closing an attributive descriptor (经济型, 区域性, 沉浸式): a stem starts after them
    descriptor_ends: str = ""
    #: counters and measure words: a numeral before one is a quantity, not part of a name (两条 vs 万博)
    counters: frozenset[str] = frozenset()
    #: heads after which a list ending in 等 names places of the head's kind (A、B等历史文化街区)
    list_kinds: frozenset[str] = frozenset()
    #: names that mean a different thing in every city (5号线, 地铁12号线): regexes
    city_relative: tuple[re.Pattern[str], ...] = ()
    #: how sure extraction is that a span names a place, by the evidence it rests on ([confidence])
    confidence: Mapping[str, float] = field(default_factory=dict)

    def confidence_of(self, evidence: str) -> float:
        """The confidence of a span found by ``evidence``; unknown evidence counts as a head word's."""
        return self.confidence.get(evidence, self.confidence.get("head", 0.8))

    def is_city_relative(self, name: str) -> bool:
        return any(p.search(name) for p in self.city_relative)

    def group_members(self, name: str) -> tuple[str, ...]:
        """The member places of a group name (青西三镇 → its three towns), if listed."""
        return (self.groups or {}).get(name, ())


def load_kinds(vocab_dir: Path | None = None) -> Mapping[str, KindInfo]:
    """Kinds from ``kinds.toml`` in the order they are written (see :func:`geoplan.vocab.kinds`)."""
    if vocab_dir is None:
        return load_vocab().kinds  # the same records, found with one dict hit
    return vocab.kinds(vocab_dir / "kinds.toml")


def load_vocab(vocab_dir: Path | None = None) -> ExtractVocab:
    """The extraction vocabulary of ``vocab_dir`` (default ``layers/vocab``), compiled once per process."""
    if vocab_dir is None:
        # the resolver asks once per entity: one dict hit per value of GEOPLAN_LAYERS
        return _default(os.environ.get("GEOPLAN_LAYERS"))
    return _compile(vocab_dir)


@lru_cache(maxsize=4)
def _default(_env: str | None) -> ExtractVocab:
    return _compile(vocab.layers_file("extract.toml").parent)


@lru_cache(maxsize=4)
def _compile(vocab_dir: Path) -> ExtractVocab:
    kinds = load_kinds(vocab_dir)
    rules = vocab.read(vocab_dir / "extract.toml")
    head_kind: dict[str, str] = {}
    for info in kinds.values():
        for head in info.heads:
            # the first kind to claim a head keeps it: kinds.toml is ordered so
            # that specific kinds come before the catch-all "other"
            head_kind.setdefault(head, info.name)
    heads = tuple(sorted(head_kind, key=len, reverse=True))
    stem = rules.get("stem", {})
    head_rules = rules.get("heads", {})
    quotes = rules.get("quotes", {})
    names = rules.get("names", {})
    groups = vocab.groups(vocab_dir / "groups.toml")
    regions = dict(vocab.regions(vocab_dir / "regions.toml"))
    return ExtractVocab(
        kinds=kinds,
        head_kind=head_kind,
        heads_longest_first=heads,
        weak_heads=frozenset(head_rules.get("weak", ())),
        numeric_heads=frozenset(head_rules.get("numeric", ())),
        breakers=frozenset(stem.get("breakers", ())),
        generic=frozenset(stem.get("generic", ())),
        not_places=frozenset(head_rules.get("not_places", ())),
        trailing_descriptors=tuple(stem.get("trailing_descriptors", ())),
        extensions=tuple(sorted(head_rules.get("extensions", ()), key=len, reverse=True)),
        quote_open=quotes.get("open", "“"),
        quote_close=quotes.get("close", "”"),
        sentence_ends=rules.get("sentences", {}).get("ends", "。；！？\n"),
        min_stem=int(stem.get("min_chars", 2)),
        max_stem=int(stem.get("max_chars", 14)),
        locator_admin_kinds=frozenset(stem.get("locator_admin_kinds", ())),
        stop_chars=frozenset(stem.get("stop_chars", "")),
        stop_flags=tuple(stem.get("stop_flags", ())),
        no_discovery_kinds=frozenset(head_rules.get("no_discovery_kinds", ())),
        locator_before=frozenset(stem.get("locator_before", ())),
        soft_breakers=frozenset(stem.get("soft_breakers", ())),
        phases=tuple(head_rules.get("phases", ())),
        area_kinds=frozenset(stem.get("area_kinds", ())),
        joiners={k: tuple(v) for k, v in stem.get("joiners", {}).items()},
        actor_heads=frozenset(head_rules.get("actors", ())),
        slogans=tuple(sorted(names.get("slogans", ()), key=len, reverse=True)),
        city_relative=tuple(re.compile(p) for p in names.get("city_relative", ())),
        category_prefixes=tuple(names.get("category_prefixes", ())),
        designations=tuple(names.get("designations", ())),
        rare_freq=int(stem.get("rare_freq", 100)),
        proper_freq=int(stem.get("proper_freq", 1000)),
        group_counts=groups.counts,
        group_heads=groups.heads,
        group_max_stem=groups.max_stem,
        groups=dict(groups.members),
        regions=regions,
        bare_proper_kinds=frozenset(head_rules.get("bare_proper_kinds", ())),
        descriptor_ends=str(stem.get("descriptor_ends", "")),
        counters=frozenset(str(stem.get("counters", ""))),
        list_kinds=frozenset(head_rules.get("list_kinds", ())),
        confidence={k: float(v) for k, v in rules.get("confidence", {}).items()},
    )

