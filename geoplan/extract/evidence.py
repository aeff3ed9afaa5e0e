"""Evidence that a stem is a proper name and not a category.

The plans talk about categories as often as about places: 紧密型学区, 湖泊湿地
and 机构集聚区 have the shape of names and no proper part.  A stem must hold a
*proper part* — a known name, a quoted name, a code, or a word jieba tags as a
place/person name without it being an everyday word.  Words jieba does not know
but reads as common nouns (后塘, 练信 — or the jargon 实训, 河长) are weak
evidence, confirmed only by a list of names around them.

Why a module: the verdict depends on word frequencies taken *before* discovery
teaches jieba the gazetteer's names, so this class owns those figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from geoplan.extract.shapes import NUMERALS, PUNCT, generic_only
from geoplan.extract.vocab import ExtractVocab

if TYPE_CHECKING:
    from geoplan.extract.candidates import Token

_LATIN_NUM = re.compile(r"[A-Za-z0-9]")
PROPER_FLAGS = frozenset({"ns", "nr", "nrt", "nz", "nt", "nrfg", "j", "eng"})
_COMMON_FLAGS = frozenset({"n", "vn", "v", "a", "an", "ad", "d", "m", "q", "r", "p", "c", "u", "f", "t"})


class Evidence:
    """Judges stems against jieba's general dictionary and the known names."""

    def __init__(self, vocab: ExtractVocab, pos, known_names: Iterable[str] = ()) -> None:
        """``pos``: a jieba POSTokenizer not yet taught the known names."""
        self.vocab = vocab
        self._pos = pos
        self._freq = pos.tokenizer.FREQ
        self.known = set(n for n in known_names if len(n) >= 2)
        # how common each known name is as an ordinary word, before it becomes a
        # user word (资源, 建设 are township short names and everyday words)
        self._base_freq = {n: int(self._freq.get(n, 0) or 0) for n in self.known}
        tags = pos.word_tag_tab
        # known names jieba already had as place or person names (上海, 松江) are
        # names however common; others it had (资源, 建设) are everyday words
        self.known_proper = {
            n for n in self.known
            if len(n) >= 3 or self._base_freq[n] < vocab.proper_freq or tags.get(n) in PROPER_FLAGS
        }

    def base_frequency(self, name: str) -> int:
        """How common a known name was as a word before discovery added it (0 for others)."""
        return self._base_freq.get(name, 0)

    def word_frequency(self, word: str) -> int:
        """How common ``word`` is in jieba's general dictionary (0 if unknown)."""
        if word in self._base_freq:
            return self._base_freq[word]
        return int(self._freq.get(word, 0) or 0)


    def verdict(self, stem: str, head: str, kind: str, stem_tokens: list[Token], name: str) -> bool | str:
        """True for a name, False for nothing, ``"generic"`` for a generic phrase
        such as 生态廊道 that only a preceding list can turn into names."""
        return self.judge(stem, head, kind, stem_tokens, name)[0]

    def judge(self, stem: str, head: str, kind: str, stem_tokens: list[Token], name: str) -> tuple[bool | str, str]:
        """The verdict with the rule (an id of :data:`geoplan.extract.rejected.RULES`) that decided it."""
        v = self.vocab
        if len(stem) < (1 if head in v.numeric_heads else v.min_stem) and stem not in self.known:
            if not (len(stem) == 1 and len(head) >= 2 and head not in v.weak_heads):
                return False, "no-proper-part"
        stripped = stem.strip(v.quote_open + v.quote_close)
        unquoted = re.sub(f"[{re.escape(v.quote_open)}][^{re.escape(v.quote_close)}]*[{re.escape(v.quote_close)}]", "", stem)
        if "+" in unquoted or "＋" in unquoted:
            # 区域品牌+优势产业+…: a formula, not a name (a quoted “文创+基金” may be one)
            return False, "formula"
        if stripped[-1:] in NUMERALS and head not in v.numeric_heads:
            # …帮百村: a count before the head
            return False, "measure"
        if generic_only(stripped, v.generic):
            # 生态廊道, 通用机场: no name, but a list before it may share the head
            return "generic", "category"
        if name in v.not_places or stem in v.not_places:
            return False, "not-a-place"
        if any(name.endswith(d) for d in v.designations) and self.known_stem(stem):
            # 陈云纪念馆爱国主义教育示范基地: a title the known place holds, not a place
            return False, "designation"
        if any(name.endswith(a) for a in v.actor_heads):
            return False, "actor"
        if any(sl in name for sl in v.slogans):
            return False, "slogan"
        for np_ in v.not_places:
            if name.endswith(np_) and (len(name) - len(np_) <= 1 or generic_only(name[: -len(np_)], v.generic)):
                return False, "not-a-place"
        stripped = stem.strip(v.quote_open + v.quote_close)
        if head not in v.numeric_heads and len(re.sub(r"[A-Za-z0-9\s]", "", stripped)) < 1:
            return False, "no-proper-part"
        if head in v.numeric_heads and re.fullmatch(r"[A-Za-z]?\d+[A-Za-z]?", stripped):
            return True, ""
        if head not in v.numeric_heads and re.search(r"(?<![A-Za-z\d])\d{2,}", stripped):
            # "65公里", "500强": a measure inside the stem, not a name
            return False, "measure"
        proper = self.proper_text(stem)
        if proper is True:
            return True, ""
        # 商城路, 人民路: a road or river is often named by one ordinary place-like word
        words = list(self._pos.cut(stripped))
        if len(head) == 1 and kind in v.locator_before and len(words) == 1 and words[0].flag in PROPER_FLAGS:
            return True, ""
        if len(head) == 1 and kind in v.locator_before and len(stripped) <= 3:
            # 建新村 among 张巷村、李庄村: village and road names are often plain words;
            # a list of names around one vouches for it
            return ("weak"), "no-proper-part"
        return ("weak" if proper == "weak" else False), "no-proper-part"

    def proper_text(self, text: str) -> bool | str:
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
            if not (set(inner) & NUMERALS or "+" in inner or inner in v.slogans or generic_only(inner, v.generic)):
                return True
        # slogans in quotes (“文创+基金”) prove nothing; what is left must
        bare = re.sub(quoted, "", text)
        bare = re.sub(f"[{re.escape(v.quote_open + v.quote_close)}]", "", bare)
        if _LATIN_NUM.search(bare):
            return True
        for k in self.known_in(bare):
            return True
        weak = False
        for word, flag in self._pos.cut(bare):
            verdict = self.word_proper(word, flag)
            if verdict is True:
                return True
            weak = weak or verdict == "weak"
        return "weak" if weak else False

    def known_stem(self, stem: str) -> bool:
        """Whether ``stem`` is a known name, possibly followed by generic words."""
        for k in range(len(stem), 1, -1):
            if stem[:k] in self.known:
                return generic_only(stem[k:], self.vocab.generic) or k == len(stem)
        return False

    def can_be_name(self, item: str) -> bool:
        """Whether a list item can be a name: known, or proper, and no measure in it."""
        if item in self.known:
            return True
        if re.search(r"(?<![A-Za-z\d])\d{2,}[^\dA-Za-z]", item):
            return False
        return self.proper_text(item) is not False

    def known_in(self, text: str) -> Iterable[str]:
        """Known names (three characters or more, or rare as words) inside ``text``."""
        n = len(text)
        for i in range(n - 1):
            for j in range(min(n, i + 12), i + 1, -1):
                w = text[i:j]
                if w in self.known_proper and w not in self.vocab.generic:
                    yield w

    def word_proper(self, word: str, flag: str) -> bool | str:
        v = self.vocab
        if word in v.generic or word in v.breakers or word in v.soft_breakers or word in v.slogans:
            return False
        if any(ch in PUNCT for ch in word):
            return False
        freq = self.word_frequency(word)
        if len(word) == 1:
            return freq < v.rare_freq or (flag in ("ng", "nr", "ns", "nz", "nrt", "nrfg", "j", "tg", "x") and freq < 50000)
        if flag == "m" or word[0] in NUMERALS and flag in ("m", "mq"):
            return False
        if flag in PROPER_FLAGS:
            return freq < v.proper_freq
        # names jieba does not know come out as person or place names (西岑 nr,
        # 华院 nz) or split into rare characters; an unknown word it reads as a
        # common noun or verb is as often jargon (实训, 河长) as a name (后塘,
        # 练信): weak evidence, that a list of names around it can confirm
        if freq == 0 and len(word) <= 3:
            return "weak" if flag in _COMMON_FLAGS else True
        return False
