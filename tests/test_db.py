import shutil
import subprocess

import pytest

from archive_analyzer.db.database import Database, libpq_url
from archive_analyzer.db.migrate import available_migrations, migrate, schema_version
from archive_analyzer.errors import DatabaseError


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
