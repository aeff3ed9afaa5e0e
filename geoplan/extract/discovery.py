"""Discovery of names no gazetteer holds, from the shape of Chinese names.

A planning name is a proper-name stem followed by a head word: 西岑 + 科创中心,
华院华东互联网 + 产业园, 17 + 号线 (+ 西延伸).  Heads are found character by
character (longest first, from ``kinds.toml``); the stem is found by walking back
over jieba tokens until something that cannot be part of a name: punctuation, a
planning verb or function word (``extract.toml``), a common verb that jieba is
sure of, a count, or the length limit.  jieba gets the gazetteer's names and the
head words as user words so that it cuts 西岑|科创中心 rather than 西岑科|创|中心.

A stem must then hold a *proper part* (:mod:`.evidence`); the shapes of quotes,
counts and slogans are in :mod:`.shapes`, the candidate records and the rule for
nested names in :mod:`.candidates`.

Why not jieba alone: its cuts of unknown names are unreliable (圆泄泾等 is one
token), so heads are matched on characters and tokens are only used to decide
where a stem stops.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from geoplan.extract.candidates import Candidate, Token, drop_inner, pair_right
from geoplan.extract.evidence import Evidence
from geoplan.extract.tokenizer import SentenceTokens
from geoplan.extract.shapes import (
    NUMERALS,
    PUNCT,
    after_count,
    after_descriptor,
    balance_quotes,
    category_phrase,
    counting_slogan,
    generic_only,
    skip_slogan,
)
from geoplan.extract.vocab import ExtractVocab
from geoplan.gazetteer.names import ends_like_unit

__all__ = ["Candidate", "Discoverer", "Token"]

log = logging.getLogger(__name__)

#: a verb jieba has seen this often is a real verb, not a mis-tagged name part
_VERB_FREQ = 400


class Discoverer:
    """Finds head-word names in sentences of normalized text."""

    def __init__(
        self,
        vocab: ExtractVocab,
        known_names: Iterable[str] = (),
        locator_names: Iterable[str] = (),
        unit_names: Iterable[str] = (),
    ) -> None:
        """``unit_names``: every administrative name and short form in the country, which a
        bare water name (滁河) must not be (湛江, 浙江)."""
        from geoplan.extract.tokenizer import fresh  # lazy: jieba's dictionary takes a second to load

        self.vocab = vocab
        # jieba's dictionary is read once per process; this pair gets copies to add words to
        self._tokenizer, self._pos = fresh()
        self._freq = self._tokenizer.FREQ
        self.evidence = Evidence(vocab, self._pos, known_names)
        self.known = self.evidence.known
        self.locators = set(n for n in locator_names if len(n) >= 2)
        self._unit_names = frozenset(unit_names)
        for name in self.known:
            if self.evidence.base_frequency(name) < 2000:
                self._tokenizer.add_word(name, freq=2000, tag="ns")
        for head in vocab.head_kind:
            if len(head) >= 2:
                self._tokenizer.add_word(head, freq=5000, tag="n")
        for word in vocab.breakers:
            # a planning verb jieba hardly knows (建好: 3 uses) must still cut the
            # sentence, or it glues onto the name after it
            if len(word) >= 2 and int(self._freq.get(word, 0) or 0) < 3000:
                self._tokenizer.add_word(word, freq=3000, tag="v")
        for word in vocab.soft_breakers:
            if len(word) >= 2:
                self._tokenizer.add_word(word, freq=3000, tag="vn")
        for ext in vocab.extensions:
            if len(ext) >= 2:
                self._tokenizer.add_word(ext, freq=3000, tag="n")
        self.regions = dict(vocab.regions or {})
        self._group_max = vocab.group_max_stem
        self._long_breakers = tuple(b for b in vocab.breakers if len(b) >= 2)
        heads = "|".join(re.escape(h) for h in vocab.heads_longest_first)
        # a lookahead finds every position where a head starts, overlapping ones too,
        # in one pass of the regex engine over the sentence
        self._head_starts = re.compile(f"(?=(?:{heads}))")
        #: the heads by first character, longest first as in the vocabulary
        self._heads_by_char: dict[str, list[str]] = {}
        for head in vocab.heads_longest_first:
            self._heads_by_char.setdefault(head[:1], []).append(head)


    def word_frequency(self, word: str) -> int:
        """How common ``word`` is in jieba's general dictionary (0 if unknown)."""
        return self.evidence.word_frequency(word)

    def general_frequency(self, word: str) -> int:
        """How common ``word`` is in jieba's own dictionary, before any head or name was taught to it."""
        from geoplan.extract.tokenizer import base

        return int(base().freq.get(word, 0) or 0)

    def can_be_name(self, item: str) -> bool:
        """Whether a list item can be a name (see :meth:`Evidence.can_be_name`)."""
        return self.evidence.can_be_name(item)
    # ------------------------------------------------------------------ tokens
    def tokens(self, text: str, start: int, end: int) -> SentenceTokens:
        """The sentence's jieba tokens, each block cut when first needed (see :class:`SentenceTokens`)."""
        return SentenceTokens(self._pos, text, start, end)

    # -------------------------------------------------------------- discovery
    def find(
        self, text: str, start: int, end: int, toks: SentenceTokens | None = None, dropped: list | None = None
    ) -> list[Candidate]:
        """Candidates in one sentence ``text[start:end]`` (``toks``: its tokens, if cut already).

        ``dropped``, when given, receives ``(start, end, rule, "")`` for each name-shaped
        span set aside as no place (the ``not_a_place`` report)."""
        toks = self.tokens(text, start, end) if toks is None else toks
        if not toks:
            return []
        cands: list[Candidate] = []
        taken_until = -1
        for hs, he, head in self._heads(text, start, end):
            # a head inside the stem of a name already found ending later is skipped later
            cand = self._candidate(text, toks, hs, he, head, start, dropped)
            if cand is None:
                continue
            cands.append(cand)
            taken_until = max(taken_until, cand.end)
            right = pair_right(text, cand)
            if right is not None:
                cands.append(right)
        return drop_inner(cands, self.vocab.locator_before)

    def _heads(self, text: str, start: int, end: int) -> Iterable[tuple[int, int, str]]:
        """Every head occurrence, longest head at each end position."""
        seen_end: dict[int, tuple[int, int, str]] = {}
        for m in self._head_starts.finditer(text, start, end):
            i = m.start()
            # try every head starting here; keep the longest per end position
            for head in self._heads_by_char.get(text[i], ()):
                if text.startswith(head, i) and i + len(head) <= end:
                    he = i + len(head)
                    prev = seen_end.get(he)
                    if prev is None or prev[1] - prev[0] < len(head):
                        seen_end[he] = (i, he, head)
        # a name's true head is the longest suffix: for 科创中心 keep the one at 科
        return sorted(seen_end.values())

    def _candidate(
        self, text: str, toks: SentenceTokens, hs: int, he: int, head: str, sent_start: int, dropped: list | None = None
    ) -> Candidate | None:
        v = self.vocab
        # the head must end a word: 站 in 站在 is not a station
        tok_end = toks.covering(he)
        if tok_end is not None and tok_end.end != he:
            rest = text[he : tok_end.end]
            # 湖 inside 莲湖村 or 淀山湖文化…: the head belongs to a longer word
            if not any(text.startswith(ext, he) for ext in v.extensions):
                # unless jieba made the token up by gluing a particle (东庄|村均)
                glued = (
                    self.word_frequency(tok_end.word) == 0
                    and tok_end.word not in self.known
                    and len(rest) == 1
                    and (rest in v.stop_chars or self._pos.word_tag_tab.get(rest) in ("d", "c", "u", "p", "r"))
                )
                if not glued:
                    return None
        if hs > sent_start and text[hs - 1] in "-—－":
            return None  # 元江路-江…: the head of the next item, not of this one
        if len(head) == 1 and hs > sent_start:
            pair = text[hs - 1 : he]
            # 乡村, 城镇, 滨湖 are words, not a stem plus a head; nor are verb-object
            # words such as 驻村 or 巡河
            if pair in v.generic or pair in v.not_places:
                if dropped is not None:
                    dropped.append((hs - 1, he, "category" if pair in v.generic else "not-a-place", ""))
                return None
            if tok_end is not None and tok_end.word == pair and tok_end.flag.startswith("v") and self.word_frequency(pair) > 0:
                return None
        end = he
        for ext in v.extensions:
            if text.startswith(ext, he):
                end = he + len(ext)
                break
        name_end = end
        for ph in v.phases:
            if text.startswith(ph, end):
                end += len(ph)  # the surface keeps the phase, the name does not
                break
        kind = v.head_kind[head]
        stem_start, stem_tokens = self._walk_back(text, toks, hs, head, kind)
        stem_start = balance_quotes(text, stem_start, hs, v.quote_open, v.quote_close)
        stem_start = skip_slogan(text, stem_start, hs, v)
        for prefix in v.category_prefixes:
            # 国家“文创+基金”特色小镇: a rank or title opens the stem, it is no part of a name
            if text.startswith(prefix, stem_start) and stem_start + len(prefix) < hs:
                stem_start += len(prefix)
                break
        stem_start = after_count(text, stem_start, hs)
        cut = after_descriptor(text, stem_start, hs, v.descriptor_ends, toks.ends)
        if cut > stem_start and not self._names_a_place(text[stem_start : cut - 1]):
            # 海港经济型新城 is a category; 合肥综合性国家科学中心 a place's title
            stem_start = cut
        while stem_start < hs and text[stem_start] in "-—－+＋":
            stem_start += 1  # "-城市公园-地区公园", "+生产基地": a chain's tail is no name
        if head in v.numeric_heads:
            # 轨道交通21号线: the code alone is the stem of a numbered line
            code = re.search(r"[A-Za-z]*\d+[A-Za-z]?$", text[stem_start:hs])
            if code is not None:
                stem_start += code.start()
        stem = text[stem_start:hs]
        if kind in v.no_discovery_kinds:
            return None
        if not stem:
            # a bare head phrase (通用机场 after "A、B2个") only serves the list grammar
            if len(head) >= 2 and hs > sent_start:
                return Candidate(hs, end, head, kind, head, "", generic=True)
            return None
        group = self._group(text, stem_start, hs, name_end, head)
        if group is not None:
            return group or None
        if counting_slogan(text[stem_start:name_end]):
            return None
        stem_start, stem = self._strip_locator(stem_start, stem, kind)
        name = text[stem_start:name_end]
        # "总结练塘镇": a known name at the end with an unknown prefix is the known
        # name alone (the gazetteer match covers it); a whole list item
        # (张巷村、建新村) is a name as written even when it ends in one
        whole_item = stem_start > 0 and text[stem_start - 1] in "、，," and hs - stem_start <= 2
        if not whole_item:
            for k in range(stem_start + 1, hs):
                # G50青浦: two known names side by side, 浦 is 青浦's, not a head
                inner = text[k:end]
                if (
                    inner in self.known
                    and (text[stem_start:k] not in self.known or len(head) == 1)
                    and not category_phrase(inner, v.head_kind, v.generic)
                ):
                    return None
        stem_tokens = [t for t in stem_tokens if t.end > stem_start]
        if len(stem) == 1 and kind in v.bare_proper_kinds and self._bare_place_word(toks, stem_start, name_end, name):
            return Candidate(stem_start, end, name, kind, head, stem)
        if len(stem) == 1 and len(head) == 1 and self._one_word(toks, stem_start, name_end, name):
            # 方山 beside 梅龙湖: one word of two characters ending in a head is a name
            # only when a list of names vouches for it (东山 alone may be any east hill)
            return Candidate(stem_start, end, name, kind, head, stem, weak=True)
        verdict, rule = self.evidence.judge(stem, head, kind, stem_tokens, name)
        if verdict is False:
            if dropped is not None and len(stem) >= 2:
                dropped.append((stem_start, end, rule, ""))
            return None
        if verdict is True and self._locator_only(stem, kind):
            return None
        return Candidate(
            stem_start, end, name, kind, head, stem, generic=verdict == "generic", weak=verdict == "weak"
        )

    def _names_a_place(self, text: str) -> bool:
        """Whether ``text`` holds a known place or macro-region name, or is a region's short form (合肥, 大湾区)."""
        if any(True for _ in self.evidence.known_in(text)):
            return True
        # a region's tail of three characters or more stands for it (大湾区 of 粤港澳大湾区)
        return any(r[k:] in text for r in self.regions for k in range(max(1, len(r) - 2)) if len(r) >= 2)

    def _one_word(self, toks: SentenceTokens, start: int, end: int, name: str) -> bool:
        """One token, no generic word and no everyday word (江河, 山区).

        A far county's short form may be spelled so (方山); the list of names the
        weak candidate needs says which is meant here."""
        v = self.vocab
        if name in v.generic or name in v.not_places or name in v.breakers:
            return False
        if max(self.evidence.base_frequency(name), self.word_frequency(name)) >= v.proper_freq:
            return False
        return toks.exact(start, end) is not None

    def _bare_place_word(self, toks: SentenceTokens, start: int, end: int, name: str) -> bool:
        """长江, 滁河: one token the segmenter tags as a place, no administrative unit's name."""
        if name in self._unit_names or name in self.vocab.generic or name in self.vocab.not_places:
            return False
        tok = toks.exact(start, end)
        return tok is not None and tok.flag == "ns"

    def _locator_only(self, stem: str, kind: str) -> bool:
        """金泽镇湿地: a township's name plus a natural or area head names no one place."""
        v = self.vocab
        if kind not in v.locator_before and kind not in v.area_kinds:
            return False
        for loc in self._locator_prefixes(stem):
            if ends_like_unit(loc, ("city", "district", "town")) and loc != stem:
                rest = stem[len(loc) :]
                return generic_only(rest, v.generic)
        return stem in self.locators and ends_like_unit(stem, ("city", "district", "town", "street"))

    def _locator_prefixes(self, stem: str) -> list[str]:
        """The administrative names ``stem`` starts with, longest first (a set lookup per prefix:
        scanning every name for every candidate made large plans slow)."""
        return [stem[:k] for k in range(len(stem), 1, -1) if stem[:k] in self.locators]

    def _strip_locator(self, stem_start: int, stem: str, kind: str) -> tuple[int, str]:
        """Drop a leading administrative name that only locates the name after it.

        朱家角镇沈太路 is 沈太路 in 朱家角镇 (before roads, rivers, villages…), and
        练塘朱枫公路…示范片区 is the 朱枫公路 project located in 练塘; but
        朱家角工业园 or 金泽镇社区文化活动中心 are names of their own.
        """
        v = self.vocab
        for loc in self._locator_prefixes(stem):
            rest = stem[len(loc) :]
            if not rest:
                break
            if kind in v.locator_before or self._starts_with_line_name(rest):
                return stem_start + len(loc), rest
            break
        return stem_start, stem

    def _starts_with_line_name(self, rest: str) -> bool:
        """True when ``rest`` opens with a road/river-like name followed by more words."""
        for i in range(2, len(rest)):
            for head in self.vocab.heads_longest_first:
                if (
                    self.vocab.head_kind[head] in self.vocab.locator_before
                    and len(head) >= 2
                    and rest.startswith(head, i)
                    and i + len(head) < len(rest)
                ):
                    return True
        return False

    def _group(self, text: str, stem_start: int, hs: int, end: int, head: str) -> Candidate | bool | None:
        """A group name (青西三镇), ``False`` for a count closing a list, ``None`` otherwise."""
        v = self.vocab
        stem = text[stem_start:hs]
        if head not in v.group_heads or len(stem) < 2 or stem[-1] not in v.group_counts:
            return None
        name = text[stem_start:end]
        if name in (v.groups or {}):
            return Candidate(stem_start, end, name, "zone", head, stem, rule="group")
        base = stem[:-1]
        # "朱家角、练塘、金泽三镇" counts the list before it; so does a long description
        if text[stem_start - 1 : stem_start] in ("、", "和", "及", "与") or len(base) > self._group_max:
            return False
        if not self.evidence.proper_text(base):
            return False
        return Candidate(stem_start, end, name, "zone", head, stem, rule="group")

    def _walk_back(self, text: str, toks: SentenceTokens, hs: int, head: str, kind: str = "") -> tuple[int, list[Token]]:
        """Where the stem before a head begins, and the tokens it spans."""
        v = self.vocab
        joiners = (v.joiners or {}).get(kind, ())
        numeric = head in v.numeric_heads
        back = toks.back_from(hs)  # back[0] holds the head's start, back[j] is j tokens before it
        if not back.has(0):
            return hs, []
        pos = hs
        used: list[Token] = []
        j = -1
        while back.has(j + 1):
            j += 1
            t = back[j]
            piece = text[t.start : min(t.end, pos)]
            if not piece:
                continue
            if piece in ("）", ")") and pos == t.end:
                # 长三角（上海）智慧互联网医院: a bracketed place name inside a name
                k = self._bracket_open(text, t.start)
                if k is not None:
                    while back.has(j + 1) and back[j].start > k:
                        j += 1
                        used.append(back[j])
                    pos = k
                    continue
            if piece in joiners and used:
                pos = t.start
                used.append(t)
                continue
            if self._numeral_in_name(text, t, numeric):
                pos = t.start  # 万博商务区: a numeral character no counter follows is part of a name
                used.append(t)
                continue
            if self._stops(piece, t, numeric):
                break
            # a stop character inside the piece ends the stem right after it
            cut = max((k for k, ch in enumerate(piece) if ch in v.stop_chars), default=-1)
            # only where jieba glued a particle to an unknown word (圆泄泾等); 华为 is a word
            # 在城镇: a particle opening a word that stands without it
            opens = piece[0] in v.stop_chars and self.word_frequency(piece[1:]) > 0 and len(piece) > 2
            if cut >= 0 and piece not in self.known and (len(piece) == 1 or self.word_frequency(piece) == 0 or opens):
                pos = t.start + cut + 1
                if pos < hs:
                    used.append(t)
                break
            if hs - t.start > v.max_stem:
                break
            pos = t.start
            used.append(t)
        used.reverse()
        pos = self._trim_soft(text, pos, hs, used)
        pos = self._after_inner_head(text, pos, hs, used)
        return pos, used

    def _after_inner_head(self, text: str, pos: int, hs: int, used: list[Token]) -> int:
        """Start after a head word inside the stem that a proper name follows.

        …试验区嘉湖片区 is the 嘉湖 part of a 试验区: the part's name starts after
        the whole's head.  Only a proper name after the head counts (科创园区 in
        西岑科创园区 has none after it).
        """
        heads = self.vocab.head_kind
        for t in reversed(used):
            if t.start < pos or t.end >= hs:
                continue
            rest = text[t.end : hs]
            if t.word in heads and len(t.word) >= 2 and rest[:1] not in self.vocab.quote_open and self.evidence.proper_text(rest) is True:
                return t.end
        return pos

    def _bracket_open(self, text: str, close: int) -> int | None:
        """Start of ``（X）`` ending at ``close`` when X is a known place and a name precedes it."""
        for k in range(close - 1, max(close - 8, 0) - 1, -1):
            if text[k] in "（(":
                inner = text[k + 1 : close]
                if (inner in self.known or inner in self.regions) and k > 0 and not text[k - 1] in PUNCT:
                    return k
                return None
        return None

    def _trim_soft(self, text: str, pos: int, hs: int, used: list[Token]) -> int:
        """Cut the stem after a soft breaker that no proper part precedes.

        发展 inside 同济大学可持续发展研究院 is part of a name; in 加快发展示范区 or
        产业发展示范区 the words before it name nothing, so the stem starts after it.
        """
        v = self.vocab
        if not v.soft_breakers:
            return pos
        for t in reversed(used):
            s, e = max(t.start, pos), min(t.end, hs)
            if text[s:e] in v.soft_breakers:
                if not self.evidence.proper_text(text[pos:s]):
                    return e
                break
        return pos

    def _numeral_in_name(self, text: str, t: Token, numeric: bool) -> bool:
        """A lone numeral token followed by a proper character, not a counter (万|博, not 两|条 or 万|亩)."""
        nxt = text[t.end : t.end + 1]
        return (
            not numeric
            and t.flag == "m"
            and len(t.word) == 1
            and t.word in NUMERALS
            and bool(nxt)
            and nxt not in self.vocab.counters
            and nxt not in NUMERALS
        )

    def _stops(self, piece: str, t: Token, numeric: bool) -> bool:
        """True when the token ``piece`` cannot be part of a name stem."""
        v = self.vocab
        if piece in v.quote_open or piece in v.quote_close:
            return False
        if any(ch in PUNCT for ch in piece):
            return True
        if piece in v.breakers:
            return True
        if piece in v.soft_breakers:
            return False
        if piece in self.known and len(piece) >= 3:
            return False
        if len(piece) >= 3 and any(b in piece for b in self._long_breakers):
            # jieba sometimes glues a verb to its neighbour (充分利用, 大力推广)
            return True
        if piece[0].isdigit() or (piece.isascii() and piece.isalnum()):
            # numbers and codes begin names only before numbered heads
            # (17号线, G50高速); "5个" or "2025年" before any other head is a count
            if numeric:
                return not re.fullmatch(r"[A-Za-z]{0,2}\d+[A-Za-z]?", piece)
            return piece[0].isdigit() or len(piece) < 2
        if piece in v.generic:
            return False
        if len(piece) == 1 and piece not in v.stop_chars and self.word_frequency(piece) < v.rare_freq:
            return False  # 浡 of 浡泥国王纪念园: a rare character is a name's, whatever its tag
        flag = t.flag
        if flag == "m" and not numeric and (set(piece) & NUMERALS or piece[0].isdigit()):
            # counts ("两条", "万亩", "一批") never open a name before a plain head
            return True
        if flag == "vn":
            # verbal nouns (生产, 制造, 服务) are nominal inside names: 华为生产制造基地
            return False
        if flag in ("nr", "ns", "nz", "nt", "nrt", "nrfg", "j"):
            return False
        if flag in v.stop_flags or (flag[:1] in v.stop_flags and flag[:1] not in ("a", "v", "n")):
            return True
        if flag.startswith("v") and len(piece) >= 2 and self._freq.get(piece, 0) >= _VERB_FREQ:
            # (one character tagged v is too often a name's: 泖湾港)
            return True
        if flag in ("a", "an") and len(piece) >= 2 and self._freq.get(piece, 0) >= _VERB_FREQ * 5:
            return True
        return False
