"""Discovery of names no gazetteer holds, from the shape of Chinese names.

A planning name is a proper-name stem followed by a head word: 西岑 + 科创中心,
华院华东互联网 + 产业园, 17 + 号线 (+ 西延伸).  Heads are found character by
character (longest first, from ``kinds.toml``); the stem is found by walking back
over jieba tokens until something that cannot be part of a name: punctuation, a
planning verb or function word (``extract.toml``), a common verb that jieba is
sure of, a count, or the length limit.  jieba gets the gazetteer's names and the
head words as user words so that it cuts 西岑|科创中心 rather than 西岑科|创|中心.

A stem must then hold a *proper part* — a known name, a quoted name, a code, or
a word jieba tags as a place/person name without it being an everyday word —
because the plans talk about categories as often as about places: 紧密型学区,
湖泊湿地 and 机构集聚区 have the shape of names and no proper part.  Words jieba
does not know but reads as common nouns (后塘, 练信 — or the jargon 实训, 河长)
are weak evidence, confirmed only by a list of names around them (see
:meth:`geoplan.extract.Extractor._confirm_weak`).

Why not jieba alone: its cuts of unknown names are unreliable (圆泄泾等 is one
token), so heads are matched on characters and tokens are only used to decide
where a stem stops.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from geoplan.extract.vocab import ExtractVocab
from geoplan.gazetteer.names import ends_like_unit

log = logging.getLogger(__name__)

#: a verb jieba has seen this often is a real verb, not a mis-tagged name part
_VERB_FREQ = 400
_PUNCT = set("，。；：！？、,.;:!?()（）《》〈〉【】[]{}<>|/\\\"'…—·~～ \t\n")
_LATIN_NUM = re.compile(r"[A-Za-z0-9]")
_PROPER_FLAGS = frozenset({"ns", "nr", "nrt", "nz", "nt", "nrfg", "j", "eng"})
_COMMON_FLAGS = frozenset({"n", "vn", "v", "a", "an", "ad", "d", "m", "q", "r", "p", "c", "u", "f", "t"})


@dataclass
class Token:
    start: int
    end: int
    word: str
    flag: str


@dataclass
class Candidate:
    """A discovered name before aggregation."""

    start: int
    end: int
    name: str
    kind: str
    head: str
    stem: str
    rule: str = "head"
    surface_span: tuple[int, int] | None = None  # for coordination: the item as written
    generic: bool = False  # stem made of generic words only: kept for list grammar, never a name
    weak: bool = False  # the only proper evidence is a word jieba does not know: needs a listed neighbour
    evidence: list[str] = field(default_factory=list)


class Discoverer:
    """Finds head-word names in sentences of normalized text."""

    def __init__(
        self,
        vocab: ExtractVocab,
        known_names: Iterable[str] = (),
        locator_names: Iterable[str] = (),
    ) -> None:
        import jieba  # lazy: jieba's dictionary takes a second to load
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        self.vocab = vocab
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        self._pos = jieba.posseg.POSTokenizer(self._tokenizer)
        self._freq = self._tokenizer.FREQ
        self.known = set(n for n in known_names if len(n) >= 2)
        self.locators = set(n for n in locator_names if len(n) >= 2)
        # how common each known name is as an ordinary word, before it becomes a
        # user word (资源, 建设 are township short names and everyday words)
        self._base_freq = {n: int(self._freq.get(n, 0) or 0) for n in self.known}
        tags = self._pos.word_tag_tab
        # known names jieba already had as place or person names (上海, 松江) are
        # names however common; others it had (资源, 建设) are everyday words
        self._known_proper = {
            n for n in self.known
            if len(n) >= 3 or self._base_freq[n] < vocab.proper_freq or tags.get(n) in _PROPER_FLAGS
        }
        for name in self.known:
            if self._base_freq[name] < 2000:
                self._tokenizer.add_word(name, freq=2000, tag="ns")
        for head in vocab.head_kind:
            if len(head) >= 2:
                self._tokenizer.add_word(head, freq=5000, tag="n")
        for word in vocab.breakers:
            if len(word) >= 2 and word not in self._freq:
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
        self._head_re = re.compile(f"(?:{heads})")

    def word_frequency(self, word: str) -> int:
        """How common ``word`` is in jieba's general dictionary (0 if unknown)."""
        if word in self._base_freq:
            return self._base_freq[word]
        return int(self._freq.get(word, 0) or 0)

    # ------------------------------------------------------------------ tokens
    def tokens(self, text: str, start: int, end: int) -> list[Token]:
        out: list[Token] = []
        pos = start
        for pair in self._pos.cut(text[start:end]):
            word, flag = pair.word, pair.flag
            out.append(Token(pos, pos + len(word), word, flag))
            pos += len(word)
        return out

    # -------------------------------------------------------------- discovery
    def find(self, text: str, start: int, end: int, toks: list[Token] | None = None) -> list[Candidate]:
        """Candidates in one sentence ``text[start:end]`` (``toks``: its tokens, if cut already)."""
        toks = self.tokens(text, start, end) if toks is None else toks
        if not toks:
            return []
        cands: list[Candidate] = []
        taken_until = -1
        for hs, he, head in self._heads(text, start, end):
            # a head inside the stem of a name already found ending later is skipped later
            cand = self._candidate(text, toks, hs, he, head, start)
            if cand is None:
                continue
            cands.append(cand)
            taken_until = max(taken_until, cand.end)
            right = _pair_right(text, cand)
            if right is not None:
                cands.append(right)
        return _drop_inner(cands, self.vocab.locator_before)

    def _heads(self, text: str, start: int, end: int) -> Iterable[tuple[int, int, str]]:
        """Every head occurrence, longest head at each end position."""
        seen_end: dict[int, tuple[int, int, str]] = {}
        for i in range(start, end):
            m = self._head_re.match(text, i, end)
            if not m:
                continue
            # try every head starting here; keep the longest per end position
            for head in self.vocab.heads_longest_first:
                if text.startswith(head, i) and i + len(head) <= end:
                    he = i + len(head)
                    prev = seen_end.get(he)
                    if prev is None or prev[1] - prev[0] < len(head):
                        seen_end[he] = (i, he, head)
        # a name's true head is the longest suffix: for 科创中心 keep the one at 科
        return sorted(seen_end.values())

    def _candidate(
        self, text: str, toks: list[Token], hs: int, he: int, head: str, sent_start: int
    ) -> Candidate | None:
        v = self.vocab
        # the head must end a word: 站 in 站在 is not a station
        tok_end = next((t for t in toks if t.start < he <= t.end), None)
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
        stem_start = _balance_quotes(text, stem_start, hs, v.quote_open, v.quote_close)
        stem_start = _skip_slogan(text, stem_start, hs, v)
        for prefix in v.category_prefixes:
            # 国家“文创+基金”特色小镇: a rank or title opens the stem, it is no part of a name
            if text.startswith(prefix, stem_start) and stem_start + len(prefix) < hs:
                stem_start += len(prefix)
                break
        stem_start = _after_count(text, stem_start, hs)
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
        if _counting_slogan(text[stem_start:name_end]):
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
                if text[k:end] in self.known and (text[stem_start:k] not in self.known or len(head) == 1):
                    return None
        stem_tokens = [t for t in stem_tokens if t.end > stem_start]
        verdict = self._is_name(stem, head, kind, stem_tokens, name)
        if verdict is False:
            return None
        if verdict is True and self._locator_only(stem, kind):
            return None
        return Candidate(
            stem_start, end, name, kind, head, stem, generic=verdict == "generic", weak=verdict == "weak"
        )

    def _locator_only(self, stem: str, kind: str) -> bool:
        """金泽镇湿地: a township's name plus a natural or area head names no one place."""
        v = self.vocab
        if kind not in v.locator_before and kind not in v.area_kinds:
            return False
        for loc in self._locator_prefixes(stem):
            if ends_like_unit(loc, ("city", "district", "town")) and loc != stem:
                rest = stem[len(loc) :]
                return _generic_only(rest, v.generic)
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
        if not self._proper_text(base):
            return False
        return Candidate(stem_start, end, name, "zone", head, stem, rule="group")

    def _walk_back(self, text: str, toks: list[Token], hs: int, head: str, kind: str = "") -> tuple[int, list[Token]]:
        """Where the stem before a head begins, and the tokens it spans."""
        v = self.vocab
        joiners = (v.joiners or {}).get(kind, ())
        numeric = head in v.numeric_heads
        idx = next((i for i, t in enumerate(toks) if t.start < hs <= t.end), None)
        if idx is None:
            return hs, []
        pos = hs
        used: list[Token] = []
        i = idx + 1
        while i > 0:
            i -= 1
            t = toks[i]
            piece = text[t.start : min(t.end, pos)]
            if not piece:
                continue
            if piece in ("）", ")") and pos == t.end:
                # 长三角（上海）智慧互联网医院: a bracketed place name inside a name
                k = self._bracket_open(text, t.start)
                if k is not None:
                    while i > 0 and toks[i].start > k:
                        i -= 1
                        used.append(toks[i])
                    pos = k
                    continue
            if piece in joiners and used:
                pos = t.start
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
            if t.word in heads and len(t.word) >= 2 and rest[:1] not in self.vocab.quote_open and self._proper_text(rest) is True:
                return t.end
        return pos

    def _bracket_open(self, text: str, close: int) -> int | None:
        """Start of ``（X）`` ending at ``close`` when X is a known place and a name precedes it."""
        for k in range(close - 1, max(close - 8, 0) - 1, -1):
            if text[k] in "（(":
                inner = text[k + 1 : close]
                if (inner in self.known or inner in self.regions) and k > 0 and not text[k - 1] in _PUNCT:
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
                if not self._proper_text(text[pos:s]):
                    return e
                break
        return pos

    def _stops(self, piece: str, t: Token, numeric: bool) -> bool:
        """True when the token ``piece`` cannot be part of a name stem."""
        v = self.vocab
        if piece in v.quote_open or piece in v.quote_close:
            return False
        if any(ch in _PUNCT for ch in piece):
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
        flag = t.flag
        if flag == "m" and not numeric and (set(piece) & _NUMERALS or piece[0].isdigit()):
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

    def _is_name(self, stem: str, head: str, kind: str, stem_tokens: list[Token], name: str) -> bool | str:
        """True for a name, False for nothing, ``"generic"`` for a generic phrase
        such as 生态廊道 that only a preceding list can turn into names."""
        v = self.vocab
        if len(stem) < (1 if head in v.numeric_heads else v.min_stem) and stem not in self.known:
            if not (len(stem) == 1 and len(head) >= 2 and head not in v.weak_heads):
                return False
        stripped = stem.strip(v.quote_open + v.quote_close)
        unquoted = re.sub(f"[{re.escape(v.quote_open)}][^{re.escape(v.quote_close)}]*[{re.escape(v.quote_close)}]", "", stem)
        if "+" in unquoted or "＋" in unquoted:
            # 区域品牌+优势产业+…: a formula, not a name (a quoted “文创+基金” may be one)
            return False
        if stripped[-1:] in _NUMERALS and head not in v.numeric_heads:
            # …帮百村: a count before the head
            return False
        if _generic_only(stripped, v.generic):
            # 生态廊道, 通用机场: no name, but a list before it may share the head
            return "generic"
        if name in v.not_places or stem in v.not_places:
            return False
        if any(name.endswith(d) for d in v.designations) and self._known_stem(stem):
            # 陈云纪念馆爱国主义教育示范基地: a title the known place holds, not a place
            return False
        if any(name.endswith(a) for a in v.actor_heads):
            return False
        if any(sl in name for sl in v.slogans):
            return False
        for np_ in v.not_places:
            if name.endswith(np_) and (len(name) - len(np_) <= 1 or _generic_only(name[: -len(np_)], v.generic)):
                return False
        stripped = stem.strip(v.quote_open + v.quote_close)
        if head not in v.numeric_heads and len(re.sub(r"[A-Za-z0-9\s]", "", stripped)) < 1:
            return False
        if head in v.numeric_heads and re.fullmatch(r"[A-Za-z]?\d+[A-Za-z]?", stripped):
            return True
        if head not in v.numeric_heads and re.search(r"(?<![A-Za-z\d])\d{2,}", stripped):
            # "65公里", "500强": a measure inside the stem, not a name
            return False
        proper = self._proper_text(stem)
        if proper is True:
            return True
        # 商城路, 人民路: a road or river is often named by one ordinary place-like word
        words = list(self._pos.cut(stripped))
        if len(head) == 1 and kind in v.locator_before and len(words) == 1 and words[0].flag in _PROPER_FLAGS:
            return True
        if len(head) == 1 and kind in v.locator_before and len(stripped) <= 3:
            # 建新村 among 张巷村、李庄村: village and road names are often plain words;
            # a list of names around one vouches for it
            return "weak"
        return "weak" if proper == "weak" else False

    def _proper_text(self, text: str) -> bool | str:
        """A proper part: a quoted name, a code, a known name, a rare or proper word.

        Rare means jieba's general dictionary has seen the word fewer than
        ``rare_freq`` times (泖甸, 西岑); a word jieba tags as a place or person
        name counts while it is not an everyday word (``proper_freq``): 华为 yes,
        江南 or 湖泊 no.  Generic planning words never count.
        """
        v = self.vocab
        if not text:
            return False
        quoted = f"[{re.escape(v.quote_open)}]([^{re.escape(v.quote_close)}]+)[{re.escape(v.quote_close)}]"
        for q in re.finditer(quoted, text):
            inner = q.group(1)
            if not (set(inner) & _NUMERALS or "+" in inner or inner in v.slogans or _generic_only(inner, v.generic)):
                return True
        # slogans in quotes (“文创+基金”) prove nothing; what is left must
        bare = re.sub(quoted, "", text)
        bare = re.sub(f"[{re.escape(v.quote_open + v.quote_close)}]", "", bare)
        if _LATIN_NUM.search(bare):
            return True
        for k in self._known_in(bare):
            return True
        weak = False
        for word, flag in self._pos.cut(bare):
            verdict = self._word_proper(word, flag)
            if verdict is True:
                return True
            weak = weak or verdict == "weak"
        return "weak" if weak else False

    def _known_stem(self, stem: str) -> bool:
        """Whether ``stem`` is a known name, possibly followed by generic words."""
        for k in range(len(stem), 1, -1):
            if stem[:k] in self.known:
                return _generic_only(stem[k:], self.vocab.generic) or k == len(stem)
        return False

    def can_be_name(self, item: str) -> bool:
        """Whether a list item can be a name: known, or proper, and no measure in it."""
        if item in self.known:
            return True
        if re.search(r"(?<![A-Za-z\d])\d{2,}[^\dA-Za-z]", item):
            return False
        return self._proper_text(item) is not False

    def _known_in(self, text: str) -> Iterable[str]:
        """Known names (three characters or more, or rare as words) inside ``text``."""
        n = len(text)
        for i in range(n - 1):
            for j in range(min(n, i + 12), i + 1, -1):
                w = text[i:j]
                if w in self._known_proper and w not in self.vocab.generic:
                    yield w

    def _word_proper(self, word: str, flag: str) -> bool | str:
        v = self.vocab
        if word in v.generic or word in v.breakers or word in v.soft_breakers or word in v.slogans:
            return False
        if any(ch in _PUNCT for ch in word):
            return False
        freq = self.word_frequency(word)
        if len(word) == 1:
            return freq < v.rare_freq or (flag in ("ng", "nr", "ns", "nz", "nrt", "nrfg", "j", "tg", "x") and freq < 50000)
        if flag == "m" or word[0] in _NUMERALS and flag in ("m", "mq"):
            return False
        if flag in _PROPER_FLAGS:
            return freq < v.proper_freq
        # names jieba does not know come out as person or place names (西岑 nr,
        # 华院 nz) or split into rare characters; an unknown word it reads as a
        # common noun or verb is as often jargon (实训, 河长) as a name (后塘,
        # 练信): weak evidence, that a list of names around it can confirm
        if freq == 0 and len(word) <= 3:
            return "weak" if flag in _COMMON_FLAGS else True
        return False


