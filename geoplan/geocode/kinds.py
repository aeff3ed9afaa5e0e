"""Kind-aware resolution: what kind of thing a name can be, before where it is.

The resolver matches names; these rules keep a match from changing what the
plan named into something else of the same spelling:

* a lake, river, bay, island or port (its name ends in a natural head word,
  ``layers/vocab/resolution.toml``) never resolves to an administrative unit
  whose own name differs: 雁栖湖 is not 雁栖镇, 秦淮河 not the 秦淮区 point,
  巢湖 (the lake) not 巢湖市 reached through its short form;
* a station reached only through its bare name (钱塘江, 陆家嘴) is a candidate
  only when the plan says 站: otherwise the water body or the district is meant;
* a number inside a name matches only whole: 5号线 is not inside 15号线;
* a homonym outside the plan's province needs evidence in the sentence (its
  province, city or county named there), otherwise it is ambiguous, not placed;
  a hand-curated feature too, unless the plan writes out its name and that is a
  water body's or a long proper name;
* an extent (a line known only by its bounding box) is reported at the
  precision class its layer declares, not at feature precision;
* a railway or metro line's name (沪渝蓉沿江高铁) is never placed at a
  township its name happens to hold (沿江街道).

Rules live here, and their words in the vocabulary file, so that the resolver
needs only one call at each decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from geoplan import vocab
from geoplan.gazetteer.model import ADMIN_KINDS, ORIGINS, GazetteerFeature
from geoplan.gazetteer.national import bare_station_name, is_national

#: administrative kinds a natural feature must never become
_UNIT_KINDS = frozenset(ADMIN_KINDS) - {"village"}
#: townships: a line's name never puts the line at one
_TOWN_KINDS = frozenset({"town", "street", "village"})
PRECISION_CLASSES = ("feature", "town", "district", "city")


def _rules() -> dict:
    """``layers/vocab/resolution.toml``, read once per file version by the one loader."""
    return vocab.read(vocab.layers_file("resolution.toml"))


def natural_name(name: str) -> bool:
    """Does the name end in a natural head word (湖, 河, 湾, 岛, 港…)?"""
    return name.strip().endswith(tuple(_rules()["natural_heads"]))


def line_name(name: str) -> bool:
    """Does the name end in a railway or metro line's head word (铁路, 高铁, 城际, 号线…)?

    A line's name is built from abbreviations of the places it links (沪渝蓉,
    宁淮) and from words that are also townships (沿江); a township found
    inside it says nothing of where the line runs.
    """
    return name.strip().endswith(tuple(_rules()["line_heads"]))


def line_name_in(text: str) -> bool:
    """Does the text hold a line's head word (another line named in a clause)?"""
    return any(h in text for h in _rules()["line_heads"])


def _codes(f: GazetteerFeature) -> list[str]:
    """Every administrative code a feature carries: its own and those it touches."""
    return [c for c in (f.admin_code or "", *(f.extra.get("admin_codes", ()) or ())) if c]


def names_station(names: Iterable[str]) -> bool:
    return any(n.strip().endswith("站") for n in names)


def filter_candidates(
    name: str, surfaces: Sequence[str], kind: str, cands: list[GazetteerFeature]
) -> list[GazetteerFeature]:
    """Drop candidates of another kind than the written name can be (see the module's rules)."""
    written = (name, *surfaces)
    natural = all(natural_name(n) for n in written)
    station_said = kind == "station" or names_station(written)
    out = []
    for f in cands:
        if natural and f.kind in _UNIT_KINDS and f.name not in written:
            continue  # 巢湖 → 巢湖市 only through the city's short form
        if f.kind == "station" and f.name.endswith("站") and not station_said and f.name not in written:
            continue  # 钱塘江 the river, not the station named after it
        out.append(f)
    return out


