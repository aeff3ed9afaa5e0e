"""Atomic writes: a temporary file in the target folder, then a rename.

A reader (QGIS, a browser, a colleague's sync client) never sees half a file, and
an interrupted run leaves the previous output intact.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path | str, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: Path | str, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(target)


def write_bytes(target: Path | str, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


@contextlib.contextmanager
def atomic_files(target: Path | str) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; move every file it holds into place on success.

    For formats that are several files (a shapefile is .shp, .shx, .dbf, .prj,
    .cpg): writing straight into the target folder would leave a mix of old and
    new sidecars if the writer failed half-way.  Here the writer fills a private
    folder; only when it returns are the files renamed over their targets, each
    rename atomic, the ``.shp`` ones last so that a reader never opens a new
    geometry file with an old attribute table.  On failure the folder is removed
    and the old files are untouched.
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
            os.replace(p, folder / p.name)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