def _balance_quotes(text: str, start: int, end: int, opens: str, closes: str) -> int:
    """Move ``start`` past a quote that is not closed (or opened) inside the stem.

    “青浦 … is cut to 青浦; “文创+基金”特色小镇 keeps its balanced quotes.
    """
    depth = 0
    cut = start
    for i in range(start, end):
        ch = text[i]
        if ch in opens:
            depth += 1
            if depth == 1:
                open_at = i
        elif ch in closes:
            if depth == 0:
                cut = i + 1  # a closing quote with no opening: the name starts after it
            else:
                depth -= 1
    if depth > 0:
        # an opening quote never closed before the head: the name starts after it
        last_open = max(i for i in range(start, end) if text[i] in opens)
        cut = max(cut, last_open + 1)
    return cut


_NUMERALS = set("一二三四五六七八九十两百千万双零")


def _skip_slogan(text: str, start: int, end: int, v) -> int:
    """Skip a quoted slogan that opens a stem: “一体两翼”南太湖城市带 → 南太湖城市带.

    A quoted part counting things (numerals inside) is a slogan, not a name;
    “文创+基金” or “南太湖精英计划” stay.
    """
    if start < end and text[start] in v.quote_open:
        close = next((k for k in range(start + 1, end) if text[k] in v.quote_close), None)
        if close is not None and any(ch in _NUMERALS for ch in text[start + 1 : close]) and close + 1 < end:
            return close + 1
    return start


