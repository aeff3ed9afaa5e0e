"""PostGIS export against a real, throwaway PostgreSQL server.

The fixture runs Debian's own binaries (``initdb``, ``pg_ctl``) in a temporary
folder on a free localhost port, creates the postgis extension and stops the
server at teardown.  As root the server must run as the ``postgres`` user.
Without the binaries the tests skip, except in CI (env ``CI`` set) where a
missing database is a failure, not a reason to go green.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from geoplan.io import export, read_layers
from geoplan.io.postgis import engine_for, read_entities, read_postgis, write_postgis

from test_export import DOC_A, DOC_B, plan_features, plan_layers

pytestmark = pytest.mark.postgis


def _pg_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        b = Path(candidate)
        if (b / "initdb").is_file() and (b / "pg_ctl").is_file():
            return b
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="module")
def pg_url(postgis_available):
    """A fresh PostgreSQL + PostGIS on 127.0.0.1; yields its SQLAlchemy URL."""
    bindir = _pg_bin()
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        if os.environ.get("CI"):
            pytest.fail("running as root without runuser (CI must run the PostGIS tests)", pytrace=False)
        pytest.skip("running as root without runuser")
    tmp = Path(tempfile.mkdtemp(prefix="geoplan-pg-"))
    data = tmp / "data"
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                    "-E", "UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True, env=env)
    opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(tmp / "log"),
                                    "-w", "-t", "60", "start"]),
                   check=True, capture_output=True, env=env)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        from sqlalchemy import text

        engine = engine_for(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
        yield url
    finally:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, env=env)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def db(pg_url):
    """A connection for checks; every test starts from an empty ``geoplan`` schema."""
    from sqlalchemy import text

    engine = engine_for(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS geoplan CASCADE"))
        conn.execute(text("DROP SCHEMA IF EXISTS bureau CASCADE"))
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def test_missing_extension_named_in_one_line(tmp_path):
    """A server without the extension package: the check names the package for its major version."""
    from conftest import postgis_missing

    initdb = tmp_path / "usr/lib/postgresql/16/bin/initdb"
    initdb.parent.mkdir(parents=True)
    initdb.write_text("")
    msg = postgis_missing(tmp_path)
    assert msg is not None and "\n" not in msg and "apt-get install postgresql-16-postgis-3" in msg
    control = tmp_path / "usr/share/postgresql/16/extension/postgis.control"
    control.parent.mkdir(parents=True)
    control.write_text("")
    assert postgis_missing(tmp_path) is None
    assert "apt-get install postgresql" in postgis_missing(tmp_path / "empty")


def scalar(conn, sql: str, **params):
    from sqlalchemy import text

    return conn.execute(text(sql), params).scalar()


def counts(conn, schema: str = "geoplan") -> dict[str, int]:
    return {t: scalar(conn, f'SELECT count(*) FROM "{schema}"."{t}"') for t in ("features", "mentions", "unresolved")}


def test_tables_counts_srid_keys_and_gist(pg_url, db):
    layers = plan_layers()
    rows = write_postgis(layers, pg_url)
    entities = rows.pop("entities")
    assert rows == {"features": 9, "mentions": len(layers.mentions), "unresolved": 2}
    assert counts(db) == rows
    assert entities == layers.features["entity_id"].nunique() == scalar(db, "SELECT count(*) FROM geoplan.entities")
    assert scalar(db, "SELECT Find_SRID('geoplan', 'features', 'geometry')") == 4326
    assert scalar(db, "SELECT count(*) FROM geoplan.features WHERE ST_SRID(geometry) <> 4326") == 0
    assert scalar(db, "SELECT count(*) FROM geoplan.features WHERE geometry IS NULL") == 2
    assert scalar(db, "SELECT type FROM geometry_columns WHERE f_table_schema='geoplan' AND f_table_name='features'") == "GEOMETRY"
    gist = scalar(db, "SELECT indexdef FROM pg_indexes WHERE schemaname='geoplan' AND tablename='features' AND indexdef ILIKE '%gist%'")
    assert gist and "(geometry)" in gist
    pkeys = dict(db.exec_driver_sql(
        "SELECT tc.table_name, string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) "
        "FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu "
        "ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema "
        "WHERE tc.table_schema = 'geoplan' AND tc.constraint_type = 'PRIMARY KEY' GROUP BY tc.table_name"
    ).fetchall())
    assert pkeys == {"features": "id", "mentions": "feature_id,start,end", "unresolved": "feature_id",
                     "entities": "entity_id"}
    assert scalar(db, "SELECT data_type FROM information_schema.columns WHERE table_schema='geoplan' "
                      "AND table_name='features' AND column_name='located'") == "boolean"
    assert scalar(db, "SELECT name FROM geoplan.features WHERE name = '淀山湖' LIMIT 1") == "淀山湖"
    # no staging table is left behind
    assert scalar(db, "SELECT count(*) FROM pg_tables WHERE schemaname='geoplan' AND tablename LIKE '\\_stage%'") == 0


def test_reexport_is_idempotent_and_replaces_changed_values(pg_url, db):
    layers = plan_layers()
    write_postgis(layers, pg_url)
    first = counts(db)
    write_postgis(layers, pg_url)
    assert counts(db) == first
    # the plan changes: a value is corrected and a name disappears from plan 000
    changed = plan_features()
    for f in changed:
        if f.name == "西岑站":
            f.location.reason = "corrected by review"
    changed = [f for f in changed if f.name != "水乡客厅配套工程"]
    from geoplan.output.tables import build_tables

    write_postgis(build_tables(changed), pg_url)
    assert scalar(db, "SELECT reason FROM geoplan.features WHERE name = '西岑站'") == "corrected by review"
    assert scalar(db, "SELECT count(*) FROM geoplan.features WHERE name = '水乡客厅配套工程'") == 0
    assert counts(db)["features"] == first["features"] - 1
    assert counts(db)["unresolved"] == first["unresolved"] - 1


def test_one_plan_at_a_time_keeps_the_other(pg_url, db):
    from geoplan.io.entities import split_by_plan

    parts = split_by_plan(plan_layers())
    write_postgis(parts[DOC_A], pg_url, schema="bureau")
    write_postgis(parts[DOC_B], pg_url, schema="bureau")
    write_postgis(parts[DOC_A], pg_url, schema="bureau")
    assert counts(db, "bureau")["features"] == 9
    back = read_postgis(pg_url, schema="bureau", docs=[DOC_B])
    assert sorted(back.features["name"]) == ["张江科学城", "某新城综合体", "淀山湖"]
    # entities span the plans exported one at a time: as merged in one GeoPackage export
    from geoplan.io.entities import merge_entities

    ents = read_entities(pg_url, schema="bureau").set_index("entity_id").sort_index()
    expected = merge_entities(plan_layers()).set_index("entity_id").sort_index()
    assert list(ents.index) == list(expected.index)
    for col in ("name", "plans", "docs", "themes", "mentions", "precision", "task_ids"):
        assert list(ents[col]) == list(expected[col]), col
    lake = ents[ents["name"] == "淀山湖"].iloc[0]
    assert lake["plans"] == 2 and DOC_A in lake["docs"] and DOC_B in lake["docs"]
    assert scalar(db, "SELECT Find_SRID('bureau', 'entities', 'geometry')") == 4326
    # exporting plan B alone again leaves A's share of the merged rows intact
    write_postgis(parts[DOC_B], pg_url, schema="bureau")
    assert read_entities(pg_url, schema="bureau")["plans"].max() == 2


def test_cli_export_to_postgis_and_read_back(pg_url, db, tmp_path):
    from click.testing import CliRunner

    from geoplan.cli import main

    gpkg = tmp_path / "plan.gpkg"
    layers = plan_layers()
    export(layers, gpkg)
    for _ in range(2):
        res = CliRunner().invoke(main, ["export", str(gpkg), "--to", pg_url, "--schema", "geoplan"])
        assert res.exit_code == 0, res.output
    assert counts(db)["features"] == 9
    back = read_layers(pg_url)
    assert back.features.crs.to_epsg() == 4326
    a = back.features.set_index("id").sort_index()
    b = layers.features.set_index("id").sort_index()
    assert (a["themes"] == b["themes"]).all() and (a["located"] == b["located"]).all()
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=1e-9)[b["located"]].all()


def test_unreachable_server_is_an_export_error(tmp_path):
    from geoplan.errors import ExportError

    port = _free_port()  # nothing listens there
    with pytest.raises(ExportError, match="cannot write PostGIS"):
        write_postgis(plan_layers(), f"postgresql://nobody:secret@127.0.0.1:{port}/x")


def test_unknown_from_schema_is_one_line_exit_7(pg_url, db, tmp_path):
    """Reproducer (issue 19): ``--from-schema nosuch`` gave a traceback and exit 1."""
    from click.testing import CliRunner

    from geoplan.cli import main

    res = CliRunner().invoke(main, ["export", pg_url, "--from-schema", "nosuch", "--to", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 7, res.output
    assert "nosuch" in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
