"""Village names and the township each belongs to, for placing a village at its town.

Planning documents name villages (东庄村, 蔡浜村) that no installable package
gives a position for.  ``jionlp``'s five-level ``china_location`` dictionary
does list about 650,000 village-level names (村, 社区, 居委会…) under their
township and county; geoplan ships them as ``layers/sources/china_location.tsv.gz``
(see :mod:`geoplan.gazetteer.sources`).  That is enough to say *which town* a village named in a
plan belongs to, and so to place it honestly at town precision instead of
leaving it unplaced or guessing a point.

Village names repeat endlessly (东庄村: about 200 in China), so a lookup is
always scoped by a code prefix (the plan's county, city or province).  The
list is far too large to keep in memory beside the gazetteer, so it is built
once into an SQLite file in the cache directory (about two seconds) and then
queried by name; the file's key covers the source file and this module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from geoplan.atomic import atomic_path
from geoplan.errors import GazetteerError
from geoplan.gazetteer.cache import files_key
from geoplan.gazetteer.sources import read_tsv

#: bump when the table layout changes
_FORMAT = "2"
SOURCE_NAME = "national village list (jionlp china_location)"
LICENSE = "Apache-2.0 (jionlp)"


@dataclass(frozen=True)
class VillageRecord:
    """One village-level name: the county (6-digit code) and the township it lies in."""

    name: str
    county_code: str
    town: str


def read_villages(path: Path) -> Iterator[VillageRecord]:
    """Village names of the vendored list: one row per township, ``county6, township, village…``."""
    for row in read_tsv(path):
        county, town = row[0], row[1] if len(row) > 1 else ""
        for name in row[2:]:
            if name:
                yield VillageRecord(name, county, town)


class VillageList:
    """Village name → (county, township) records, from an SQLite file."""

    def __init__(self, connection: sqlite3.Connection, source: str) -> None:
        self._db = connection
        self.source = source

    # ------------------------------------------------------------------ open
    @classmethod
    def open(cls, source: Path, cache_dir: Path | None) -> VillageList:
        """Open the cached list for ``source``, building it first if it is missing or stale."""
        label = SOURCE_NAME
        if cache_dir is None:
            db = sqlite3.connect(":memory:", check_same_thread=False)
            _fill(db, read_villages(source))
            return cls(db, label)
        key = files_key([source, Path(__file__)], _FORMAT)
        path = cache_dir / f"villages-{key}.sqlite"
        if not path.exists():
            try:
                _build_file(path, source)
            except GazetteerError:  # a read-only cache costs speed, never correctness
                return cls.open(source, None)
        try:
            db = _open_read_only(path)
            db.execute("SELECT 1 FROM village LIMIT 1")
        except sqlite3.DatabaseError:  # a truncated or foreign file: rebuild it once
            path.unlink(missing_ok=True)
            _build_file(path, source)
            db = _open_read_only(path)
        return cls(db, label)

    @classmethod
    def from_records(cls, records: Iterable[VillageRecord], source: str = "test records") -> VillageList:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(db, records)
        return cls(db, source)

    # ----------------------------------------------------------------- query
    def lookup(self, name: str, prefixes: Sequence[str] = ("",)) -> list[VillageRecord]:
        """Records named ``name`` whose county code starts with one of ``prefixes``."""
        name = name.strip()
        if not prefixes:
            return []
        where, bounds = _scope(prefixes)
        rows = self._db.execute(
            f"SELECT county, town FROM village WHERE name = ? AND ({where}) ORDER BY county, town",
            (name, *bounds),
        ).fetchall()
        return [VillageRecord(name, county, town) for county, town in dict.fromkeys(rows)]

    def names(self, prefixes: Sequence[str]) -> set[str]:
        """Every village name inside the given code prefixes (a plan's county or city)."""
        if not prefixes:
            return set()
        where, bounds = _scope(prefixes)
        return {row[0] for row in self._db.execute(f"SELECT DISTINCT name FROM village WHERE {where}", bounds)}

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM village").fetchone()[0])


def _scope(prefixes: Sequence[str]) -> tuple[str, list[str]]:
    """A code prefix as a range of codes: the (name, county) index answers it without a scan."""
    where = " OR ".join("(county >= ? AND county < ?)" for _ in prefixes)
    return where, [b for p in prefixes for b in (p, p + "\uffff")]


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Read-only, so that concurrent runs share one file; ``as_uri`` escapes spaces, ``#`` and ``?``."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)


def _fill(db: sqlite3.Connection, records: Iterable[VillageRecord]) -> None:
    db.execute("CREATE TABLE village (name TEXT NOT NULL, county TEXT NOT NULL, town TEXT NOT NULL)")
    db.executemany("INSERT INTO village VALUES (?, ?, ?)", ((r.name, r.county_code, r.town) for r in records))
    db.execute("CREATE INDEX village_name ON village (name, county, town)")
    db.commit()


def _build_file(path: Path, source: Path) -> None:
    """Write the SQLite file beside its final name, then rename: readers never see half a file."""
    try:
        with atomic_path(path) as tmp:
            db = sqlite3.connect(tmp)
            try:
                _fill(db, read_villages(source))
            finally:
                db.close()
        for old in path.parent.glob("villages-*.sqlite"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:
        raise GazetteerError(f"cannot build the village list from {source} into {path.parent}: {exc}") from exc
