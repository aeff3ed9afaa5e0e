"""PostGIS: the layers in a database schema a planning bureau's GIS server can share.

``geoplan export LAYERS --to postgresql://user@host/db`` writes the three
tables (``features``, ``mentions``, ``unresolved``) into a schema (default
``geoplan``), with primary keys, SRID 4326 and a GIST index on the geometry,
and the ``entities`` table: every place once across every plan in the schema
(:func:`geoplan.io.entities.merge_entities`, as in the GeoPackage).

Re-running is safe and incremental.  Each table is first loaded into a staging
table with geopandas' ``to_postgis``; then, in the same transaction, the rows of
every plan (``doc``) being exported, and any row with a staged key, are deleted
from the target and the staged rows inserted.  So exporting plan A and then
plans A and B leaves A once (its latest version, features it no longer names
gone) and B beside it, and a reader never sees a half-replaced plan: either the
old rows or the new ones.  ``entities`` spans plans, so it is recomputed from
the whole ``features`` table at the end of the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geoplan.errors import ExportError, redact_credentials
from geoplan.io.schema import coerce_layers
from geoplan.output.tables import OutputTables

DEFAULT_SCHEMA = "geoplan"


@dataclass(frozen=True)
class TableSpec:
    """How one table of the layers is keyed in the database."""

    name: str
    key: tuple[str, ...]
    spatial: bool = False


TABLES: tuple[TableSpec, ...] = (
    TableSpec("features", ("id",), spatial=True),
    TableSpec("mentions", ("feature_id", "start", "end")),
    TableSpec("unresolved", ("feature_id",)),
)


def sqlalchemy_url(url: str):
    """``postgresql://…`` with an installed driver named.

    SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3; geoplan depends on
    psycopg2 (the binary wheel), so a URL without a driver gets whichever of
    the two is installed, psycopg2 first.  An explicit ``postgresql+driver://``
    is kept as given.
    """
    import importlib.util

    from sqlalchemy.engine import make_url

    u = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    if u.drivername == "postgresql":
        for module, driver in (("psycopg2", "psycopg2"), ("psycopg", "psycopg")):
            if importlib.util.find_spec(module) is not None:
                return u.set(drivername=f"postgresql+{driver}")
    return u


def engine_for(url: str):
    """A SQLAlchemy engine for ``url`` (see :func:`sqlalchemy_url`).

    A URL SQLAlchemy cannot use (a port that is not a number, a driver that is
    not installed) is an :class:`ExportError` whose message shows the URL
    without its password.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        return create_engine(sqlalchemy_url(url))
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:
        raise ExportError(f"{_safe(url)}: not a usable database URL: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    """The driver's own message, first line only (SQLAlchemy appends the SQL and a link)."""
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    return redact_credentials(lines[0] if lines else exc.__class__.__name__)


def _frames(layers: OutputTables) -> dict[str, pd.DataFrame]:
    feats = layers.features
    if feats.geometry.name != "geometry":
        feats = feats.rename_geometry("geometry")
    return {"features": feats, "mentions": layers.mentions, "unresolved": layers.unresolved}


def write_postgis(layers: OutputTables, url: str, schema: str = DEFAULT_SCHEMA) -> dict[str, int]:
    """Write (or update, plan by plan) the layers into ``schema``; returns rows written per table."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    engine = engine_for(url)
    counts: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            q = conn.dialect.identifier_preparer.quote
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {q(schema)}"))
            frames = _frames(layers)
            # the plans of the export: their rows go in every table, even where the
            # new build has none left (plan A no longer has unresolved names)
            docs = sorted({str(d) for d in layers.features["doc"]})
            for spec in TABLES:
                counts[spec.name] = _upsert(conn, schema, spec, frames[spec.name], docs, q)
            counts["entities"] = _rebuild_entities(conn, schema, q)
    except SQLAlchemyError as exc:
        raise ExportError(f"{_safe(url)}: cannot write PostGIS schema {schema!r}: {_first_line(exc)}") from exc
    finally:
        engine.dispose()
    return counts


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown with any password masked
        return redact_credentials(url)


def _upsert(conn, schema: str, spec: TableSpec, df: pd.DataFrame, docs: list[str], q) -> int:
    from sqlalchemy import inspect, text

    stage = f"_stage_{spec.name}"
    target = f"{q(schema)}.{q(spec.name)}"
    staged = f"{q(schema)}.{q(stage)}"
    if isinstance(df, gpd.GeoDataFrame):
        df.to_postgis(stage, conn, schema=schema, if_exists="replace", index=False)
    else:
        pd.DataFrame(df).to_sql(stage, conn, schema=schema, if_exists="replace", index=False)
    cols = [c for c in df.columns]
    col_list = ", ".join(q(c) for c in cols)
    if not inspect(conn).has_table(spec.name, schema=schema):
        conn.execute(text(f"CREATE TABLE {target} (LIKE {staged} INCLUDING DEFAULTS)"))
        if spec.spatial:
            # a later build may mix geometry types the first one did not have
            conn.execute(text(f"ALTER TABLE {target} ALTER COLUMN geometry TYPE geometry(Geometry, 4326)"))
            conn.execute(text(f"CREATE INDEX {q(spec.name + '_geometry_gist')} ON {target} USING GIST (geometry)"))
        key = ", ".join(q(c) for c in spec.key)
        conn.execute(text(f"ALTER TABLE {target} ADD CONSTRAINT {q(spec.name + '_pkey')} PRIMARY KEY ({key})"))
    conn.execute(text(f"LOCK TABLE {target} IN EXCLUSIVE MODE"))
    key_match = " AND ".join(f"t.{q(c)} = s.{q(c)}" for c in spec.key)
    conn.execute(
        text(
            f"DELETE FROM {target} t WHERE t.{q('doc')} = ANY(:docs) "
            f"OR EXISTS (SELECT 1 FROM {staged} s WHERE {key_match})"
        ),
        {"docs": docs},
    )
    result = conn.execute(text(f"INSERT INTO {target} ({col_list}) SELECT {col_list} FROM {staged}"))
    conn.execute(text(f"DROP TABLE {staged}"))
    return int(result.rowcount)


def _rebuild_entities(conn, schema: str, q) -> int:
    """Replace ``entities`` with the merge of every plan now in ``features`` (same transaction)."""
    from sqlalchemy import text

    from geoplan.io.entities import merge_entities

    target = f"{q(schema)}.{q('entities')}"
    feats = gpd.read_postgis(text(f"SELECT * FROM {q(schema)}.{q('features')} ORDER BY {q('doc')}, {q('id')}"),
                             conn, geom_col="geometry")
    layers = coerce_layers(feats, None, None)
    merged = merge_entities(layers)
    conn.execute(text(f"DROP TABLE IF EXISTS {target}"))
    merged.to_postgis("entities", conn, schema=schema, if_exists="replace", index=False)
    conn.execute(text(f"ALTER TABLE {target} ALTER COLUMN geometry TYPE geometry(Geometry, 4326)"))
    conn.execute(text(f"ALTER TABLE {target} ADD CONSTRAINT {q('entities_pkey')} PRIMARY KEY ({q('entity_id')})"))
    conn.execute(text(f"CREATE INDEX {q('entities_geometry_gist')} ON {target} USING GIST (geometry)"))
    return len(merged)


def read_entities(url: str, schema: str = DEFAULT_SCHEMA) -> gpd.GeoDataFrame:
    """The ``entities`` table: every place once, across the plans exported into ``schema``."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            q = conn.dialect.identifier_preparer.quote
            return gpd.read_postgis(text(f"SELECT * FROM {q(schema)}.{q('entities')} ORDER BY {q('entity_id')}"),
                                    conn, geom_col="geometry")
    except (SQLAlchemyError, pd.errors.DatabaseError) as exc:
        raise ExportError(f"{_safe(url)}: cannot read PostGIS schema {schema!r}: {_first_line(exc)}") from exc
    finally:
        engine.dispose()


def read_postgis(url: str, schema: str = DEFAULT_SCHEMA, docs: Sequence[str] | None = None) -> OutputTables:
    """The layers stored in ``schema`` (optionally only some plans), in the schema's types."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            q = conn.dialect.identifier_preparer.quote
            if conn.execute(text("SELECT to_regclass(:t)"), {"t": f"{q(schema)}.{q('features')}"}).scalar() is None:
                raise ExportError(f"{_safe(url)}: schema {schema!r} holds no geoplan layers (no table 'features'); "
                                  "give the schema of an export with --from-schema")
            where, params = "", {}
            if docs:
                where, params = f" WHERE {q('doc')} = ANY(:docs)", {"docs": list(docs)}
            feats = gpd.read_postgis(
                text(f"SELECT * FROM {q(schema)}.{q('features')}{where} ORDER BY {q('doc')}, {q('id')}"),
                conn, geom_col="geometry", params=params,
            )
            m = pd.read_sql(text(f"SELECT * FROM {q(schema)}.{q('mentions')}{where} ORDER BY {q('doc')}, {q('feature_id')}, {q('start')}"), conn, params=params)
            u = pd.read_sql(text(f"SELECT * FROM {q(schema)}.{q('unresolved')}{where} ORDER BY {q('doc')}, {q('feature_id')}"), conn, params=params)
    except (SQLAlchemyError, pd.errors.DatabaseError) as exc:
        raise ExportError(f"{_safe(url)}: cannot read PostGIS schema {schema!r}: {_first_line(exc)}") from exc
    finally:
        engine.dispose()
    return coerce_layers(feats, m, u)