def _generic_only(stem: str, generic: frozenset[str]) -> bool:
    """True when ``stem`` can be cut entirely into generic words (dashes between
    them do not count: 区-街镇-园区 is a chain of generic words)."""
    stem = re.sub(r"[-—－]", "", stem)
    n = len(stem)
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if not ok[i]:
            continue
        for j in range(i + 1, min(n, i + 8) + 1):
            if stem[i:j] in generic:
                ok[j] = True
    return ok[n]


def _drop_inner(cands: list[Candidate], nested_kinds: Iterable[str] = ()) -> list[Candidate]:
    """Of names nested in one another keep the longest (西岑科创中心 over 中心).

    A road, river or other line name inside a longer name is a place of its own
    and stays as a nested mention (漕平路 in 漕平路跨淀浦河桥梁, 朱枫公路 in
    朱枫公路乡村振兴示范片区).  Generic phrases (生态廊道) never displace a
    name; they are kept only where no name overlaps them, for the list grammar.
    """
    nested_kinds = frozenset(nested_kinds)
    names = sorted((c for c in cands if not c.generic), key=lambda c: (c.start, -(c.end - c.start)))
    out: list[Candidate] = []
    inner: list[Candidate] = []
    for c in names:
        if any(o.start <= c.start and c.end <= o.end for o in out):
            inner.append(c)
            continue
        inner.extend(o for o in out if c.start <= o.start and o.end <= c.end)
        out = [o for o in out if not (c.start <= o.start and o.end <= c.end)]
        out.append(c)
    for c in inner:
        outer = next((o for o in out if o.start <= c.start and c.end <= o.end), None)
        # the second road of a pair (元江路-江月路) ends where the pair ends
        paired = outer is not None and any(d in outer.name[: c.start - outer.start] for d in "-—－")
        if outer is not None and c.kind in nested_kinds and not c.weak and (c.end < outer.end or paired):
            c.rule = "nested"
            out.append(c)
    for g in (c for c in cands if c.generic):
        if not any(o.start < g.end and g.start < o.end for o in out):
            out.append(g)
    return sorted(out, key=lambda c: c.start)


