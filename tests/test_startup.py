"""``geoplan --help`` stays light: help never loads the GIS, NLP or map libraries.

Timing lives in bench/bench_startup.py; this checks the cause of slowness (what
gets imported), which does not depend on how busy the machine is.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("shapely", "pandas", "geopandas", "numpy", "jieba", "folium", "pyproj", "pyogrio", "fiona", "sqlalchemy", "tqdm")

PROBE = """
import sys
sys.argv = ["geoplan", *sys.argv[1:]]
from geoplan.cli import main
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print("LOADED=" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["gazetteer", "--help"], ["gazetteer", "search", "--help"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True, check=True)
    loaded = proc.stdout.rstrip("\n").rsplit("\n", 1)[-1].removeprefix("LOADED=")
    assert loaded == "", f"geoplan {' '.join(args)} imported {loaded}"
