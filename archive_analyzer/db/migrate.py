"""Numbered migrations from sql/migrations, each applied once and recorded.

A migration runs in one transaction together with its record, so a failed migration leaves
nothing half-applied, and an advisory lock keeps two processes from migrating at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import sql_dir

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 7_201_100_001  # advisory lock id reserved for migrations

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations(folder: Path | None = None) -> list[Migration]:
    folder = folder or sql_dir() / "migrations"
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name} must be named NNNN_description.sql")
        found.append(Migration(int(match.group(1)), path.name, path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"two migrations share a number in {folder}")
    return found


def applied_versions(db: Database) -> dict[int, str]:
    with db.connect() as conn:
        conn.execute(_BOOKKEEPING)
        rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    return {row["version"]: row["checksum"] for row in rows}


def migrate(db: Database) -> list[Migration]:
    """Apply every pending migration; return those applied (empty when up to date)."""
    applied: list[Migration] = []
    with db.connect() as conn:
        conn.execute(_BOOKKEEPING)
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        done = {
            row["version"]
            for row in conn.execute("SELECT version FROM schema_migrations").fetchall()
        }
        for migration in available_migrations():
            if migration.version in done:
                continue
            conn.execute(migration.sql)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.checksum),
            )
            applied.append(migration)
    return applied


def schema_version(db: Database) -> int:
    versions = applied_versions(db)
    return max(versions) if versions else 0


def require_current(db: Database) -> None:
    """Fail with a clear message when the database lags behind the code's migrations."""
    from archive_analyzer.errors import DatabaseError

    latest = max((m.version for m in available_migrations()), default=0)
    current = schema_version(db)
    if current < latest:
        raise DatabaseError(
            f"database schema is at version {current}, code needs {latest}: "
            "run `archive-analyzer db migrate`"
        )
