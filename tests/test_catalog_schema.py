"""The schema dump in sql/ equals what the migrations build; roles keep catalogers read-only."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from archive_analyzer.db.queries import sql_dir
from archive_analyzer.db.roles import READER_PASSWORD_ENV, WRITER_PASSWORD_ENV, create_roles
from archive_analyzer.db.schema import dump_schema, load_schema
from tests.catalog_data import insert_works
from tests.conftest import TEMPLATE

REGENERATE = "run `archive-analyzer db dump-schema > sql/schema.sql` and commit it"


def test_schema_dump_equals_the_schema_all_migrations_build(pg_admin_url):
    migrated = dump_schema(pg_admin_url.replace("/postgres?", f"/{TEMPLATE}?"))
    kept = (sql_dir() / "schema.sql").read_text()
    assert migrated == kept, f"sql/schema.sql is stale: {REGENERATE}"


def test_a_database_built_from_the_dump_is_the_same_schema(pg_admin_url):
    name = "schema_" + uuid.uuid4().hex[:8]
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = pg_admin_url.replace("/postgres?", f"/{name}?")
    try:
        kept = (sql_dir() / "schema.sql").read_text()
        load_schema(url, kept)
        assert dump_schema(url) == kept
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def roles(db, pg_admin_url, monkeypatch):
    suffix = uuid.uuid4().hex[:8]
    writer, reader, cataloger = f"writer_{suffix}", f"reader_{suffix}", f"cataloger_{suffix}"
    monkeypatch.setenv(READER_PASSWORD_ENV, "s3cret-reader")
    monkeypatch.setenv(WRITER_PASSWORD_ENV, "s3cret-writer")
    lines = create_roles(db, writer, reader, cataloger)
    yield writer, reader, lines
    with psycopg.connect(db.url, autocommit=True) as conn:
        for role in (writer, reader, cataloger):
            conn.execute(f"DROP OWNED BY {role}")
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for role in (writer, reader, cataloger):
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_reader_can_search_and_read_views_but_cannot_write(db, roles):
    writer, reader, lines = roles
    insert_works(db)
    assert not any("s3cret" in line for line in lines)
    assert f"reader role {reader}: created, password set" in lines
    with psycopg.connect(db.url, user=reader, password="s3cret-reader", autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM catalog_artworks").fetchone()[0] == 5
        found = conn.execute("SELECT object_id FROM catalog_search_fuzzy('Turner')").fetchall()
        assert {r[0] for r in found} == {"T1", "T2"}
        for statement in (
            "SELECT * FROM analyses",
            "INSERT INTO artworks (object_id) VALUES ('x')",
            "UPDATE artworks SET title = 'x'",
            "DELETE FROM palette_colors",
            "TRUNCATE analysis_structure",
            "CREATE TABLE mine (x int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM artworks").fetchone()["count"] == 5


def test_writer_writes_tables_but_changes_no_schema(db, roles):
    writer, _, _ = roles
    with psycopg.connect(db.url, user=writer, password="s3cret-writer", autocommit=True) as conn:
        conn.execute("INSERT INTO runs (collection, source_uri) VALUES ('c', 's')")
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE runs")


def test_dump_schema_and_roles_commands(db, capsys, monkeypatch):
    from archive_analyzer.cli import main

    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", db.url)
    assert main(["db", "dump-schema"]) == 0
    assert capsys.readouterr().out == (sql_dir() / "schema.sql").read_text()
    suffix = uuid.uuid4().hex[:8]
    monkeypatch.setenv("ARCHIVE_ANALYZER_WRITER_PASSWORD", "hunter2-writer")
    try:
        names = ["--writer", f"w_{suffix}", "--reader", f"r_{suffix}", "--cataloger", f"c_{suffix}"]
        assert main(["db", "roles", *names]) == 0
        out = capsys.readouterr().out
        assert f"writer role w_{suffix}: created, password set" in out and "hunter2" not in out
        assert f"cataloger role c_{suffix}: created, no password" in out
        assert "warning" not in out  # 0009 revoked the advisory locks
    finally:
        with psycopg.connect(db.url, autocommit=True) as conn:
            for role in (f"w_{suffix}", f"r_{suffix}", f"c_{suffix}"):
                conn.execute(f"DROP OWNED BY {role}")
                conn.execute(f"DROP ROLE {role}")
