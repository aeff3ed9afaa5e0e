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

from collections.abc import Iterable

from geoplan.extract.candidates import Found
from geoplan.extract.dictionary import DictMatch, NameMatcher, build_name_map
from geoplan.extract.discovery import Candidate, Discoverer
from geoplan.extract.fuller import read_short_forms
from geoplan.extract.grammar import coordinated, listed_before_category
from geoplan.extract.rejected import Rejected
from geoplan.extract.scope import NameTable
from geoplan.extract.shapes import category_phrase, generic_only
from geoplan.extract.tables import with_table_columns
from geoplan.extract.vocab import ExtractVocab, load_vocab
from geoplan.gazetteer.codes import city_code, province_code, province_prefix
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.national import NATIONAL
from geoplan.jurisdiction import Jurisdiction
from geoplan.records import Mention, NormalizedText, Outline

__all__ = ["Extractor", "Rejected", "extract", "sentences"]

#: a short administrative name this frequent in jieba's dictionary is an ordinary word
_COMMON_WORD_FREQ = 3000
#: the same for a short form of a unit outside the plan's province (新建 of 江西 in a 浙江 plan)
_AWAY_WORD_FREQ = 500

#: a head word this long may stand as a name in a list (奥体中心); shorter ones are kinds of places
_LISTED_HEAD = 4

