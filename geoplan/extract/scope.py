"""The gazetteer's names, prepared once per process and scoped per plan.

Which names an extractor matches depends on the plan's jurisdiction only
through two questions per feature: does it lie in the plan's province or a
neighbouring one (``near``), and, for a township, does it lie inside the plan's
area.  Everything else (a feature's names near and far, its province, the
sets of city codes and unit names) is the same for every plan, so a build of
many plans prepares it once (:class:`NameTable`) and each jurisdiction only
walks the prepared rows (:meth:`NameTable.pairs`) instead of re-reading 68,000
features.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from geoplan.gazetteer.codes import city_prefix, province_prefix
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.national import dictionary_names, is_national
from geoplan.jurisdiction import Jurisdiction

__all__ = ["NameTable"]

#: administrative units named anywhere (full name); their short forms follow their own rule
_NAMED_ANYWHERE = ("province", "city", "district")


#: one feature's names for a plan near it and for one far from it:
#: ``(id, province prefix, near names, far names, township)``.  ``township`` is
#: None except for townships, whose names near home also depend on the plan's own
#: area (full name across the city, short forms inside): then ``(code, name, aliases)``.
#: Plain tuples: 68,000 of them are built per process, and a tuple costs least.
_Row = tuple[str, str, tuple[str, ...], tuple[str, ...], "tuple[str, str, tuple[str, ...]] | None"]


def _row(f: GazetteerFeature) -> _Row:
    code = f.admin_code or ""
    pp = province_prefix(code)
    if is_national(f):
        return (f.id, pp, dictionary_names(f, True), dictionary_names(f, False), None)
    if f.origin != "admin":
        names = tuple(f.all_names)
        return (f.id, pp, names, names, None)
    if f.kind in _NAMED_ANYWHERE:
        # provinces and prefecture cities are named by their short forms
        # anywhere (北京, 苏州); a county's short form only near home
        near = (f.name, *f.aliases)
        far = near if f.kind in ("province", "city") else (f.name,)
        return (f.id, pp, near, far, None)
    return (f.id, pp, (), (), (code, f.name, tuple(f.aliases)))


class NameTable:
    """What extraction needs of a gazetteer that no jurisdiction changes.

    Built once from the gazetteer's features (about 0.3 s for the national
    layer) and shared by the extractors of every jurisdiction of a build.
    """

    def __init__(self, features: Iterable[GazetteerFeature]) -> None:
        #: by id; a repeated id keeps its first place and its last feature, as a dict does
        self.features: dict[str, GazetteerFeature] = {f.id: f for f in features}
        self._rows = [_row(f) for f in self.features.values()]
        #: codes of prefecture cities
        self.city_codes = frozenset(
            f.admin_code for f in self.features.values() if f.origin == "admin" and f.kind == "city" and f.admin_code
        )
        #: names of provinces, cities and counties: a township may bear a river's name (长江乡), a county seldom
        self.unit_names = frozenset(
            n for f in self.features.values()
            if f.origin == "admin" and f.kind in _NAMED_ANYWHERE for n in f.all_names
        )

    def pairs(self, jurisdiction: Jurisdiction | None, provinces: set[str]) -> Iterator[tuple[str, str]]:
        """Names to match, with the ids they stand for, in the features' order.

        Curated and user features: all names (they are regional by nature).
        Administrative units: full names everywhere for provinces, cities and
        counties; short forms (青浦 for 青浦区) and townships only inside the
        plan's province and its neighbours, because short township names repeat
        across China and collide with ordinary words.
        """
        for fid, province, near_names, far_names, township in self._rows:
            near = bool(provinces) and province in provinces
            if township is None:
                for n in near_names if near else far_names:
                    yield n, fid
            elif near and jurisdiction is not None:
                code, name, aliases = township
                inside = jurisdiction.contains_code(code)
                if inside or (jurisdiction.level == "district" and city_prefix(code) == jurisdiction.city_prefix):
                    # full township names across the city, short forms (花木 for
                    # 花木街道) only inside the plan's own area: elsewhere they are
                    # more often ordinary words than places
                    yield name, fid
                    if inside:
                        for a in aliases:
                            yield a, fid
