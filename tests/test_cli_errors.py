"""Every documented error path: its exit code, one line, no traceback, no password (issue 19).

Reproducers: ``export o --to 'postgresql+psycopg://u:S3cret@host/db'`` printed
the password; a port ``notaport``, an ``--out`` that is a file, a read-only or
full disk gave tracebacks and exit 1 instead of 7; Ctrl-C exited 1.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import cli_build
from geoplan.cli import main
from geoplan.errors import ExportError

PLAN = """上海市青浦区生态建设要点
一、主要任务
(一)水环境
1.推进淀山湖和元荡岸线修复。
"""
SECRET = "S3cret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory, gazetteer):
    return cli_build(tmp_path_factory.mktemp("errors"), "plan.txt", PLAN)


def _one_line(res, code: int) -> str:
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    assert SECRET not in res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, res.output
    return lines[0]


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg", "postgresql+psycopg2", "postgres"])
def test_database_url_password_never_printed(built, scheme):
    _, out = built
    url = f"{scheme}://u:{SECRET}@127.0.0.1:{_free_port()}/db"
    line = _one_line(CliRunner().invoke(main, ["export", str(out), "--to", url]), 7)
    assert "u:***@127.0.0.1" in line or "127.0.0.1" in line


def test_other_url_is_refused_without_its_password(built):
    _, out = built
    line = _one_line(CliRunner().invoke(main, ["export", str(out), "--to", f"mysql://u:{SECRET}@host/db"]), 7)
    assert "unsupported URL" in line and "u:***@host" in line


def test_port_that_is_not_a_number(built):
    _, out = built
    line = _one_line(CliRunner().invoke(main, ["export", str(out), "--to", f"postgresql://u:{SECRET}@127.0.0.1:notaport/db"]), 7)
    assert "notaport" in line


def test_build_out_that_is_a_file(built, tmp_path):
    plan, _ = built
    target = tmp_path / "file"
    target.write_text("x")
    line = _one_line(CliRunner().invoke(main, ["build", str(plan), "--out", str(target)]), 7)
    assert "not a folder" in line
    assert target.read_text() == "x"


def test_export_into_a_file_as_folder(built, tmp_path):
    _, out = built
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _one_line(CliRunner().invoke(main, ["export", str(out), "--to", str(blocker / "layers.gpkg")]), 7)


def test_read_only_folder_is_exit_7(built, tmp_path, monkeypatch):
    """Tests may run as root, who writes anywhere: the file system's answer is simulated."""
    import geoplan.io.outdir as outdir

    plan, _ = built

    def refuse(*a, **k):
        raise PermissionError(errno.EROFS, "Read-only file system", str(tmp_path))

    monkeypatch.setattr(outdir.tempfile, "mkdtemp", refuse)
    line = _one_line(CliRunner().invoke(main, ["build", str(plan), "--out", str(tmp_path / "o")]), 7)
    assert "Read-only file system" in line


def test_full_disk_mid_build_is_exit_7_and_keeps_the_output(built, tmp_path, monkeypatch):
    import geoplan.io.gpkg as gpkg

    plan, out = built
    before = (out / "report.json").read_bytes()

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(gpkg, "write_gpkg", full)
    line = _one_line(CliRunner().invoke(main, ["build", str(plan), "--out", str(out)]), 7)
    assert "No space left on device" in line
    assert (out / "report.json").read_bytes() == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out.new-")]


def test_debug_shows_the_traceback(built, tmp_path):
    plan, _ = built
    target = tmp_path / "file"
    target.write_text("x")
    res = CliRunner().invoke(main, ["--debug", "build", str(plan), "--out", str(target)])
    assert isinstance(res.exception, ExportError)
    assert res.exc_info is not None and res.exc_info[2] is not None


def test_unexpected_error_is_one_line(built, monkeypatch):
    import geoplan.pipeline as pipeline

    plan, _ = built

    def boom(*a, **k):
        raise RuntimeError(f"bad state at postgresql://u:{SECRET}@h/db")

    monkeypatch.setattr(pipeline, "build", boom)
    line = _one_line(CliRunner().invoke(main, ["build", str(plan), "--out", "unused"]), 1)
    assert "RuntimeError" in line and "--debug" in line


def test_sigint_exits_130_and_keeps_the_output(built):
    """Ctrl-C in the write phase: exit 130, one line, the previous output whole, nothing left beside it."""
    plan, out = built
    before = (out / "report.json").read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "geoplan.cli", "build", str(plan), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.name.startswith(".out.new-") for p in out.parent.iterdir()):
            break
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail("the build ended before its write phase could be interrupted")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err and b"interrupted" in err
    assert json.loads((out / "report.json").read_bytes()) == json.loads(before)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out.new-")]
