"""The one atomic write: whole files or none, flushed to disk, with the user's usual permissions."""

from __future__ import annotations

import os
import stat

import pytest

from geoplan import atomic
from geoplan.atomic import atomic_files, atomic_path, write_text


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_written_file_has_the_umask_permissions_not_0600(tmp_path, umask_022):
    out = write_text(tmp_path / "sub" / "map.html", "<html></html>")
    assert out.read_text("utf-8") == "<html></html>"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_data_is_fsynced_before_the_rename(tmp_path, monkeypatch):
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    write_text(tmp_path / "a.txt", "x")
    with atomic_files(tmp_path / "layer.shp") as folder:
        (folder / "layer.shp").write_bytes(b"1")
        (folder / "layer.dbf").write_bytes(b"2")
    assert len(synced) >= 3  # a.txt, layer.shp, layer.dbf (folders too where the platform allows)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("writer failed")
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
