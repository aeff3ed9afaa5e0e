"""The package list in pyproject.toml is explicit (two entries map the data folders): keep it true."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(conf["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "geoplan").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found - listed == set(), f"add to pyproject.toml packages: {sorted(found - listed)}"
    mapped = conf["tool"]["setuptools"]["package-dir"]
    assert mapped["geoplan._data.layers"] == "layers" and mapped["geoplan._data.maps"] == "maps"


def test_data_folders_are_found():
    from geoplan import paths

    assert (paths.layers_dir() / "vocab" / "kinds.toml").is_file()
    assert any(paths.layers_dir().glob("*.geojson"))
    assert (paths.maps_dir() / "themes.toml").is_file()


def test_package_data_globs_cover_the_data_files():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = conf["tool"]["setuptools"]["package-data"]
    for pkg, folder in (("geoplan._data.layers", "layers"), ("geoplan._data.maps", "maps")):
        files = {p.relative_to(ROOT / folder) for p in (ROOT / folder).rglob("*") if p.is_file()}
        covered = {f for f in files if any(f.match(g) for g in globs[pkg])}
        assert files == covered, f"{folder}: not packaged: {sorted(map(str, files - covered))}"
