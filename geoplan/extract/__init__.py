"""Extraction: every named place and project of a plan, with its task.

Two sources of candidates, combined per sentence:

1. gazetteer names and aliases (:mod:`.dictionary`), longest match, scoped to
   the plan's jurisdiction for names that repeat across China (townships, short
   county names);
2. discovery (:mod:`.discovery`) of names no gazetteer holds, from head words,
   with the list grammar of :mod:`.grammar`.

Each mention carries its span in normalized and raw text, its sentence and the
task node it sits under.  :func:`aggregate` groups the mentions of one entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from geoplan.extract.dictionary import DictMatch, NameMatcher, build_name_map
from geoplan.extract.discovery import Candidate, Discoverer
from geoplan.extract.grammar import coordinated
from geoplan.extract.vocab import ExtractVocab, load_vocab
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.national import NATIONAL, dictionary_names, is_national
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Mention, NormalizedText, Outline

__all__ = ["Extractor", "extract", "sentences"]

#: a short administrative name this frequent in jieba's dictionary is an ordinary word
_COMMON_WORD_FREQ = 3000
#: the same for a short form of a unit outside the plan's province (新建 of 江西 in a 浙江 plan)
_AWAY_WORD_FREQ = 500
_ADMIN_SUFFIX = re.compile(r"(省|市|区|县|镇|乡|街道)$")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    surface: str
    name: str
    kind: str
    origin: str
    ids: tuple[str, ...]
    rule: str


def sentences(text: str, start: int, end: int, ends: str = "。；！？\n") -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (the end character included)."""
    out = []
    s = start
    for i in range(start, end):
        if text[i] in ends:
            if i + 1 > s and text[s : i + 1].strip():
                out.append((s, i + 1))
            s = i + 1
    if s < end and text[s:end].strip():
        out.append((s, end))
    return out


