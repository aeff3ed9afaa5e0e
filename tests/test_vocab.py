"""The one loader of geoplan's data files (:mod:`geoplan.vocab`)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from geoplan import paths, vocab
from geoplan.normalize.vocab import load_vocab as normalize_vocab

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def layers_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bureau's copy of ``layers/vocab`` that GEOPLAN_LAYERS points at."""
    root = tmp_path / "layers"
    shutil.copytree(REPO / "layers" / "vocab", root / "vocab")
    monkeypatch.setenv("GEOPLAN_LAYERS", str(root))
    return root / "vocab"


@pytest.fixture
def maps_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "maps"
    shutil.copytree(REPO / "maps", root)
    monkeypatch.setenv("GEOPLAN_MAPS", str(root))
    return root


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_kinds_are_typed_frozen_and_in_file_order() -> None:
    kinds = vocab.kinds()
    names = list(kinds)
    assert names[:3] == ["province", "city", "district"]
    city = kinds["city"]
    assert city.precision == "city" and city.geometry == "polygon" and "district" in city.accepts
    with pytest.raises(dataclasses.FrozenInstanceError):
        city.label = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        kinds["new"] = city  # type: ignore[index]


def test_every_stage_reads_the_bureau_copy(layers_copy: Path) -> None:
    """GEOPLAN_LAYERS reaches extraction, normalization and the kind list alike."""
    _rewrite(layers_copy / "kinds.toml", 'label = "市"', 'label = "地级市"')
    assert vocab.kinds()["city"].label == "地级市"
    from geoplan.extract.vocab import load_kinds

    assert load_kinds()["city"].label == "地级市"
    assert vocab.layers_file("normalize.toml").parent == paths.layers_dir() / "vocab" == layers_copy
    (layers_copy / "normalize.toml").write_text('[t2s]\nmin_traditional_share = 0.5\n', encoding="utf-8")
    assert normalize_vocab() == {"t2s": {"min_traditional_share": 0.5}}


def test_a_file_is_read_once_until_reload(layers_copy: Path) -> None:
    before = vocab.admin_names()
    assert vocab.admin_names() is before, "read once per path"
    _rewrite(layers_copy / "admin_names.toml", "min_stem = 2", "min_stem = 3")
    assert vocab.admin_names().min_stem == 2
    vocab.reload()
    assert vocab.admin_names().min_stem == 3


def test_default_theme_comes_from_themes_toml(maps_copy: Path) -> None:
    from geoplan.map.styles import load_style
    from geoplan.records import TaskNode

    assert vocab.default_theme() == vocab.themes().default
    _rewrite(maps_copy / "themes.toml", 'default = "其他"', 'default = "综合"')
    vocab.reload()
    load_style.cache_clear()
    try:
        assert vocab.default_theme() == "综合"
        assert TaskNode(id="一", level=1, title="总则", span=(0, 2)).theme == "综合"
        assert load_style().default_theme == "综合"
    finally:
        load_style.cache_clear()


def test_themes_in_legend_order_with_scoring() -> None:
    t = vocab.themes()
    orders = [th.order for th in t.themes.values()]
    assert orders == sorted(orders)
    assert t.default in t.themes
    assert all(th.keywords for th in t.themes.values() if th.name != t.default)


def test_broken_file_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "kinds.toml"
    bad.write_text("[city\nlabel = 1\n", encoding="utf-8")
    with pytest.raises(vocab.VocabError, match="kinds.toml"):
        vocab.kinds(bad)


def test_admin_name_suffixes_longest_first() -> None:
    rules = vocab.admin_names()
    for suffixes in rules.suffixes.values():
        assert [len(s) for s in suffixes] == sorted((len(s) for s in suffixes), reverse=True)
    assert "自治县" in rules.autonomous and "土家族" in rules.ethnic


def test_no_module_but_the_loader_parses_toml() -> None:
    """The one-loader rule: a second parser would ignore GEOPLAN_LAYERS or the cache again."""
    offenders = [
        str(p.relative_to(REPO))
        for p in (REPO / "geoplan").rglob("*.py")
        if p.name != "vocab.py" or p.parent.name != "geoplan"
        if "tomllib" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
