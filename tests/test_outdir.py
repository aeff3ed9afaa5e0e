"""The output folder is one whole generation: swapped in at the end, kept when a build fails, locked.

Reproducers (issue 19): ``geoplan build empty.txt --out o`` over a good ``o/``
replaced every file with an empty one; a rebuild with fewer plans left stale
theme files; a SIGKILL in the write phase left ``report.json`` describing other
layers than ``features.geojson``; two builds into one folder raced silently.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from geoplan.cli import main
from geoplan.errors import ExportError
from geoplan.io.outdir import build_lock, generation, recover

TRAFFIC = """上海市青浦区交通建设要点
一、主要任务
(一)交通
1.建设朱家角站周边接驳道路。
"""
ECOLOGY = """上海市青浦区生态建设要点
一、主要任务
(一)生态环境
1.推进淀山湖和元荡岸线修复。
"""


def _beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and not p.name.endswith(".lock"))


# ----------------------------------------------------------------- the module
def test_generation_replaces_the_folder_whole(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    with generation(out) as staging:
        assert staging.parent == out.parent and not (staging / "stale.txt").exists()
        (staging / "new.txt").write_text("new")
        assert (out / "stale.txt").exists()  # the previous output stays until the new one is complete
    assert sorted(p.name for p in out.iterdir()) == ["new.txt"]
    assert _beside(out) == []


def test_failure_keeps_the_previous_output(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "good.txt").write_text("good")
    with pytest.raises(RuntimeError), generation(out) as staging:
        (staging / "half.txt").write_text("half")
        raise RuntimeError("disk full")
    assert sorted(p.name for p in out.iterdir()) == ["good.txt"]
    assert _beside(out) == []


def test_oserror_is_an_export_error(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(ExportError, match="could not be written"), generation(out):
        raise OSError(28, "No space left on device")
    assert not out.exists()


def test_a_second_build_fails_clearly(tmp_path):
    out = tmp_path / "o"
    with build_lock(out):
        with pytest.raises(ExportError, match="another geoplan build is writing"), generation(out):
            pass
    with generation(out) as staging:  # released
        (staging / "x").write_text("x")
    assert (out / "x").exists()


def test_out_that_is_a_file(tmp_path):
    out = tmp_path / "o"
    out.write_text("not a folder")
    with pytest.raises(ExportError, match="not a folder"), generation(out):
        pass


def test_recover_puts_back_a_generation_moved_aside(tmp_path):
    out = tmp_path / "o"
    old = tmp_path / ".o.old-abc"
    old.mkdir()
    (old / "report.json").write_text("{}")
    (tmp_path / ".o.new-def").mkdir()
    recover(out)
    assert (out / "report.json").exists()
    assert _beside(out) == []


# ------------------------------------------------------------------ the build
@pytest.fixture
def plans(tmp_path):
    a = tmp_path / "traffic.txt"
    a.write_text(TRAFFIC, encoding="utf-8")
    b = tmp_path / "ecology.txt"
    b.write_text(ECOLOGY, encoding="utf-8")
    return a, b


def test_failed_build_keeps_a_good_output(tmp_path, plans, gazetteer):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(plans[0]), "--out", str(out)]).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = CliRunner().invoke(main, ["build", str(empty), "--out", str(out)])
    assert res.exit_code == 3, res.output
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_rebuild_with_fewer_plans_leaves_no_stale_files(tmp_path, plans, gazetteer):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", *map(str, plans), "--out", str(out)]).exit_code == 0
    both = {p.name for p in (out / "layers" / "themes").iterdir()}
    assert CliRunner().invoke(main, ["build", str(plans[0]), "--out", str(out)]).exit_code == 0
    feats = json.loads((out / "layers" / "features.geojson").read_text(encoding="utf-8"))["features"]
    themes = {t.strip() for f in feats for t in [f["properties"]["theme"], *str(f["properties"]["themes"] or "").split(";")]
              if t and t.strip()}
    left = {p.name for p in (out / "layers" / "themes").iterdir()}
    assert left < both
    assert left == {f"{t}.geojson" for t in themes}
    assert _beside(out) == []


# -------------------------------------------------------------- the kill test
def _whole(out: Path) -> str:
    """Which generation ``out`` holds; fails when its files disagree."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    feats = json.loads((out / "layers" / "features.geojson").read_text(encoding="utf-8"))["features"]
    assert report["features"] == len(feats)
    docs = sorted(p["doc"] for p in report["plans"])
    assert sorted({f["properties"]["doc"] for f in feats}) == docs
    mentions = (out / "mentions.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert report["mentions"] == len(mentions)
    assert (out / "maps" / "index.html").is_file() and (out / "layers" / "geoplan.gpkg").is_file()
    return "+".join(docs)


class ForkedBuild:
    """``geoplan build ARGS --out OUT`` in a forked child of this test process, to be killed at any point.

    The child starts with the session's gazetteer and jieba tables already in memory, so its
    time is the build itself (read, extract, locate, write) and random kill points fall across
    it rather than mostly into start-up; a fresh interpreter per run (``python -m geoplan.cli``)
    is what the SIGINT and unreadable-plan tests run.
    """

    def __init__(self, args: list[str], out: Path) -> None:
        self.pid = os.fork()
        if self.pid == 0:  # the child: the CLI's own path, its exit code, never back into pytest
            code = 1
            try:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 1)
                os.dup2(null, 2)
                main.main(["build", *args, "--out", str(out)], prog_name="geoplan")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            finally:
                os._exit(code)
        self.returncode: int | None = None

    def wait(self, timeout: float) -> int:
        """The exit code (a signal as its negative number); ``subprocess.TimeoutExpired`` when still running."""
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
                return self.returncode
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"build {self.pid}", timeout)
            time.sleep(0.01)

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills forked builds (POSIX)")
def test_sigkill_at_random_points_leaves_one_whole_generation(tmp_path, plans, gazetteer):
    from geoplan.extract.tokenizer import base

    base()  # the children inherit jieba's tables as they inherit the gazetteer
    out = tmp_path / "out"
    runs = [[str(plans[0])], [str(plans[0]), str(plans[1])]]

    def start(args):
        return ForkedBuild(args, out)

    t0 = time.monotonic()
    assert start(runs[0]).wait(timeout=300) == 0
    duration = time.monotonic() - t0
    seen = {_whole(out)}
    rng = random.Random(19)
    kills = 0
    for i in range(10):  # bounded: each run ends by itself or is killed within about one build's time
        proc = start(runs[(i + 1) % 2])
        try:
            proc.wait(timeout=rng.uniform(0.4 * duration, 1.1 * duration))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
        seen.add(_whole(out))
    assert kills >= 3
    assert seen <= {"traffic", "ecology+traffic"}
    # the next build cleans what the killed ones left beside the folder
    assert start(runs[0]).wait(timeout=300) == 0
    assert _whole(out) == "traffic"
    assert _beside(out) == []


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(c) for c in text.split()}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads worker pids from /proc (Linux)")
def test_a_killed_build_leaves_no_workers(tmp_path, plans):
    """SIGKILL of a `--jobs 2` build: its forked workers end too instead of waiting on the queue for ever."""
    many = []
    for i in range(8):
        p = tmp_path / f"plan{i}.txt"
        p.write_text(plans[i % len(plans)].read_text(encoding="utf-8"), encoding="utf-8")
        many.append(str(p))
    proc = subprocess.Popen([sys.executable, "-m", "geoplan.cli", "build", *many, "--out", str(tmp_path / "out"),
                             "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    assert len(workers) >= 2, "the build never forked its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, f"workers {left} outlived their build"
