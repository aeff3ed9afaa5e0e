"""The gazetteer index: every layer merged, searchable by name, code and point.

One :class:`Gazetteer` holds the national administrative layer, the curated
layers shipped in ``layers/`` and a bureau's own imported layers.  Names are
scoped: the same short name (练塘, 新城) exists in many counties, so
:meth:`Gazetteer.lookup` takes ``within`` and the resolver is expected to pass
the plan's jurisdiction.  When one name resolves to features of several origins
*in the same county*, only the highest origin is returned (user > curated >
admin): a bureau's own layer is the authority on its own territory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from geoplan import paths
from geoplan.errors import GazetteerError
from geoplan.gazetteer import admin as admin_mod
from geoplan.gazetteer import codes
from geoplan.gazetteer.cache import cached, files_key
from geoplan.gazetteer.columns import FILE_TAG, from_columns, to_columns
from geoplan.gazetteer.curated import layer_files, load_layers
from geoplan.gazetteer.model import ADMIN_KINDS, ORIGINS, GazetteerFeature
from geoplan.gazetteer.villages import SOURCE_NAME, VillageList, VillageRecord

#: kinds that have boundaries and codes of their own in the national layer
BOUNDARY_KINDS: tuple[str, ...] = ("province", "city", "district")
_ORIGIN_RANK = {o: i for i, o in enumerate(ORIGINS)}
_KIND_RANK = {k: i for i, k in enumerate(ADMIN_KINDS)}


class Gazetteer:
    """An in-memory index over :class:`GazetteerFeature` records."""

    def __init__(
        self,
        features: Iterable[GazetteerFeature],
        *,
        cache_info: dict[str, str] | None = None,
        village_source: Path | None = None,
        cache_dir: Path | None = None,
        villages: VillageList | None = None,
    ) -> None:
        self._features: list[GazetteerFeature] = list(features)
        #: the village list is opened on first use (from ``village_source``): most runs never need it
        self._village_source = village_source
        self._village_cache = cache_dir
        self._villages: VillageList | None = villages
        self.cache_info: dict[str, str] = dict(cache_info or {})
        self._by_id: dict[str, GazetteerFeature] = {}
        #: ids a feature was known by in earlier versions (township hash ids)
        self._legacy_ids: dict[str, GazetteerFeature] = {}
        self.duplicate_ids: list[str] = []
        self._by_name: dict[str, list[GazetteerFeature]] = defaultdict(list)
        self._admin_by_code: dict[str, GazetteerFeature] = {}
        county_geoms: list[BaseGeometry] = []
        self._county_features: list[GazetteerFeature] = []

        for f in self._features:
            if f.id in self._by_id:
                self.duplicate_ids.append(f.id)
                # the higher origin keeps the id; ties keep the first loaded
                if _ORIGIN_RANK.get(f.origin, 0) > _ORIGIN_RANK.get(self._by_id[f.id].origin, 0):
                    self._by_id[f.id] = f
            else:
                self._by_id[f.id] = f
            legacy = f.extra.get("legacy_id")
            if legacy:
                self._legacy_ids.setdefault(legacy, f)
            for n in dict.fromkeys(f.all_names):  # identity, not __eq__: eq compares geometries
                self._by_name[n].append(f)
            if f.origin == "admin" and f.kind in BOUNDARY_KINDS and f.admin_code:
                self._admin_by_code.setdefault(f.admin_code, f)
                if f.kind == "district" and f.geometry is not None:
                    county_geoms.append(f.geometry)
                    self._county_features.append(f)
        self._county_extra = self._county_equivalents()
        for f, geom in self._county_extra:
            county_geoms.append(geom)
            self._county_features.append(f)
        self._county_tree = STRtree(county_geoms) if county_geoms else None
        self._county_geoms = county_geoms

    # ------------------------------------------------------------------ build
    @classmethod
    def load(
        cls,
        layers_dir: Path | None = None,
        user_layers: Sequence[Path] = (),
        cache_dir: Path | None = None,
        *,
        national: bool = True,
    ) -> Gazetteer:
        """Build (or load from cache) the national layer and merge curated and user layers.

        ``user_layers`` may name files or folders of ``*.geojson``.  ``cache_dir``
        defaults to :func:`geoplan.paths.cache_dir`; the national layer is the
        expensive part and is cached there.
        """
        cache = cache_dir if cache_dir is not None else paths.cache_dir()
        info: dict[str, str] = {}
        admin_features: list[GazetteerFeature] = []
        national_key = "none"
        if national:
            admin_features, national_key, hit = load_national(cache)
            info["national"] = "hit" if hit else "built"
        chain = _chain_function(admin_features)

        curated_files = layer_files(layers_dir if layers_dir is not None else paths.layers_dir())
        user_files = _expand(user_layers)
        key = files_key([*curated_files, *user_files], national_key, *map(str, curated_files), "|user|", *map(str, user_files))

        def build_overlay() -> list[GazetteerFeature]:
            return [
                *load_layers(curated_files, origin="curated", admin_chain=chain),
                *load_layers(user_files, origin="user", admin_chain=chain),
            ]

        overlay, hit = cached(cache, "overlay", f"{key}-{FILE_TAG}", build_overlay, to_columns, from_columns)
        info["overlay"] = "hit" if hit else "built"
        info["curated_files"] = str(len(curated_files))
        info["user_files"] = str(len(user_files))
        villages = admin_mod.AdminSources.installed().townships if national else None
        return cls([*admin_features, *overlay], cache_info=info, village_source=villages, cache_dir=cache)

    # ----------------------------------------------------------------- access
    @property
    def features(self) -> list[GazetteerFeature]:
        return list(self._features)

    def __len__(self) -> int:
        return len(self._features)

    def __iter__(self) -> Iterator[GazetteerFeature]:
        return iter(self._features)

    def get(self, feature_id: str) -> GazetteerFeature | None:
        """The feature with this id, or with this id in an earlier geoplan version."""
        return self._by_id.get(feature_id) or self._legacy_ids.get(feature_id)

    def names(self, kinds: Iterable[str] | None = None, origins: Iterable[str] | None = None) -> set[str]:
        """Every name and alias (optionally of some kinds / origins): the extraction dictionary."""
        if kinds is None and origins is None:
            return set(self._by_name)
        ks = set(kinds) if kinds is not None else None
        os_ = set(origins) if origins is not None else None
        return {
            n
            for f in self._features
            if (ks is None or f.kind in ks) and (os_ is None or f.origin in os_)
            for n in f.all_names
        }

    def villages(self, name: str, within: Sequence[str] = ("",)) -> list[VillageRecord]:
        """Village-level units called ``name`` inside the given code prefixes (``310118``, ``3305``).

        Villages have no position in any installed source; what this tells is
        the township a village belongs to, so that the resolver can place it
        there at town precision.  Empty when the national layer is not loaded.
        """
        if self._villages is None:
            if self._village_source is None:
                return []
            self._villages = VillageList.open(self._village_source, self._village_cache)
        return self._villages.lookup(name, within)

    def village_names(self, prefixes: Sequence[str]) -> set[str]:
        """Every village name inside the code prefixes (empty without the national layer)."""
        if self._villages is None:
            if self._village_source is None:
                return set()
            self._villages = VillageList.open(self._village_source, self._village_cache)
        return self._villages.names(prefixes)

    def villages_within(self, name: str, within: str | None = None) -> list[VillageRecord]:
        """:meth:`villages` with ``within`` given as for :meth:`lookup` (a code or a unit's name)."""
        prefixes = self._scope_prefixes(within) if within is not None else [""]
        return self.villages(name, prefixes)

    @property
    def village_source(self) -> str:
        return self._villages.source if self._villages is not None else SOURCE_NAME

    def admin(self, code: str) -> GazetteerFeature | None:
        """The province, city or county with this code (``310118``, ``156310118``, ``31``)."""
        return self._admin_by_code.get(codes.normalize_code(str(code)))

    # ----------------------------------------------------------------- search
    def lookup(self, name: str, within: str | None = None) -> list[GazetteerFeature]:
        """Features whose name or alias is exactly ``name``, optionally inside a unit.

        ``within`` is a province/city/county code or name (``310118``, ``青浦区``,
        ``青浦``, ``上海市``).  Where several origins claim the name in one
        county, only the highest origin is kept.  Results are ordered by origin
        (user first), then coarse-to-fine administrative kind, then id.
        """
        cands = self._by_name.get(name.strip(), [])
        if within is not None and cands:
            prefixes = self._scope_prefixes(within)
            cands = [f for f in cands if _in_scope(f, prefixes)]
        return _prioritise(cands)

    def resolve_admin_name(self, name: str, kinds: Sequence[str] = BOUNDARY_KINDS) -> list[GazetteerFeature]:
        """Administrative units called ``name`` (full or short form, or a chain like 上海市青浦区)."""
        name = name.strip()
        hits = [f for f in self._by_name.get(name, []) if f.origin == "admin" and f.kind in kinds]
        if not hits:
            hits = self._resolve_chain(name, kinds)
        return sorted(hits, key=lambda f: (_KIND_RANK.get(f.kind, 99), f.id))

    def _resolve_chain(self, name: str, kinds: Sequence[str]) -> list[GazetteerFeature]:
        """上海市青浦区 → the longest admin-name prefix, then the rest within it."""
        for cut in range(len(name) - 1, 1, -1):
            head, tail = name[:cut], name[cut:]
            parents = [f for f in self._by_name.get(head, []) if f.origin == "admin" and f.kind in BOUNDARY_KINDS]
            if not parents:
                continue
            prefixes = [codes.significant_prefix(p.admin_code or "") for p in parents]
            tails = self.resolve_admin_name(tail, kinds)
            found = [f for f in tails if _in_scope(f, prefixes)]
            if found:
                return found
        return []

    def county_of(self, point: BaseGeometry) -> GazetteerFeature | None:
        """The county-level unit containing ``point`` (the smallest if borders overlap)."""
        if self._county_tree is None:
            return None
        idx = self._county_tree.query(point, predicate="intersects")
        if len(idx) == 0:
            return None
        best = min(idx, key=lambda i: self._county_geoms[i].area)
        return self._county_features[int(best)]

    def counties_of(self, points: Sequence[BaseGeometry]) -> list[GazetteerFeature | None]:
        """Vectorised :meth:`county_of` for many points."""
        out: list[GazetteerFeature | None] = [None] * len(points)
        if self._county_tree is None or not len(points):
            return out
        pi, ci = self._county_tree.query(np.asarray(points, dtype=object), predicate="intersects")
        for p, c in zip(pi.tolist(), ci.tolist()):
            cur = out[p]
            if cur is None or self._county_geoms[c].area < shapely.area(cur.geometry):
                out[p] = self._county_features[c]
        return out

    def chain(self, code: str) -> tuple[str, ...]:
        """Names from the province down to the unit with ``code`` (county for 9-digit codes)."""
        return _chain_function(self._admin_by_code.values())(code)

    def stats(self) -> dict[str, object]:
        by_origin = Counter(f.origin for f in self._features)
        by_kind = Counter(f.kind for f in self._features)
        towns = [f for f in self._features if f.origin == "admin" and f.kind in ("town", "street")]
        return {
            "features": len(self._features),
            "names": len(self._by_name),
            "by_origin": dict(by_origin),
            "by_kind": dict(sorted(by_kind.items(), key=lambda kv: -kv[1])),
            "provinces": by_kind.get("province", 0) if by_origin.get("admin") else 0,
            "counties_indexed": len(self._county_features),
            "townships": len(towns),
            "townships_with_point": sum(1 for f in towns if f.geometry is not None),
            "townships_with_code": sum(1 for f in towns if f.extra.get("township_code")),
            # municipalities, prefecture cities and counties drawn at their seat of government
            "units_with_seat": sum(1 for f in self._features if f.origin == "admin" and f.extra.get("seat")),
            "units_without_seat": sum(1 for f in self._features if "seat" in f.extra and not f.extra["seat"]),
            "duplicate_ids": len(self.duplicate_ids),
            "cache": dict(self.cache_info),
        }

    # --------------------------------------------------------------- helpers
    def _scope_prefixes(self, within: str) -> list[str]:
        w = str(within).strip()
        if w.isdigit():
            return [codes.significant_prefix(w)]
        units = self.resolve_admin_name(w)
        if not units:
            raise GazetteerError(f"unknown administrative unit {within!r} (give a code or a province/city/county name)")
        return [codes.significant_prefix(u.admin_code or "") for u in units]

    def _county_equivalents(self) -> list[tuple[GazetteerFeature, BaseGeometry]]:
        """Cities with no county below them (中山市, 仙桃市, 澳门) count as counties for point-in-polygon."""
        district_prefixes = {codes.city_prefix(f.admin_code) for f in self._county_features if f.admin_code}
        out = []
        for code, f in self._admin_by_code.items():
            if f.kind == "province" or f.geometry is None:
                continue
            if f.kind == "city" and codes.city_prefix(code) not in district_prefixes:
                out.append((f, f.geometry))
        for code, f in self._admin_by_code.items():
            if f.kind == "province" and f.geometry is not None and not any(
                c.startswith(codes.province_prefix(code)) for c in self._admin_by_code if c != code
            ):
                out.append((f, f.geometry))
        return out


# ----------------------------------------------------------------- functions
def load_national(cache_dir: Path | None) -> tuple[list[GazetteerFeature], str, bool]:
    """The national layer, from cache when the installed sources are unchanged."""
    sources = admin_mod.AdminSources.installed()
    key = _fingerprint(sources)
    features, hit = cached(
        cache_dir, "national", f"{key}-{FILE_TAG}", lambda: admin_mod.build_admin_layer(sources), to_columns, from_columns
    )
    return features, key, hit


_FINGERPRINTS: dict[tuple, str] = {}


def _fingerprint(sources: admin_mod.AdminSources) -> str:
    """Hashing ~100 MB of sources costs ~0.2 s: memoise per process on (path, size, mtime)."""
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in sources.files())
    if stamp not in _FINGERPRINTS:
        _FINGERPRINTS[stamp] = sources.fingerprint()
    return _FINGERPRINTS[stamp]


