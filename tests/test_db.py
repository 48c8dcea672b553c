import hashlib
import shutil
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from archive_analyzer.db.database import Database, libpq_url
from archive_analyzer.db.migrate import (
    MIGRATION_LOCK_KEY,
    SUPERSEDED,
    available_migrations,
    migrate,
    schema_version,
    superseded_checksums,
)
from archive_analyzer.db.queries import sql_dir
from archive_analyzer.db.schema import dump_schema
from archive_analyzer.errors import DatabaseError, MigrationBusyError, MigrationChangedError


def test_migrations_are_recorded_and_applying_twice_changes_nothing(db):
    assert schema_version(db) == max(m.version for m in available_migrations())
    assert migrate(db) == []
    with db.connect() as conn:
        rows = conn.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
    assert [r["name"] for r in rows] == [m.name for m in available_migrations()]


def test_extensions_available(db):
    with db.connect() as conn:
        names = {r["extname"] for r in conn.execute("SELECT extname FROM pg_extension")}
    assert {"vector", "pg_trgm"} <= names


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql client not installed")
def test_psql_accepts_the_url(db):
    out = subprocess.run(
        ["psql", db.url, "-Atc", "select 41 + 1"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "42"


def test_sqlalchemy_style_url_is_accepted():
    assert libpq_url("postgresql+psycopg://u:p@h:5433/d") == "postgresql://u:p@h:5433/d"


def test_unreachable_database_gives_clear_error():
    with pytest.raises(DatabaseError, match="cannot connect") as err:
        with Database("postgresql://u:hunter2@127.0.0.1:1/x?connect_timeout=2").connect():
            pass
    assert "hunter2" not in str(err.value)


# --- Released migrations are immutable; the migration lock is bounded ---------------------

CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_db(empty_database_url) -> Database:
    return Database(empty_database_url)


@pytest.fixture
def sql_copy(tmp_path, monkeypatch) -> Path:
    """A copy of sql/ that the loader reads instead (ARCHIVE_ANALYZER_SQL_DIR)."""
    copy = tmp_path / "sql"
    shutil.copytree(sql_dir(), copy)
    monkeypatch.setenv("ARCHIVE_ANALYZER_SQL_DIR", str(copy))
    return copy


def test_an_edited_released_migration_is_refused_naming_its_file(db, sql_copy):
    assert migrate(db) == []  # an untouched copy is accepted
    edited = sql_copy / "migrations" / "0003_nightly.sql"
    edited.write_text(edited.read_text().replace("CREATE", "-- edited\nCREATE", 1))
    with pytest.raises(MigrationChangedError, match=r"migration 0003_nightly\.sql was changed"):
        migrate(db)


def test_a_refused_database_gets_no_new_migration(db, sql_copy):
    (sql_copy / "migrations" / "0001_core.sql").write_text("SELECT 1;\n")
    (sql_copy / "migrations" / "0099_more.sql").write_text("CREATE TABLE more (id int);\n")
    with pytest.raises(MigrationChangedError, match="0001_core.sql"):
        migrate(db)
    with db.connect() as conn:
        assert conn.execute("SELECT to_regclass('more') AS t").fetchone()["t"] is None


def _git_show(commit: str, path: str) -> bytes:
    if not (CHECKOUT / ".git").exists():
        pytest.skip("the superseded texts are read from the git history: needs a git checkout")
    return subprocess.run(
        ["git", "-C", str(CHECKOUT), "show", f"{commit}:{path}"], capture_output=True, check=True
    ).stdout


def _superseded_lines() -> list[list[str]]:
    text = (sql_dir() / "migrations" / SUPERSEDED).read_text()
    return [line.split() for line in text.splitlines() if line and not line.startswith("#")]


def test_superseded_checksums_are_the_earlier_texts_in_the_history():
    lines = _superseded_lines()
    assert {(v, f.rsplit("/", 1)[1]) for v, _, _, f in lines} == {
        ("0002", "0002_catalog.sql"),
        ("0006", "0006_fuzzy_names.sql"),
    }
    current = {m.version: m.checksum for m in available_migrations()}
    for version, checksum, commit, path in lines:
        assert hashlib.sha256(_git_show(commit, path)).hexdigest() == checksum
        assert checksum != current[int(version)]
    assert superseded_checksums() == {
        2: {line[1] for line in lines if line[0] == "0002"},
        6: {line[1] for line in lines if line[0] == "0006"},
    }


@pytest.mark.parametrize(
    ("catalog_commit", "search_migration"),
    [
        ("7abf231", ("34e0400", "0006_fuzzy_names.sql")),  # the first texts of both
        ("6ff983c", None),  # a later 0002, migrated before 0006 existed
    ],
)
def test_a_database_built_from_earlier_texts_is_accepted_and_ends_with_the_current_schema(
    empty_db, tmp_path, monkeypatch, catalog_commit, search_migration
):
    released = tmp_path / "released"
    shutil.copytree(sql_dir(), released)
    migrations = released / "migrations"
    for later in migrations.glob("*.sql"):  # what came after the released texts
        if int(later.name[:4]) >= 6:
            later.unlink()
    catalog = _git_show(catalog_commit, "sql/migrations/0002_catalog.sql")
    (migrations / "0002_catalog.sql").write_bytes(catalog)
    if search_migration:
        commit, name = search_migration
        (migrations / name).write_bytes(_git_show(commit, f"sql/migrations/{name}"))
    monkeypatch.setenv("ARCHIVE_ANALYZER_SQL_DIR", str(released))
    migrate(empty_db)
    assert dump_schema(empty_db.url) != (sql_dir() / "schema.sql").read_text()

    monkeypatch.delenv("ARCHIVE_ANALYZER_SQL_DIR")
    applied = [m.name for m in migrate(empty_db)]
    expected = [m.name for m in available_migrations() if m.version >= 7]
    assert applied == (expected if search_migration else ["0006_search_speed.sql", *expected])
    assert dump_schema(empty_db.url) == (sql_dir() / "schema.sql").read_text()
    assert migrate(empty_db) == []


@pytest.mark.timeout(60)
def test_a_held_migration_lock_gives_a_clear_error_instead_of_a_hang(db):
    with psycopg.connect(db.url, autocommit=True) as holder:
        pid = holder.execute("SELECT pg_backend_pid()").fetchone()[0]
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        started = time.monotonic()
        with pytest.raises(MigrationBusyError, match="another process is migrating") as err:
            migrate(db, lock_timeout_s=0.5)
        assert time.monotonic() - started < 10
        assert f"pid {pid}" in str(err.value) and "holds the migration lock" in str(err.value)
        assert err.value.exit_code == 75
    assert migrate(db, lock_timeout_s=0.5) == []  # the holder's session ended: free again
