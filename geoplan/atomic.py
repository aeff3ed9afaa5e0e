"""Atomic writes: a temporary file in the target folder, flushed to disk, then a rename.

The one way geoplan replaces a file, whatever writes it (an exporter, the map,
the review sheet, the gazetteer's caches): a reader (QGIS, a browser, a
colleague's sync client) never sees half a file, an interrupted run or a power
cut leaves the previous file intact (the data is fsynced before the rename),
and the new file gets the same permissions as any file the user creates (the
writer creates it, so the umask applies: ``0644`` usually, never ``0600``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable; not every platform can open a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path | str, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` (not yet created); on success fsync it and rename it over ``target``.

    The path does not exist when yielded: writers such as GDAL or SQLite want
    to create the file themselves.  On an exception the temporary file is removed
    and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()
    try:
        yield tmp_path
        _fsync_file(tmp_path)
        os.replace(tmp_path, target)
        _fsync_dir(target.parent)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Replace ``target`` with ``text``, atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(target)


def write_bytes(target: Path | str, data: bytes) -> Path:
    """Replace ``target`` with ``data``, atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


@contextlib.contextmanager
def atomic_files(target: Path | str) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; move every file it holds into place on success.

    For formats that are several files (a shapefile is .shp, .shx, .dbf, .prj,
    .cpg): writing straight into the target folder would leave a mix of old and
    new sidecars if the writer failed half-way.  Here the writer fills a private
    folder; only when it returns are the files fsynced and renamed over their
    targets, each rename atomic, the ``.shp`` ones last so that a reader never
    opens a new geometry file with an old attribute table.  On failure the
    folder is removed and the old files are untouched.
    """
    target = Path(target)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=folder))
    try:
        yield tmp_dir
        files = sorted(p for p in tmp_dir.iterdir() if p.is_file())
        files.sort(key=lambda p: p.suffix.lower() == ".shp")
        for p in files:
            _fsync_file(p)
        for p in files:
            os.replace(p, folder / p.name)
        _fsync_dir(folder)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
