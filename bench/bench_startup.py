"""Start-up cost of the ``geoplan`` command: ``--help`` and each command's ``--help``.

A planner types ``geoplan …`` many times a day; help must come back at once.
Prints, per invocation, the best and median wall time of fresh processes next
to a bare ``python -c pass`` and ``import click`` (the floor), and which heavy
libraries the process imported (none should be, for help).

    python bench/bench_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("shapely", "pandas", "geopandas", "numpy", "jieba", "folium", "pyproj", "pyogrio", "fiona", "sqlalchemy")

PROBE = (
    "import sys; sys.argv = ['geoplan', *sys.argv[1:]]\n"
    "from geoplan.cli import main\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "print('HEAVY=' + ','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
)


def timed(cmd: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        out.append(time.perf_counter() - t)
    return out


def heavy_imports(args: list[str]) -> str:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True)
    line = next((ln for ln in proc.stderr.splitlines() if ln.startswith("HEAVY=")), "HEAVY=?")
    return line.removeprefix("HEAVY=") or "none"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    py = sys.executable
    cases = {
        "python -c pass": ([py, "-c", "pass"], None),
        "python -c 'import click'": ([py, "-c", "import click"], None),
        "geoplan --help": ([py, "-m", "geoplan.cli", "--help"], ["--help"]),
        "geoplan build --help": ([py, "-m", "geoplan.cli", "build", "--help"], ["build", "--help"]),
        "geoplan gazetteer search --help": ([py, "-m", "geoplan.cli", "gazetteer", "search", "--help"],
                                            ["gazetteer", "search", "--help"]),
    }
    for label, (cmd, probe) in cases.items():
        ts = timed(cmd, args.repeat)
        heavy = f"  heavy imports: {heavy_imports(probe)}" if probe else ""
        print(f"{label:34s} best {min(ts):.3f} s, median {statistics.median(ts):.3f} s{heavy}")


if __name__ == "__main__":
    main()
