"""Discovery of names no gazetteer holds, from the shape of Chinese names.

A planning name is a proper-name stem followed by a head word: 西岑 + 科创中心,
华院华东互联网 + 产业园, 17 + 号线 (+ 西延伸).  Heads are found character by
character (longest first, from ``kinds.toml``); the stem is found by walking back
over jieba tokens until something that cannot be part of a name: punctuation, a
planning verb or function word (``extract.toml``), a common verb that jieba is
sure of, or the length limit.  jieba gets the gazetteer's names and the head
words as user words so that it cuts 西岑|科创中心 rather than 西岑科|创|中心.

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

log = logging.getLogger(__name__)

#: a verb jieba has seen this often is a real verb, not a mis-tagged name part
_VERB_FREQ = 400
_PUNCT = set("，。；：！？、,.;:!?()（）《》〈〉【】[]{}<>|/\\\"'…—·~～ \t\n")
_LATIN_NUM = re.compile(r"[A-Za-z0-9]")


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
        for name in self.known:
            if self._base_freq[name] < 2000:
                self._tokenizer.add_word(name, freq=2000, tag="ns")
        for head in vocab.head_kind:
            if len(head) >= 2:
                self._tokenizer.add_word(head, freq=5000, tag="n")
        for word in vocab.breakers:
            if len(word) >= 2 and word not in self._freq:
                self._tokenizer.add_word(word, freq=3000, tag="v")
        for ext in vocab.extensions:
            if len(ext) >= 2:
                self._tokenizer.add_word(ext, freq=3000, tag="n")
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
        return _drop_inner(cands)

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
            if not any(text.startswith(ext, he) for ext in v.extensions) and rest not in ("区",):
                if not (tok_end.word in self.known and tok_end.end > he):
                    return None
        end = he
        for ext in v.extensions:
            if text.startswith(ext, he):
                end = he + len(ext)
                break
        stem_start, stem_tokens = self._walk_back(text, toks, hs, head)
        stem_start = _balance_quotes(text, stem_start, hs, v.quote_open, v.quote_close)
        stem_start = _skip_slogan(text, stem_start, hs, v)
        stem = text[stem_start:hs]
        kind = v.head_kind[head]
        if not stem or kind in v.no_discovery_kinds:
            return None
        # a leading administrative name is a locator before roads, rivers, villages…
        if kind in v.locator_before:
            for loc in sorted(self.locators, key=len, reverse=True):
                if stem.startswith(loc) and len(stem) - len(loc) >= 1:
                    stem_start += len(loc)
                    stem = stem[len(loc) :]
                    break
        name = text[stem_start:end]
        # "总结练塘镇": a known name at the end with an unknown prefix is the known
        # name alone (the gazetteer match covers it)
        for k in range(stem_start + 1, hs):
            if text[k:end] in self.known and text[stem_start:k] not in self.known:
                return None
        verdict = self._is_name(stem, head, kind, stem_tokens, name)
        if verdict is False:
            return None
        return Candidate(stem_start, end, name, kind, head, stem, generic=verdict == "generic")

    def _walk_back(self, text: str, toks: list[Token], hs: int, head: str) -> tuple[int, list[Token]]:
        """Where the stem before a head begins, and the tokens it spans."""
        v = self.vocab
        numeric = head in v.numeric_heads
        idx = next((i for i, t in enumerate(toks) if t.start < hs <= t.end), None)
        if idx is None:
            return hs, []
        pos = hs
        used: list[Token] = []
        for i in range(idx, -1, -1):
            t = toks[i]
            piece = text[t.start : min(t.end, pos)]
            if not piece:
                continue
            if self._stops(piece, t, numeric):
                break
            # a stop character inside the piece ends the stem right after it
            cut = max((k for k, ch in enumerate(piece) if ch in v.stop_chars), default=-1)
            if cut >= 0 and piece not in self.known:
                pos = t.start + cut + 1
                if pos < hs:
                    used.append(t)
                break
            if hs - t.start > v.max_stem:
                break
            pos = t.start
            used.append(t)
        used.reverse()
        return pos, used

    def _stops(self, piece: str, t: Token, numeric: bool) -> bool:
        """True when the token ``piece`` cannot be part of a name stem."""
        v = self.vocab
        if piece in v.quote_open or piece in v.quote_close:
            return False
        if any(ch in _PUNCT for ch in piece):
            return True
        if piece in v.breakers:
            return True
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
        if flag in ("nr", "ns", "nz", "nt", "nrt", "nrfg", "j"):
            return False
        if flag in v.stop_flags or (flag[:1] in v.stop_flags and flag[:1] not in ("a", "v", "n")):
            return True
        if flag.startswith("v") and self._freq.get(piece, 0) >= _VERB_FREQ:
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
        if name in v.not_places or stem in v.not_places:
            return False
        for np_ in v.not_places:
            if name.endswith(np_) and (len(name) - len(np_) <= 1 or _generic_only(name[: -len(np_)], v.generic)):
                return False
        stripped = stem.strip(v.quote_open + v.quote_close)
        if head not in v.numeric_heads and len(re.sub(r"[A-Za-z0-9\s]", "", stripped)) < 1:
            return False
        if head in v.numeric_heads and re.fullmatch(r"[A-Za-z]?\d+[A-Za-z]?", stripped):
            return True
        if _generic_only(stripped, v.generic):
            return "generic"
        if head in v.weak_heads or len(head) == 1:
            return self._has_proper(stem, stem_tokens)
        return True

    def _has_proper(self, stem: str, toks: list[Token]) -> bool:
        v = self.vocab
        if any(q in stem for q in v.quote_open):
            return True
        if any(k in stem for k in self.known):
            return True
        for t in toks:
            if t.flag in ("ns", "nr", "nrt", "nz", "nt", "nrfg", "j", "eng") and t.word not in v.generic:
                return True
            if len(t.word) == 1 and t.word not in v.generic and self._freq.get(t.word, 0) < 50000:
                return True
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


_NUMERALS = set("一二三四五六七八九十两百千万")


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
    """True when ``stem`` can be cut entirely into generic words."""
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


def _drop_inner(cands: list[Candidate]) -> list[Candidate]:
    """Of names nested in one another keep the longest (西岑科创中心 over 中心).

    Generic phrases (生态廊道) never displace a name; they are kept only where no
    name overlaps them, for the list grammar to use.
    """
    names = sorted((c for c in cands if not c.generic), key=lambda c: (c.start, -(c.end - c.start)))
    out: list[Candidate] = []
    for c in names:
        if any(o.start <= c.start and c.end <= o.end for o in out):
            continue
        out = [o for o in out if not (c.start <= o.start and o.end <= c.end)]
        out.append(c)
    for g in (c for c in cands if c.generic):
        if not any(o.start < g.end and g.start < o.end for o in out):
            out.append(g)
    return sorted(out, key=lambda c: c.start)
