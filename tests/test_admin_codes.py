"""Administrative codes and names, owned by the gazetteer: digits, suffixes, one unit per name."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from geoplan.errors import FilterError, GazetteerError
from geoplan.gazetteer import codes
from geoplan.gazetteer.model import GazetteerFeature
from geoplan.gazetteer.names import NameRules, ends_like_unit, strip_suffix, unit_suffixes
from geoplan.gazetteer.units import AmbiguousUnitError, named_unit


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


# ------------------------------------------------------------------ units
def _unit(code: str, name: str, kind: str, chain: tuple[str, ...]) -> GazetteerFeature:
    return GazetteerFeature(id=f"cn-{code}", name=name, kind=kind, geometry=None, precision_m=100.0,
                            source="test", license="test", admin_code=code, admin_names=chain, origin="admin")


class _Units:
    """A gazetteer of four made-up units: a municipality named twice, two counties sharing a name."""

    def __init__(self) -> None:
        self.units = [
            _unit("990000", "甲市", "province", ("甲市",)),
            _unit("990100", "甲市", "city", ("甲市", "甲市")),
            _unit("990101", "东区", "district", ("甲市", "甲市", "东区")),
            _unit("980201", "东区", "district", ("乙省", "丙市", "东区")),
        ]

    def admin(self, code: str) -> GazetteerFeature | None:
        return next((u for u in self.units if u.admin_code == codes.normalize_code(code)), None)

    def resolve_admin_name(self, name: str) -> list[GazetteerFeature]:
        return [u for u in self.units if u.name == name]


def test_nested_units_are_one_answer_the_outermost() -> None:
    assert named_unit(_Units(), "甲市").admin_code == "990000"
    assert named_unit(_Units(), "990101").name == "东区"
    assert named_unit(_Units(), "乙市") is None


def test_units_apart_are_ambiguous_with_their_chains() -> None:
    with pytest.raises(AmbiguousUnitError) as err:
        named_unit(_Units(), "东区")
    assert "甲市/甲市/东区 (990101)" in str(err.value) and "乙省/丙市/东区 (980201)" in str(err.value)


def test_every_command_applies_the_same_rule(gazetteer) -> None:
    """朝阳区 (北京 and 长春) is refused alike by --jurisdiction, search --within and filter --within."""
    from test_export import plan_layers

    from geoplan.cli import main
    from geoplan.pipeline import Context
    from geoplan.output.filter import filter_layers

    res = CliRunner().invoke(main, ["gazetteer", "search", "人民公园", "--within", "朝阳区"])
    assert res.exit_code != 0 and "110105" in res.output
    with pytest.raises(FilterError) as err:
        filter_layers(plan_layers(), within="朝阳区", gazetteer=gazetteer)
    assert any("北京市" in a for a in err.value.allowed) and any("吉林省" in a for a in err.value.allowed)
    with pytest.raises(GazetteerError, match="110105"):
        Context(gazetteer=gazetteer, jurisdiction="朝阳区")
    # a municipality's province and city level nest: one answer, the province
    assert named_unit(gazetteer, "上海市").kind == "province"
    assert Context(gazetteer=gazetteer, jurisdiction="上海市").forced_jurisdiction.code == "310000"