def _pair_right(text: str, cand: Candidate) -> Candidate | None:
    """The second name of a dash pair (江月路 of 元江路-江月路, 西泄泾 of 东蒸港-西泄泾)."""
    if cand.generic or cand.weak:
        return None
    dash = max(cand.stem.rfind(d) for d in "-—－")
    if dash < 0:
        return None
    start = cand.start + dash + 1
    stem = cand.stem[dash + 1 :]
    if len(stem) < 2 or any(ch in _PUNCT for ch in stem):
        return None
    return Candidate(start, cand.end, text[start : cand.end], cand.kind, cand.head, stem, rule="nested")


_COUNT = re.compile(r"[一二三四五六七八九十两百千万几多]+[大个条座家所处批类项片镇村乡区县市]")


def _after_count(text: str, start: int, end: int) -> int:
    """Start a stem after a count phrase inside it: 南太湖未来城两大特色新城 → 特色新城."""
    last = None
    for m in _COUNT.finditer(text, start, end):
        last = m
    return last.end() if last is not None else start


def _counting_slogan(name: str) -> bool:
    """五山五漾, 百村联百村: one numeral counting twice is a slogan, not a name."""
    nums = [i for i, ch in enumerate(name) if ch in _NUMERALS and ch not in "双零"]
    for a, b in zip(nums, nums[1:]):
        if b - a > 1 and name[a] == name[b]:
            return True
    return False