def containable(
    entity_name: str, feats: Iterable[GazetteerFeature], province: str | None, sentences: Sequence[str] = ()
) -> list[GazetteerFeature]:
    """Places a name may be placed *at* because it holds their name.

    A natural feature's name holding a unit's name (秦淮河 ⊃ 秦淮) tells nothing
    of where it is; a national feature (a station, a lake) is a place to put
    something at only inside the plan's own province; a curated feature of
    another province only as :func:`outside_without_evidence` allows it (新桥机场
    in a 合肥 plan is not at the 新桥镇 of 上海).
    """
    natural = natural_name(entity_name)
    line = line_name(entity_name)
    out = []
    for f in feats:
        if natural and f.kind in _UNIT_KINDS:
            continue
        if line and f.kind in _TOWN_KINDS:
            continue  # 沪渝蓉沿江高铁 is no railway of 沿江街道
        outside = province is not None and not any(c.startswith(province) for c in _codes(f))
        if outside and is_national(f):
            continue
        if outside and f.origin == "curated":
            written = (f.name,) if f.name in entity_name else ()
            if outside_without_evidence([f], sentences, (), province, written=written) == []:
                continue
        out.append(f)
    return out


def may_contain(f: GazetteerFeature, name: str) -> bool:
    """Whether ``name`` of ``f`` may be looked for inside longer names (never a station's bare name)."""
    return not bare_station_name(f, name)


def whole_at(text: str, start: int, size: int) -> bool:
    """``text[start:start+size]`` does not cut a number or a Latin word apart (15号线 ⊅ 5号线)."""
    sub = text[start : start + size]
    before = text[start - 1] if start > 0 else ""
    after = text[start + size] if start + size < len(text) else ""
    if sub[:1].isascii() and sub[:1].isalnum() and before.isascii() and before.isalnum():
        return False
    if sub[-1:].isascii() and sub[-1:].isalnum() and after.isascii() and after.isalnum():
        return False
    return True


def outside_without_evidence(
    pool: Sequence[GazetteerFeature],
    sentences: Sequence[str],
    own: Iterable[str],
    province: str,
    written: Iterable[str] | None = None,
) -> list[GazetteerFeature] | None:
    """Candidates outside the plan's province the sentence gives evidence for.

    ``None`` when the rule does not apply (a candidate is in the province, or
    every candidate is a province or city, a unit written in full, a feature
    of a user layer, or a curated water body or feature with a long proper
    name the plan writes out); otherwise the candidates whose province, city or county the
    sentences name, possibly none.  ``written``: the surfaces as the plan
    wrote them (``own`` also holds the canonical name a short alias was
    matched to); all of ``own`` when not given.
    """
    anywhere = set(_rules()["placed_anywhere"])
    own = set(own)
    written = set(written) if written is not None else own
    proper = int(_rules()["proper_name_min"])
    # a river or line that runs through the province (长江 in an 安徽 plan) is in it
    if any(c.startswith(province) for f in pool for c in _codes(f)):
        return None
    # a unit written out in full (吴江区 in a 青浦 plan), a planner's own layer and a
    # curated water body or feature whose long proper name is written out (淀山湖,
    # 虹桥国际开放枢纽) are what the plan names; a national station, lake or line of that spelling far away, a unit
    # reached through a short form, or a curated feature of another province reached
    # through a short or generic name (外环高速, 先行启动区, 综保区) needs the sentence to say so
    if all(f.kind in anywhere or f.origin == "user" or (f.origin == "admin" and f.name in own)
           or (f.origin == "curated" and f.name in written and (len(f.name) >= proper or natural_name(f.name)))
           for f in pool):
        return None
    text = "".join(sentences)
    found = []
    for f in pool:
        # the unit itself is no evidence for itself (河西 does not prove 河西区)
        forms = [x for n in f.admin_names if n and n != f.name and n not in own
                 for x in (n, n[:-1] if len(n) > 2 else n) if x not in own]
        if any(x in text for x in forms if len(x) >= 2):
            found.append(f)
    return found


def top_origin(feats: Sequence[GazetteerFeature]) -> list[GazetteerFeature]:
    """Only the features of the highest layer: a curated line's course over the national extent of it."""
    rank = {o: i for i, o in enumerate(ORIGINS)}
    top = max((rank.get(f.origin, 0) for f in feats), default=0)
    return [f for f in feats if rank.get(f.origin, 0) == top]


def declared_class(f: GazetteerFeature) -> str | None:
    """The precision class a layer declares for a feature (an extent standing for a line)."""
    c = f.extra.get("precision_class")
    return c if c in PRECISION_CLASSES else None
