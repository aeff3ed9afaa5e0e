"""Administrative codes and names, owned by the gazetteer: digits, suffixes, one unit per name."""

from __future__ import annotations

import pytest

from geoplan.gazetteer import codes
from geoplan.gazetteer.names import NameRules, ends_like_unit, strip_suffix, unit_suffixes


# ------------------------------------------------------------------ codes
def test_prefixes_of_a_township_code() -> None:
    code = "310118102"
    assert codes.province_prefix(code) == "31"
    assert codes.city_prefix(code) == "3101"
    assert codes.county_prefix(code) == "310118"
    assert codes.township_prefix("310118102000") == code
    assert codes.province_code(code) == "310000" and codes.city_code(code) == "310100"


@pytest.mark.parametrize(
    ("level", "inside", "outside"),
    [("province", "330402", "310118"), ("city", "330483", "330102"), ("district", "330402101", "330411")],
)
def test_same_unit_at_each_level(level: str, inside: str, outside: str) -> None:
    unit = {"province": "330000", "city": "330400", "district": "330402"}[level]
    assert codes.same_unit(inside, unit, level)
    assert not codes.same_unit(outside, unit, level)
    assert inside.startswith(codes.level_prefix(unit, level))


def test_significant_prefix_and_written_forms() -> None:
    assert codes.significant_prefix("310000") == "31"
    assert codes.significant_prefix("330500") == "3305"
    assert codes.significant_prefix("310118") == "310118"
    assert codes.significant_prefix("156310118") == "310118"
    assert codes.normalize_code(" 31 ") == "310000" and codes.normalize_code("3101") == "310100"


def test_code_chain_skips_empty_levels() -> None:
    assert codes.code_chain("310118102") == ("310000", "310100", "310118", "310118102")
    # a province-administered county (仙桃市, 429004) has no prefecture slot of its own
    assert codes.code_chain("429004") == ("420000", "429000", "429004")
    assert codes.code_chain("500000") == ("500000",)
    assert codes.code_chain("") == () and codes.code_chain("x1") == ()


def test_no_raw_code_slices_left_in_the_package() -> None:
    """The digits of each level are written once, in gazetteer/codes.py."""
    import re
    from pathlib import Path

    root = Path(codes.__file__).resolve().parents[1]
    admin_slice = re.compile(r"(code|admin_code|prefix|\bc|\bb\.code)\)?\[:[246]\]")
    offenders = [
        f"{p.relative_to(root)}:{i}"
        for p in root.rglob("*.py")
        if p.name != "codes.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if admin_slice.search(line)
    ]
    assert offenders == []


# ------------------------------------------------------------------ names
def test_suffix_rules_come_from_the_data() -> None:
    assert strip_suffix("广西壮族自治区", ("province",)) == "广西"
    assert strip_suffix("上海市", ("province", "city")) == "上海"
    assert strip_suffix("青浦", ("district",)) == "青浦"
    assert ends_like_unit("金泽镇", ("town",)) and ends_like_unit("花木街道", ("street",))
    assert not ends_like_unit("淀山湖", ("city", "district", "town", "street"))
    suffixes = unit_suffixes(("district", "town"))
    assert [len(s) for s in suffixes] == sorted((len(s) for s in suffixes), reverse=True)


def test_suffixes_follow_a_bureau_copy(tmp_path, monkeypatch) -> None:
    vocab_dir = tmp_path / "vocab"
    vocab_dir.mkdir()
    (vocab_dir / "admin_names.toml").write_text('min_stem = 2\n[suffixes]\ntown = ["嘎查"]\n', encoding="utf-8")
    monkeypatch.setenv("GEOPLAN_LAYERS", str(tmp_path))
    assert ends_like_unit("某某嘎查", ("town",)) and not ends_like_unit("某某镇", ("town",))
    assert NameRules().short_forms("某某嘎查", "town") == ("某某",)
