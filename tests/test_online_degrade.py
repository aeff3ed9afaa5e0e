"""Online geocoding fails soft (issue 19), against a scripted server on 127.0.0.1 only.

Reproducer: ``--geocoder nominatim`` without network exited 6 and wrote
nothing, though offline alone places most names; the CLI never passed a cache;
a corrupt cache file raised sqlite3.DatabaseError / JSONDecodeError.
"""

from __future__ import annotations

import json
import logging
import sqlite3

import pytest
from click.testing import CliRunner

import geoplan.geocode.online as online_pkg
from geoplan.cli import main
from geoplan.geocode.online import GeocodeCache, get_geocoder
from geoplan.geocode.online.cache import CACHE_FILENAME, Candidate
from geoplan.pipeline import build
from test_online import WEST_LAKE, FakeServer, Reply, only_localhost, server  # noqa: F401 - fixtures

PLAN = """上海市青浦区建设要点
一、主要任务
(一)交通
1.建设朱家角站周边接驳道路，推进淀山湖岸线修复，推进蓝湾产业园建设，推进金岚湾产业园建设。
"""
OPTIONS = {"min_delay": 0.0, "max_retries": 1, "backoff_s": 0.01, "timeout": 2.0, "proxies": {}}


@pytest.fixture
def plan(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text(PLAN, encoding="utf-8")
    return p


def test_offline_results_kept_when_the_provider_is_down(plan, server, tmp_path, gazetteer):
    server.default = Reply(503, "down")
    coder = get_geocoder("nominatim", base_url=server.url, **OPTIONS)
    result = build([plan], tmp_path / "out", gazetteer=gazetteer, geocoder=coder)
    feats = result.layers.features
    assert {"淀山湖", "朱家角站"} <= set(feats[feats["located"]]["name"])
    failure = result.online_failure
    assert failure["provider"] == "nominatim" and failure["failure"]
    names = [n["name"] for n in failure["names"]]
    assert {"蓝湾产业园", "金岚湾产业园"} <= set(names)
    assert sum("not asked" in n["reason"] for n in failure["names"]) == len(names) - 1
    assert len(server.requests) == OPTIONS["max_retries"] + 1  # one round of retries, not one per name
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert [n["name"] for n in report["online_failure"]["names"]] == names


@pytest.fixture
def cli_geocoder(monkeypatch, server):
    """The CLI's provider pointed at the local server; records what the CLI passed."""
    real = get_geocoder
    passed: dict = {}

    def pointed(name, **kw):
        passed.update(kw)
        return real(name, **{**kw, "base_url": server.url, **OPTIONS})

    monkeypatch.setattr(online_pkg, "get_geocoder", pointed)
    return passed


def test_cli_writes_offline_results_and_exits_6(plan, tmp_path, server, cli_geocoder, gazetteer):
    server.default = Reply(503, "down")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(out), "--geocoder", "nominatim"])
    assert res.exit_code == 6, res.output
    errors = [ln for ln in res.output.splitlines() if ln.startswith("geoplan: error:")]
    assert len(errors) == 1 and "offline results were written" in errors[0]
    assert "Traceback" not in res.output
    feats = json.loads((out / "layers" / "features.geojson").read_text(encoding="utf-8"))["features"]
    assert any(f["properties"]["name"] == "淀山湖" and f["properties"]["located"] for f in feats)


def test_cli_uses_the_sqlite_cache(plan, tmp_path, server, cli_geocoder, gazetteer, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("GEOPLAN_CACHE", str(cache))
    server.default = Reply(200, [])  # the provider knows none of them: an answer, cached too
    for _ in range(2):
        res = CliRunner().invoke(main, ["build", str(plan), "--out", str(tmp_path / "out"), "--geocoder", "nominatim"])
        assert res.exit_code == 0, res.output
        if _ == 0:
            asked = len(server.requests)
    assert asked >= 2 and len(server.requests) == asked  # the second run asked nothing
    assert str(cli_geocoder["cache_dir"]) == str(cache)
    assert (cache / CACHE_FILENAME).is_file()


def test_corrupt_cache_is_moved_aside_and_rebuilt(tmp_path, caplog):
    (tmp_path / CACHE_FILENAME).write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        cache = GeocodeCache(tmp_path)
    assert "moved aside" in caplog.text
    assert len(list(tmp_path.glob(f"{CACHE_FILENAME}.corrupt-*"))) == 1
    cache.put("nominatim", "西湖", None, "西湖", [Candidate(*WEST_LAKE, "EPSG:4326", "西湖")])
    assert cache.get("nominatim", "西湖", None)[0].address == "西湖"


def test_unreadable_answer_is_asked_again(tmp_path, caplog):
    cache = GeocodeCache(tmp_path)
    cache.put("nominatim", "西湖", None, "西湖", [Candidate(*WEST_LAKE, "EPSG:4326", "西湖")])
    cache.close()
    with sqlite3.connect(tmp_path / CACHE_FILENAME) as conn:
        conn.execute("UPDATE results SET raw = '{not json'")
    with caplog.at_level(logging.WARNING):
        assert GeocodeCache(tmp_path).get("nominatim", "西湖", None) is None
    assert "asking again" in caplog.text
