"""Whole builds, timed as whole processes, against plain ``jieba.cut`` over the same text.

Run: ``python bench/bench_build.py [--repeat N] [--skip-large] [--skip-archive]``.

Prints, for each workload, the wall time and peak memory (the largest process) of
``geoplan build`` and of a yardstick process that imports jieba and cuts the same
text (start-up included), and their ratio:

* the five seed plans (``../shared/corpus/*.txt``) in one build;
* one 5 MB plan (the ten real plans' text, read by geoplan's reader, repeated);
* 200 plans (the ten real plans repeated) with ``--jobs 2`` where the CLI has it;

then a stage breakdown of the seed build in one process (read, normalize, outline,
extract, geocode, write), from the stage functions the pipeline calls.  Figures are
medians of ``--repeat`` runs; the machine's noise shows in the min–max printed beside.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

JIEBA_YARDSTICK = (
    "import sys, jieba\n"
    "n = 0\n"
    "for p in sys.argv[1:]:\n"
    "    text = open(p, encoding='utf-8').read()\n"
    "    n += sum(1 for _ in jieba.cut(text))\n"
    "print(n)\n"
)


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """``(wall seconds, peak MiB of the largest process, exit code)`` of one whole process tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        print(f"  ! {' '.join(cmd[:3])}… exited {proc.returncode}: {err.strip()[-300:]}", file=sys.stderr)
    if proc.stderr:
        proc.stderr.close()
    # ru_maxrss of wait4 is the child's (and its waited descendants') peak, in KiB on Linux
    return wall, usage.ru_maxrss / 1024, proc.returncode


def summarize(runs: list[tuple[float, float, int]]) -> tuple[float, float, float, float]:
    walls = [r[0] for r in runs]
    peaks = [r[1] for r in runs]
    return statistics.median(walls), min(walls), max(walls), statistics.median(peaks)


def geoplan_cmd() -> list[str]:
    exe = shutil.which("geoplan")
    return [exe] if exe else [sys.executable, "-m", "geoplan.cli"]


def cli_has_jobs() -> bool:
    out = subprocess.run([*geoplan_cmd(), "build", "--help"], capture_output=True, text=True).stdout
    return "--jobs" in out


def plain_texts(paths: list[Path], folder: Path) -> list[Path]:
    """Each plan's text as geoplan's reader decodes it, written as UTF-8 (the yardstick's input)."""
    from geoplan.read import read_plan

    out = []
    for i, p in enumerate(paths):
        target = folder / f"{i:03d}_{p.stem}.txt"
        target.write_text(read_plan(p).text, encoding="utf-8")
        out.append(target)
    return out


def workload(name: str, plans: list[Path], texts: list[Path], repeat: int, env: dict[str, str],
             extra: list[str] | None = None) -> None:
    chars = sum(len(t.read_text(encoding="utf-8")) for t in texts)
    geo, base = [], []
    with tempfile.TemporaryDirectory(prefix="geoplan-bench-out-") as tmp:
        for i in range(repeat):
            out = Path(tmp) / f"run{i}"
            geo.append(run_measured([*geoplan_cmd(), "build", *map(str, plans), "--out", str(out), *(extra or [])], env))
            base.append(run_measured([sys.executable, "-c", JIEBA_YARDSTICK, *map(str, texts)], env))
    g, b = summarize(geo), summarize(base)
    print(f"{name:<34}{len(plans):>6}{chars:>11,}"
          f"{g[0]:>9.2f}s ({g[1]:.2f}–{g[2]:.2f}){g[3]:>8.0f} MiB"
          f"{b[0]:>8.2f}s{b[3]:>6.0f} MiB{g[0] / b[0]:>7.1f}×")


