"""The same features for a theme everywhere: theme layer, theme map, ``geoplan map --theme`` and ``filter_layers``.

Built from the example plan shipped with geoplan; every theme of the build is
checked, and the build must hold a feature named under a second theme so that
a filter matching only the first theme would fail here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from geoplan.cli import main
from geoplan.io import read_layers
from geoplan.output import filter_layers
from geoplan.output.filter import present_themes



def _map_ids(html_path: Path) -> set[str]:
    m = re.search(r'<script type="application/json" id="gp-features-data">(.*?)</script>', html_path.read_text("utf-8"), re.S)
    assert m, f"no feature payload in {html_path}"
    return {f["id"] for f in json.loads(m.group(1))["features"]}


def test_build_has_a_feature_under_a_second_theme(example_build):
    feats = read_layers(example_build).features
    second = [t.split(";")[1:] for t in feats["themes"]]
    assert any(s and set(s) - {th} for s, th in zip(second, feats["theme"])), "no feature named under two themes"


def test_theme_counts_agree(example_build, tmp_path):
    tables = read_layers(example_build)
    themes = present_themes(tables.features)
    assert themes
    runner = CliRunner()
    for theme in themes:
        kept = filter_layers(tables, theme=theme).features
        located = set(kept.loc[kept["located"], "id"])
        layer = json.loads((example_build / "layers" / "themes" / f"{theme}.geojson").read_text("utf-8"))
        assert {f["id"] for f in layer["features"]} == set(kept["id"]), theme
        theme_map = example_build / "maps" / f"theme_{theme}.html"
        assert theme_map.exists() == bool(located), theme
        if located:
            assert _map_ids(theme_map) == located, theme
        out = tmp_path / f"cli_{theme}.html"
        res = runner.invoke(main, ["map", str(example_build), "-o", str(out), "--theme", theme])
        assert res.exit_code == 0, res.output
        assert _map_ids(out) == located, theme


def test_plan_maps_agree_with_filter_layers_and_map_doc(example_build, tmp_path):
    tables = read_layers(example_build)
    docs = sorted(set(tables.features["doc"]))
    assert docs
    runner = CliRunner()
    for doc in docs:
        kept = filter_layers(tables, doc=doc).features
        located = set(kept.loc[kept["located"], "id"])
        plan_map = example_build / "maps" / f"plan_{doc}.html"
        assert plan_map.exists() and _map_ids(plan_map) == located
        out = tmp_path / f"{doc}.html"
        res = runner.invoke(main, ["map", str(example_build), "-o", str(out), "--doc", doc])
        assert res.exit_code == 0, res.output
        assert _map_ids(out) == located
    res = runner.invoke(main, ["map", str(example_build), "-o", str(tmp_path / "x.html"), "--doc", "no-such-plan"])
    assert res.exit_code == 2
