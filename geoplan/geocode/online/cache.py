"""A persistent SQLite cache of online geocoder answers.

Why a cache at all: online geocoding is opt-in, slow (Nominatim allows one
request a second) and metered (Baidu/Amap/Tencent keys have daily quotas), while
a planner re-runs the same plan many times while reviewing it.  Each answer is
kept exactly as the provider gave it — coordinates in the provider's own datum,
its address and its raw JSON — so that the conversion to WGS-84, the precision
rules and the jurisdiction test can change without a single new request.

Empty answers are cached too ("the provider knows no such place" is an answer),
errors are not.

A cache file that is not a readable database (a crash mid-write on a network
drive, a file copied over it) is moved aside as ``online_geocode.sqlite.corrupt-…``
with a warning and a new one is started: the cache only saves requests, so
losing it must never stop a build.  A single unreadable answer counts as
missing and is asked again.  The key is ``(provider, query, region)`` where ``query`` is the
name as the caller asked for it and ``region`` the jurisdiction it was biased to.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CACHE_FILENAME", "Candidate", "GeocodeCache"]

CACHE_FILENAME = "online_geocode.sqlite"

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lookups (
    provider   TEXT NOT NULL,
    query      TEXT NOT NULL,
    region     TEXT NOT NULL,
    sent       TEXT NOT NULL,          -- the query string actually sent
    n_results  INTEGER NOT NULL,
    fetched_at REAL NOT NULL,          -- unix seconds
    PRIMARY KEY (provider, query, region)
);
CREATE TABLE IF NOT EXISTS results (
    provider TEXT NOT NULL,
    query    TEXT NOT NULL,
    region   TEXT NOT NULL,
    rank     INTEGER NOT NULL,         -- 0 = the provider's best
    lon      REAL NOT NULL,            -- in the provider's datum (crs)
    lat      REAL NOT NULL,
    crs      TEXT NOT NULL,
    address  TEXT NOT NULL,
    raw      TEXT NOT NULL,            -- the provider's JSON for this result
    PRIMARY KEY (provider, query, region, rank)
);
"""


@dataclass(frozen=True)
class Candidate:
    """One result as the provider gave it (coordinates in ``crs``, not WGS-84)."""

    lon: float
    lat: float
    crs: str
    address: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


class GeocodeCache:
    """``(provider, query, region) → list[Candidate]`` in ``cache_dir/online_geocode.sqlite``.

    ``max_age_s`` (optional) makes older answers count as missing, for providers
    whose terms limit how long results may be kept.  Safe to share between
    threads: one connection guarded by a lock.
    """

    def __init__(self, cache_dir: str | Path, *, max_age_s: float | None = None) -> None:
        self.dir = Path(cache_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / CACHE_FILENAME
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as exc:
            self._conn = self._rebuild(exc)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            with conn:
                conn.executescript(_SCHEMA)
            conn.execute("SELECT COUNT(*) FROM lookups").fetchone()
            conn.execute("SELECT COUNT(*) FROM results").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _rebuild(self, exc: Exception) -> sqlite3.Connection:
        """Move the unreadable file aside (kept for inspection) and start an empty cache."""
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
        os.replace(self.path, aside)
        for suffix in ("-journal", "-wal", "-shm"):
            stale = self.path.with_name(self.path.name + suffix)
            if stale.exists():
                os.replace(stale, aside.with_name(aside.name + suffix))
        log.warning("online geocoder cache %s is not readable (%s): moved aside to %s, starting a new one",
                    self.path, exc, aside.name)
        return self._open()

    def get(self, provider: str, query: str, region: str | None) -> list[Candidate] | None:
        """The cached answer (possibly an empty list), or None if never asked / expired."""
        key = (provider, query, region or "")
        with self._lock:
            row = self._conn.execute(
                "SELECT n_results, fetched_at FROM lookups WHERE provider=? AND query=? AND region=?", key
            ).fetchone()
            if row is None:
                return None
            if self.max_age_s is not None and time.time() - row[1] > self.max_age_s:
                return None
            rows = self._conn.execute(
                "SELECT lon, lat, crs, address, raw FROM results "
                "WHERE provider=? AND query=? AND region=? ORDER BY rank",
                key,
            ).fetchall()
        try:
            return [Candidate(float(lon), float(lat), crs, address, json.loads(raw)) for lon, lat, crs, address, raw in rows]
        except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
            log.warning("online geocoder cache %s: unreadable answer for %r (%s); asking again", self.path, query, exc)
            return None

    def put(self, provider: str, query: str, region: str | None, sent: str, candidates: list[Candidate]) -> None:
        """Store (or replace) the answer to one query."""
        key = (provider, query, region or "")
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM results WHERE provider=? AND query=? AND region=?", key)
            self._conn.execute(
                "INSERT OR REPLACE INTO lookups VALUES (?, ?, ?, ?, ?, ?)",
                (*key, sent, len(candidates), time.time()),
            )
            self._conn.executemany(
                "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (*key, rank, c.lon, c.lat, c.crs, c.address, json.dumps(c.raw, ensure_ascii=False, default=str))
                    for rank, c in enumerate(candidates)
                ],
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM lookups").fetchone()[0])

    def clear(self, provider: str | None = None) -> None:
        """Forget every answer (of one provider, if given)."""
        with self._lock, self._conn:
            if provider is None:
                self._conn.execute("DELETE FROM results")
                self._conn.execute("DELETE FROM lookups")
            else:
                self._conn.execute("DELETE FROM results WHERE provider=?", (provider,))
                self._conn.execute("DELETE FROM lookups WHERE provider=?", (provider,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