def stage_breakdown(plans: list[Path]) -> None:
    """One process, the seed plans: seconds spent in each stage the pipeline runs."""
    from geoplan import pipeline

    timed: dict[str, float] = {}
    originals: dict[tuple[object, str], object] = {}

    def wrap(owner: object, attr: str, stage: str) -> None:
        fn = getattr(owner, attr, None)
        if fn is None:
            return
        originals[(owner, attr)] = fn

        def timed_fn(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                timed[stage] = timed.get(stage, 0.0) + time.perf_counter() - t0

        setattr(owner, attr, timed_fn)

    from geoplan.extract import Extractor

    # the names the pipeline module itself calls, so the breakdown follows the real run
    for owner, attr, stage in (
        (pipeline, "read_plan", "read"),
        (pipeline._normalize_pkg, "normalize", "normalize"),
        (pipeline, "build_outline", "outline"),
        (Extractor, "extract", "extract"),
        (pipeline, "locate", "geocode"),
        (pipeline, "write_outputs", "write"),
    ):
        wrap(owner, attr, stage)

    from geoplan.gazetteer import Gazetteer

    t0 = time.perf_counter()
    gaz = Gazetteer.load()
    load = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="geoplan-bench-stages-") as tmp:
        t0 = time.perf_counter()
        pipeline.build(plans, Path(tmp) / "out", gazetteer=gaz)
        total = time.perf_counter() - t0
    for (owner, attr), fn in originals.items():
        setattr(owner, attr, fn)
    print(f"gazetteer load (warm cache): {load:.2f} s; build {total:.2f} s, of which:")
    accounted = 0.0
    for stage in ("read", "normalize", "outline", "extract", "geocode", "write"):
        s = timed.get(stage, 0.0)
        accounted += s
        print(f"  {stage:<10}{s:>8.2f} s {100 * s / total:>5.1f} %")
    print(f"  {'other':<10}{total - accounted:>8.2f} s {100 * (total - accounted) / total:>5.1f} %")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-large", action="store_true", help="skip the 5 MB plan")
    ap.add_argument("--skip-archive", action="store_true", help="skip the 200-plan archive")
    ap.add_argument("--archive-plans", type=int, default=200)
    args = ap.parse_args(argv)

    seeds = sorted((SHARED / "corpus").glob("*.txt"))
    wider = sorted((SHARED / "wider").glob("*.*"))
    wider = [p for p in wider if p.suffix in (".txt", ".html", ".htm", ".pdf", ".docx")]
    if not seeds:
        print(f"no seed plans in {SHARED / 'corpus'}", file=sys.stderr)
        return 1
    env = {**os.environ}
    env.setdefault("GEOPLAN_CACHE", str(Path.home() / ".cache" / "geoplan"))
    # warm the gazetteer and tokenizer caches once, as a planner's second run finds them
    with tempfile.TemporaryDirectory() as tmp:
        run_measured([*geoplan_cmd(), "build", str(seeds[0]), "--out", str(Path(tmp) / "warm")], env)

    print(f"{'workload':<34}{'plans':>6}{'chars':>11}{'geoplan build (median, min–max), peak':>40}"
          f"{'jieba.cut, peak':>18}{'ratio':>7}")
    with tempfile.TemporaryDirectory(prefix="geoplan-bench-") as tmp:
        folder = Path(tmp)
        for sub in ("seed", "real"):
            (folder / sub).mkdir()
        seed_texts = plain_texts(seeds, folder / "seed")
        workload("five seed plans", seeds, seed_texts, args.repeat, env)

        real = seeds + wider
        real_texts = plain_texts(real, folder / "real")
        if not args.skip_large:
            body = "\n".join(t.read_text(encoding="utf-8") for t in real_texts)
            big = folder / "large_5mb.txt"
            target = 5 * 1024 * 1024
            reps = max(1, -(-target // len(body.encode("utf-8"))))
            big.write_text("\n".join([body] * reps), encoding="utf-8")
            workload(f"one {big.stat().st_size / 2**20:.1f} MB plan", [big], [big], 1, env)
        if not args.skip_archive:
            arch = folder / "archive"
            arch.mkdir()
            plans, texts = [], []
            for i in range(args.archive_plans):
                src, txt = real[i % len(real)], real_texts[i % len(real)]
                dst = arch / f"p{i:04d}_{src.name}"
                shutil.copyfile(src, dst)
                plans.append(dst)
                texts.append(txt)
            jobs = ["--jobs", "2"] if cli_has_jobs() else []
            label = f"{args.archive_plans} plans" + (" --jobs 2" if jobs else " (no --jobs yet)")
            workload(label, plans, texts, 1, env, extra=jobs)
    print()
    stage_breakdown(seeds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