class Extractor:
    """Holds what is expensive to build (name map, jieba) for a gazetteer and a scope."""

    def __init__(
        self,
        features: Iterable[GazetteerFeature],
        jurisdiction: Jurisdiction | None = None,
        vocab: ExtractVocab | None = None,
        neighbour_provinces: Iterable[str] = (),
        village_names: Iterable[str] = (),
    ) -> None:
        self.vocab = vocab or load_vocab()
        self.jurisdiction = jurisdiction
        self._features = {f.id: f for f in features}
        provinces = set(neighbour_provinces)
        if jurisdiction:
            provinces.add(jurisdiction.province_prefix)
        pairs = list(self._scoped_names(self._features.values(), jurisdiction, provinces))
        regions = self.vocab.regions or {}
        names = build_name_map(pairs)
        for name in regions:
            # a macro-region (长三角, 亚太) names no feature; a gazetteer name of the same spelling wins
            names.setdefault(name, ())
        # the villages of the plan's own area (from the national village list): names
        # jieba may cut apart (开弦弓村), found whole; a gazetteer name of the same spelling wins
        self._villages = {n for n in village_names if len(n) >= 3 and n not in names}
        for name in self._villages:
            names[name] = ()
        self.matcher = NameMatcher(names)
        self._slogans = tuple(self.vocab.slogans)
        locators = {n for n, fid in pairs if self._features[fid].kind in self.vocab.locator_admin_kinds}
        self.discoverer = Discoverer(
            self.vocab, known_names=[*(n for n, _ in pairs), *self._villages], locator_names=locators
        )

    # ------------------------------------------------------------------ scope
    def _scoped_names(
        self,
        features: Iterable[GazetteerFeature],
        jurisdiction: Jurisdiction | None,
        provinces: set[str],
    ) -> Iterable[tuple[str, str]]:
        """Names to match, with the ids they stand for.

        Curated and user features: all names (they are regional by nature).
        Administrative units: full names everywhere for provinces, cities and
        counties; short forms (青浦 for 青浦区) and townships only inside the
        plan's province and its neighbours, because short township names repeat
        across China and collide with ordinary words.
        """
        for f in features:
            code = f.admin_code or ""
            near = bool(provinces) and code[:2] in provinces
            if is_national(f):
                for n in dictionary_names(f, near):
                    yield n, f.id
                continue
            if f.origin != "admin":
                for n in f.all_names:
                    yield n, f.id
                continue
            if f.kind in ("province", "city", "district"):
                yield f.name, f.id
                if near:
                    for a in f.aliases:
                        yield a, f.id
            elif near and jurisdiction is not None:
                inside = jurisdiction.contains_code(code)
                in_scope = inside or (jurisdiction.level == "district" and code[:4] == jurisdiction.city_prefix)
                if in_scope:
                    # full township names across the city, short forms (花木 for
                    # 花木街道) only inside the plan's own area: elsewhere they are
                    # more often ordinary words than places
                    yield f.name, f.id
                    if inside:
                        for a in f.aliases:
                            yield a, f.id

    # ---------------------------------------------------------------- extract
    def extract(self, norm: NormalizedText, outline: Outline) -> list[Mention]:
        text = norm.text
        found: list[_Found] = []
        for s, e in self._body_sentences(norm):
            found.extend(self._in_sentence(text, s, e))
        mentions = []
        for f in found:
            node = outline.node_at(f.start)
            sent = _sentence_around(text, f.start, f.end, self.vocab.sentence_ends)
            mentions.append(
                Mention(
                    surface=f.surface,
                    name=f.name,
                    kind=f.kind,
                    span=(f.start, f.end),
                    raw_span=norm.to_raw(f.start, f.end),
                    sentence=sent,
                    task_id=node.id,
                    task_path=node.path_text,
                    theme=node.theme,
                    origin=f.origin,
                    is_task=node.is_task,
                    gazetteer_ids=f.ids,
                    doc=norm.doc,
                    rule=f.rule,
                )
            )
        return mentions

    def _body_sentences(self, norm: NormalizedText) -> list[tuple[int, int]]:
        spans = sentences(norm.text, norm.body_start, len(norm.text), self.vocab.sentence_ends)
        if not norm.junk_spans:
            return spans
        return [s for s in spans if not any(a <= s[0] < b for a, b in norm.junk_spans)]

    def _in_sentence(self, text: str, s: int, e: int) -> list[_Found]:
        v = self.vocab
        toks = self.discoverer.tokens(text, s, e)
        slogans = self._slogan_spans(text, s, e)

        def free(a: int, b: int) -> bool:
            # nothing inside or across a slogan is a name (金山 in 金山银山)
            return not any(a < y and x < b for x, y in slogans)

        dict_hits = [d for d in self.matcher.scan(text, s, e) if free(d.start, d.end) and self._plausible(d, toks)]
        cands = self.discoverer.find(text, s, e, toks)
        extra: list[Candidate] = []
        for c in cands:
            extra.extend(coordinated(text, c, v, s, accept=self.discoverer.can_be_name))
        cands = [c for c in cands if not c.generic and free(c.start, c.end)] + extra
        cands = self._confirm_weak(text, cands, dict_hits)
        out: list[_Found] = []
        # discovered names win where they strictly contain a gazetteer name
        # (朱家角镇卫生服务中心 ⊃ 朱家角镇); the inner name is kept as a nested mention
        for d in dict_hits:
            outer = next((c for c in cands if c.start <= d.start and d.end <= c.end and (c.start, c.end) != (d.start, d.end)), None)
            if outer is not None and outer.rule != "coordination":
                if d.start > outer.start and self._county_short_form(d):
                    continue  # 花溪 inside 浣花溪公园: a county's short form mid-name is part of another word
                out.append(self._from_dict(d, rule="nested"))
                continue
            out.append(self._from_dict(d, rule="gazetteer"))
        for c in cands:
            span = c.surface_span or (c.start, c.end)
            # a gazetteer match with the same or a larger span already covers it,
            # except a list item sharing a head (G50 of "G50、拦路港等生态廊道" is
            # the road and names the corridor)
            if c.rule != "coordination" and any(d.start <= span[0] and span[1] <= d.end for d in dict_hits):
                continue
            surface = text[span[0] : span[1]]
            ids = self.matcher.ids(c.name)
            out.append(_Found(span[0], span[1], surface, c.name, c.kind, "discovery", ids, c.rule))
        out.sort(key=lambda f: (f.start, -f.end))
        return out

    def _confirm_weak(self, text: str, cands: list[Candidate], dict_hits: list[DictMatch]) -> list[Candidate]:
        """Keep a weakly evidenced name only when it stands in a list of names.

        后塘 or 练信 are words jieba does not know, like the jargon 实训 or 河长;
        what tells them apart is company: "震坤行工业超市、练信医疗器械产业园、…"
        lists places.  A weak candidate is kept when a 、-neighbour is a gazetteer
        name or a well-evidenced candidate; list items sharing a head confirm each
        other through the strongest of them.
        """
        strong = [(c.start, c.end) for c in cands if not c.weak] + [(d.start, d.end) for d in dict_hits]
        seps = self.vocab.list_separators
        out = []
        for c in cands:
            if not c.weak:
                out.append(c)
                continue
            a, b = c.surface_span or (c.start, c.end)
            before = a > 0 and text[a - 1] in seps and any(e == a - 1 for _, e in strong)
            after = b < len(text) and text[b] in seps and any(st == b + 1 for st, _ in strong)
            if before or after:
                out.append(c)
        return out

    def _slogan_spans(self, text: str, s: int, e: int) -> list[tuple[int, int]]:
        out = []
        for sl in self._slogans:
            i = text.find(sl, s, e)
            while i >= 0:
                out.append((i, i + len(sl)))
                i = text.find(sl, i + 1, e)
        return out

    def _county_short_form(self, d: DictMatch) -> bool:
        """True when every feature the match names is a county or township written here in a short form
        (花溪 for 花溪区, 西塘 for 西塘镇 inside 平望镇西塘社区)."""
        feats = [self._features[i] for i in d.ids if i in self._features]
        return bool(feats) and all(f.kind in ("district", "town", "street") and d.surface != f.name for f in feats)

    def _plausible(self, d: DictMatch, toks) -> bool:
        """Administrative names must stand as words of their own.

        公平和县域 holds the county name 平和县 but no such word: a match of a
        national-layer name is kept only where jieba (which knows the name as a
        user word) cuts the sentence at both its ends, and never when the name is
        an ordinary planning word (城区, 新区).
        """
        feats = [self._features[i] for i in d.ids if i in self._features]
        if not feats or any(f.origin not in ("admin", NATIONAL) for f in feats):
            return True
        if d.surface in self.vocab.generic:
            return False
        if all(d.surface != f.name and f.kind not in ("province", "city") for f in feats):
            # a short form that is also a common word (资源 for 资源县) is not a name;
            # away from the plan's own province the bar is lower (新建 for 新建区)
            home = self.jurisdiction.province_prefix if self.jurisdiction else None
            away = home is not None and all((f.admin_code or "")[:2] != home for f in feats)
            limit = _AWAY_WORD_FREQ if away else _COMMON_WORD_FREQ
            if self.discoverer.word_frequency(d.surface) > limit:
                return False
        starts = {t.start for t in toks}
        ends = {t.end for t in toks}
        return d.start in starts and d.end in ends

    def _from_dict(self, d: DictMatch, rule: str) -> _Found:
        feats = [self._features[i] for i in d.ids if i in self._features]
        if not feats and d.surface in (self.vocab.regions or {}):
            return _Found(d.start, d.end, d.surface, d.surface, self.vocab.regions[d.surface], "discovery", (), "region")
        if not feats and d.surface in self._villages:
            return _Found(d.start, d.end, d.surface, d.surface, "village", "discovery", (), "village-list")
        names = {f.name for f in feats}
        kinds = {f.kind for f in feats}
        name = names.pop() if len(names) == 1 else d.surface
        kind = kinds.pop() if len(kinds) == 1 else (feats[0].kind if feats else "other")
        return _Found(d.start, d.end, d.surface, name, kind, "gazetteer", d.ids, rule)


def _sentence_around(text: str, start: int, end: int, ends: str) -> str:
    a = start
    while a > 0 and text[a - 1] not in ends:
        a -= 1
    b = end
    while b < len(text) and text[b] not in ends:
        b += 1
    if b < len(text) and text[b] != "\n":
        b += 1
    return text[a:b].strip()


def extract(
    norm: NormalizedText,
    outline: Outline,
    features: Iterable[GazetteerFeature],
    jurisdiction: Jurisdiction | None = None,
) -> list[Mention]:
    """Convenience wrapper: build an :class:`Extractor` and run it once."""
    return Extractor(features, jurisdiction).extract(norm, outline)