def _chain_function(admin_features: Iterable[GazetteerFeature]):
    by_code = {
        f.admin_code: f
        for f in admin_features
        if f.origin == "admin" and f.kind in BOUNDARY_KINDS and f.admin_code
    }

    def chain(code: str) -> tuple[str, ...]:
        c = codes.normalize_code(code)
        unit = by_code.get(codes.county_prefix(c)) or by_code.get(codes.city_code(c)) or by_code.get(codes.province_code(c))
        return unit.admin_names if unit else ()

    return chain


def _in_scope(f: GazetteerFeature, prefixes: Sequence[str]) -> bool:
    own = [f.admin_code] if f.admin_code else []
    own.extend(f.extra.get("admin_codes", ()) or ())
    return any(c.startswith(p) for c in own for p in prefixes if p)


def _prioritise(cands: Sequence[GazetteerFeature]) -> list[GazetteerFeature]:
    """Within one county keep only the highest origin; order user → admin, coarse → fine."""
    if not cands:
        return []
    best: dict[str | None, int] = {}
    for f in cands:
        key = f.county_code or f.admin_code
        best[key] = max(best.get(key, -1), _ORIGIN_RANK.get(f.origin, 0))
    kept = [f for f in cands if _ORIGIN_RANK.get(f.origin, 0) == best[f.county_code or f.admin_code]]
    return sorted(kept, key=lambda f: (-_ORIGIN_RANK.get(f.origin, 0), _KIND_RANK.get(f.kind, 99), f.id))


def _expand(items: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out.extend(layer_files(p))
        elif p.exists():
            out.append(p)
        else:
            raise GazetteerError(f"{p}: user layer not found")
    return out