#: kinds of administrative units whose short or far forms need company to count
_UNIT_KINDS = frozenset({"district", "town", "street"})




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
        features: Iterable[GazetteerFeature] | NameTable,
        jurisdiction: Jurisdiction | None = None,
        vocab: ExtractVocab | None = None,
        neighbour_provinces: Iterable[str] = (),
        village_names: Iterable[str] = (),
    ) -> None:
        """``features``: the gazetteer's features, or a :class:`NameTable` of them that a
        build of many plans prepares once and shares between jurisdictions."""
        self.vocab = vocab or load_vocab()
        self.jurisdiction = jurisdiction
        table = features if isinstance(features, NameTable) else NameTable(features)
        self._features = table.features
        provinces = set(neighbour_provinces)
        if jurisdiction:
            provinces.add(jurisdiction.province_prefix)
        self._near = frozenset(provinces)
        pairs = list(table.pairs(jurisdiction, provinces))
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
        self._city_codes = table.city_codes
        self._slogans = tuple(self.vocab.slogans)
        locators = {n for n, fid in pairs if self._features[fid].kind in self.vocab.locator_admin_kinds}
        self.discoverer = Discoverer(
            self.vocab,
            known_names=[*(n for n, _ in pairs), *self._villages],
            locator_names=locators,
            unit_names=table.unit_names,
        )

    # ---------------------------------------------------------------- extract
    def extract(
        self, norm: NormalizedText, outline: Outline, rejected: list[Rejected] | None = None
    ) -> list[Mention]:
        """Every mention of a place or project in the plan's body.

        ``rejected``, when given, receives what was read and set aside, with the
        rule that set it aside (the ``not_a_place`` report).
        """
        text = norm.text
        found: list[Found] = []
        dropped: list[tuple[int, int, str, str]] = []
        for s, e in self._body_sentences(norm):
            # what a sentence sets aside is kept: a plan's fuller mentions may explain it later
            found.extend(self._in_sentence(text, s, e, dropped))
        found = self._with_their_cities(text, found, dropped)
        found, dropped = read_short_forms(text, found, dropped, self.vocab, self.matcher.ids, self._everyday)
        found = with_table_columns(text, norm.body_start, found, self.vocab, self.matcher.ids)
        if rejected is not None:
            for a, b, rule, cand in dropped:
                node = outline.node_at(a)
                rejected.append(
                    Rejected(
                        surface=text[a:b], rule=rule, span=(a, b),
                        sentence=_sentence_around(text, a, b, self.vocab.sentence_ends),
                        task_id=node.id, doc=norm.doc, candidate=cand,
                    )
                )
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
                    in_list=node.lists,
                    doc=norm.doc,
                    rule=f.rule,
                    confidence=f.confidence,
                )
            )
        return mentions

    def _body_sentences(self, norm: NormalizedText) -> list[tuple[int, int]]:
        spans = sentences(norm.text, norm.body_start, len(norm.text), self.vocab.sentence_ends)
        if not norm.junk_spans:
            return spans
        return [s for s in spans if not any(a <= s[0] < b for a, b in norm.junk_spans)]

    def _in_sentence(
        self, text: str, s: int, e: int, dropped: list[tuple[int, int, str, str]] | None = None
    ) -> list[Found]:
        v = self.vocab
        toks = self.discoverer.tokens(text, s, e)
        slogans = self._slogan_spans(text, s, e)

        def free(a: int, b: int) -> bool:
            # nothing inside or across a slogan is a name (金山 in 金山银山)
            return not any(a < y and x < b for x, y in slogans)

        def drop(a: int, b: int, rule: str, cand: str = "") -> None:
            if dropped is not None:
                dropped.append((a, b, rule, cand))

        dict_hits = []
        for d in self.matcher.scan(text, s, e):
            why = "slogan" if not free(d.start, d.end) else self._implausible(d, toks)
            if why is None:
                dict_hits.append(d)
            else:
                drop(d.start, d.end, why, self._canonical(d))
        cands = self.discoverer.find(text, s, e, toks, dropped)
        extra: list[Candidate] = []
        for c in cands:
            extra.extend(coordinated(text, c, v, s, accept=self.discoverer.can_be_name))
        generic = [c for c in cands if c.generic]
        cands = [c for c in cands if not c.generic and free(c.start, c.end)] + extra
        listed_heads = self._listed_bare_heads(text, generic, cands, dict_hits)
        generic = [g for g in generic if g not in listed_heads]
        cands += listed_heads
        cands = self._confirm_weak(text, cands, dict_hits, drop)
        out: list[Found] = []
        # discovered names win where they strictly contain a gazetteer name
        # (朱家角镇卫生服务中心 ⊃ 朱家角镇); the inner name is kept as a nested mention
        for d in dict_hits:
            outer = next((c for c in cands if c.start <= d.start and d.end <= c.end and (c.start, c.end) != (d.start, d.end)), None)
            if outer is not None and outer.rule != "coordination":
                if self._county_short_form(d) or self._alias_inside(d, outer):
                    # 花溪 inside 浣花溪公园, 红山 of 红山森林动物园: a unit's short form
                    # inside a longer name is part of that name, not the unit
                    drop(d.start, d.end, "inside-longer-name", self._canonical(d))
                    continue
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
            conf = self.vocab.confidence_of("weak" if c.weak else c.rule)
            out.append(Found(span[0], span[1], surface, c.name, c.kind, "discovery", ids, c.rule, conf))
        ends = toks.ends  # offsets where a token ends (`p in ends`), cut where asked
        for c in listed_before_category(text, s, e, v, ends, self._list_item_is_name):
            if any(f.start < c.end and c.start < f.end for f in out):
                continue  # already a name (江浦 of 江浦、大厂、桥北等老城片区), or part of one
            conf = v.confidence_of(c.rule)
            out.append(Found(c.start, c.end, text[c.start : c.end], c.name, c.kind, "discovery", self.matcher.ids(c.name), c.rule, conf))
        out.sort(key=lambda f: (f.start, -f.end))
        for g in generic:
            # 开发区, 生态廊道: a category; reported unless a list turned it into names
            if not any(f.start < g.end and g.start < f.end for f in out):
                drop(g.start, g.end, "category")
        return out

    def _listed_bare_heads(
        self, text: str, generic: list[Candidate], cands: list[Candidate], dict_hits: list[DictMatch]
    ) -> list[Candidate]:
        """Head words standing as names in a list beside a name: 奥体中心 of 奥体中心、青奥体育公园.

        A head of four characters or more that is not generic words plus a
        shorter head (奥体中心, 中央商务区; not 湿地公园 or 文化中心) names one
        place of the plan's when a name stands next to it in a list; the plan's
        fuller mention may say which.  Shorter heads (博物馆, 先行区) are too often
        a kind of place.
        """
        v = self.vocab
        strong = [(c.start, c.end) for c in cands if not c.weak] + [(d.start, d.end) for d in dict_hits]
        seps = v.list_separators
        out = []
        for g in generic:
            name = text[g.start : g.end]
            if g.stem or len(name) < _LISTED_HEAD or name in v.generic or name in v.not_places:
                continue
            # 湿地公园, 文化中心: generic words and a shorter head, a category in any list
            if generic_only(name, v.generic) or category_phrase(name, self._shorter_heads(name), v.generic):
                continue
            before = g.start > 0 and text[g.start - 1] in seps and any(e == g.start - 1 for _, e in strong)
            after = g.end < len(text) and text[g.end] in seps and any(st == g.end + 1 for st, _ in strong)
            if before or after:
                out.append(Candidate(g.start, g.end, name, g.kind, g.head, "", rule="listed-head"))
        return out

    def _shorter_heads(self, name: str) -> tuple[str, ...]:
        return tuple(h for h in self.vocab.heads_longest_first if len(h) < len(name) and name.endswith(h))

    def _confirm_weak(self, text: str, cands: list[Candidate], dict_hits: list[DictMatch], drop=None) -> list[Candidate]:
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
            elif drop is not None:
                drop(a, b, "weak-alone")
        return out

    def _everyday(self, word: str) -> bool:
        """Whether jieba's general dictionary knows ``word`` as a common word (博物馆 yes, 北站 no)."""
        return self.discoverer.general_frequency(word) >= self.vocab.rare_freq

    def _list_item_is_name(self, item: str) -> bool:
        """Whether a list item before "等 <category>" is a name by itself.

        A gazetteer name, a head word that names one place in a plan (北站, 研创园;
        not 中心 or 片区), a stem with a proper part, or one word the dictionary
        hardly knows (药谷): not an everyday word (教育, 医疗) nor a generic phrase.
        """
        v = self.vocab
        if item in v.generic or item in v.not_places or item in v.breakers or generic_only(item, v.generic):
            return False
        if any(item.endswith(a) for a in v.actor_heads):
            return False  # 南京航空航天大学、…: a list of organisations
        if item in self.matcher:
            return True
        if item in v.head_kind:
            return item not in v.weak_heads
        if not self.discoverer.can_be_name(item):
            words = self.discoverer.tokens(item, 0, len(item))
            return len(words) == 1 and self.discoverer.word_frequency(item) < v.rare_freq
        return True

    def _slogan_spans(self, text: str, s: int, e: int) -> list[tuple[int, int]]:
        out = []
        for sl in self._slogans:
            i = text.find(sl, s, e)
            while i >= 0:
                out.append((i, i + len(sl)))
                i = text.find(sl, i + 1, e)
        return out

    def _alias_inside(self, d: DictMatch, outer: Candidate) -> bool:
        """True when a gazetteer name inside a longer name is written in another spelling than the feature's own.

        扬子江产业科技创新试验区 borrows 扬子江 as a brand: an alias of 长江 inside
        a name is part of that name, where the full name (黄浦江 of 黄浦江江川段)
        names the river itself.  A line or station name keeps what it holds.
        """
        if outer.kind in self.vocab.locator_before or outer.kind in ("station", "hub"):
            return False  # 首都机场线望京南站: a line glued to its station names both
        feats = [self._features[i] for i in d.ids if i in self._features]
        return bool(feats) and all(d.surface != f.name for f in feats)

    def _county_short_form(self, d: DictMatch) -> bool:
        """True when every feature the match names is an administrative unit written here in a short form
        (花溪 for 花溪区, 西塘 for 西塘镇 inside 平望镇西塘社区, 中山 inside 中山植物园)."""
        feats = [self._features[i] for i in d.ids if i in self._features]
        return bool(feats) and all(f.origin == "admin" and d.surface != f.name for f in feats)

    def _implausible(self, d: DictMatch, toks) -> str | None:
        """Why a gazetteer match is no name here (a rule id), or ``None`` when it stands.

        Administrative names must stand as words of their own.

        公平和县域 holds the county name 平和县 but no such word: a match of a
        national-layer name is kept only where jieba (which knows the name as a
        user word) cuts the sentence at both its ends, and never when the name is
        an ordinary planning word (城区, 新区).
        """
        feats = [self._features[i] for i in d.ids if i in self._features]
        if feats and all(f.origin != "admin" for f in feats) and self._names_a_category(d, feats):
            return "category"
        if not feats or any(f.origin not in ("admin", NATIONAL) for f in feats):
            return None
        if d.surface in self.vocab.generic:
            return "generic-word"
        if all(d.surface != f.name and f.kind not in ("province", "city") for f in feats):
            # a short form that is also a common word (资源 for 资源县) is not a name;
            # away from the plan's own province the bar is lower (新建 for 新建区)
            home = self.jurisdiction.province_prefix if self.jurisdiction else None
            away = home is not None and all(province_prefix(f.admin_code or "") != home for f in feats)
            limit = _AWAY_WORD_FREQ if away else _COMMON_WORD_FREQ
            if self.discoverer.word_frequency(d.surface) > limit:
                return "common-word"
        return None if toks.starts_at(d.start) and toks.ends_at(d.end) else "not-a-word"

    def _names_a_category(self, d: DictMatch, feats: list[GazetteerFeature]) -> bool:
        """True when a match of a layer feature is spelled like a category (火车站, 综保区).

        A metro station called 火车站 or a park's alias 综保区 are that place
        only in their own area; elsewhere the words name a kind of place.  A
        curated feature of the plan's own area keeps its aliases, a national
        one only its full name there.
        """
        v = self.vocab
        if not category_phrase(d.surface, v.head_kind, v.generic):
            return False
        j = self.jurisdiction
        if j is None:
            return True
        return not any(
            j.contains_code(f.admin_code) and (f.origin != NATIONAL or d.surface == f.name) for f in feats
        )

    def _canonical(self, d: DictMatch) -> str:
        """The name a match would have stood for (for the report)."""
        names = sorted({self._features[i].name for i in d.ids if i in self._features})
        return "、".join(names[:3])

    def _with_their_cities(
        self, text: str, found: list[Found], dropped: list[tuple[int, int, str, str]] | None
    ) -> list[Found]:
        """Drop counties and townships of another province whose city the plan never names.

        A plan names a far county in its setting (张北 beside 张家口, 宝坻 of
        天津); the same two characters elsewhere are more often part of a phrase
        (文化惠民 is not 惠民县, 沿海城市 does not hold 海城市).  A unit of another
        province counts only when some mention names its city (or, for the
        districts of a municipality, the municipality), or when it stands in a
        list of names (青浦、吴江、嘉善).
        """
        if self.jurisdiction is None:
            return found
        home = self.jurisdiction.province_prefix
        named: set[str] = set()
        for f in found:
            for i in f.ids:
                feat = self._features.get(i)
                if feat is not None and feat.origin == "admin" and feat.kind in ("city", "province"):
                    named.add(feat.admin_code or "")
        out = []
        for f in found:
            feats = [self._features[i] for i in f.ids if i in self._features]
            away = bool(feats) and all(
                x.origin == "admin" and x.kind in _UNIT_KINDS and province_prefix(x.admin_code or "") != home for x in feats
            )
            if away and not any(self._city_named(x.admin_code or "", named) for x in feats) and not _listed(text, f, found, self.vocab.list_separators):
                if dropped is not None:
                    dropped.append((f.start, f.end, "away-without-its-city", f.name))
                continue
            far_city = bool(feats) and all(
                x.origin == "admin" and x.kind == "city" and f.surface != x.name and province_prefix(x.admin_code or "") not in self._near
                for x in feats
            )
            if far_city and not _listed(text, f, found, self.vocab.list_separators):
                # 新乡 of 新乡贤: a far city's short form counts in a list of places (北京、上海)
                if dropped is not None:
                    dropped.append((f.start, f.end, "far-city-alone", f.name))
                continue
            out.append(f)
        return out

    def _city_named(self, code: str, named: set[str]) -> bool:
        city = city_code(code)
        if city in self._city_codes:
            return city in named
        return province_code(code) in named  # a district of a municipality (宝坻 of 天津)

    def _from_dict(self, d: DictMatch, rule: str) -> Found:
        feats = [self._features[i] for i in d.ids if i in self._features]
        if not feats and d.surface in (self.vocab.regions or {}):
            return Found(d.start, d.end, d.surface, d.surface, self.vocab.regions[d.surface], "discovery", (), "region", self.vocab.confidence_of("region"))
        if not feats and d.surface in self._villages:
            return Found(d.start, d.end, d.surface, d.surface, "village", "discovery", (), "village-list", self.vocab.confidence_of("village-list"))
        names = {f.name for f in feats}
        kinds = {f.kind for f in feats}
        name = names.pop() if len(names) == 1 else d.surface
        kind = kinds.pop() if len(kinds) == 1 else (feats[0].kind if feats else "other")
        short = not any(d.surface == f.name for f in feats)
        conf = self.vocab.confidence_of("nested" if rule == "nested" else "gazetteer-short" if short else "gazetteer")
        return Found(d.start, d.end, d.surface, name, kind, "gazetteer", d.ids, rule, conf)


def _listed(text: str, f: Found, found: list[Found], seps: str) -> bool:
    """Whether ``f`` stands in a list beside another name (A、B)."""
    before = f.start > 0 and text[f.start - 1] in seps and any(g.end == f.start - 1 for g in found)
    after = f.end < len(text) and text[f.end] in seps and any(g.start == f.end + 1 for g in found)
    return before or after


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
