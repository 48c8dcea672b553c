"""Numbered migrations from sql/migrations, each applied once, recorded, and never edited.

A migration runs in one transaction together with its record, so a failed migration leaves
nothing half-applied, and an advisory lock keeps two processes from migrating at once. Each
recorded checksum is compared with the file: a released migration that changed is refused,
except for the earlier texts listed, with their commits, in sql/migrations/superseded.txt.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import sql_dir
from archive_analyzer.errors import DatabaseError, MigrationBusyError, MigrationChangedError

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
MIGRATION_LOCK_KEY = 7_201_100_001  # advisory lock id reserved for migrations
SUPERSEDED = "superseded.txt"
# Long enough for another process's migrations on a large catalog, short enough that a
# stuck holder shows up as an error instead of a command that never returns.
LOCK_TIMEOUT_S = 60.0

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""

_LOCK_HOLDER = """
SELECT l.pid, a.application_name, a.backend_start
FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND (l.classid::bigint << 32 | l.objid::bigint) = %s
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def migrations_dir() -> Path:
    return sql_dir() / "migrations"


def available_migrations(folder: Path | None = None) -> list[Migration]:
    folder = folder or migrations_dir()
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


def superseded_checksums(folder: Path | None = None) -> dict[int, set[str]]:
    """Checksums of released texts edited before migrations were frozen, by version."""
    path = (folder or migrations_dir()) / SUPERSEDED
    accepted: dict[int, set[str]] = {}
    if not path.is_file():
        return accepted
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) != 4 or not re.fullmatch(r"\d{4}", fields[0]):
            raise ValueError(f"{path}:{number}: expected `NNNN SHA256 COMMIT FILE`, got {line!r}")
        accepted.setdefault(int(fields[0]), set()).add(fields[1])
    return accepted


def check_released(
    available: list[Migration], applied: dict[int, dict], superseded: dict[int, set[str]]
) -> None:
    """Refuse when a migration this database applied differs from its file now."""
    for migration in available:
        row = applied.get(migration.version)
        if row is None or row["checksum"] == migration.checksum:
            continue
        if row["checksum"] in superseded.get(migration.version, set()):
            continue
        raise MigrationChangedError(
            f"migration {migration.name} was changed after this database applied it "
            f"(as {row['name']}, sha256 {row['checksum'][:12]}; the file now has "
            f"{migration.checksum[:12]}). Released migrations are immutable: restore the file "
            "and put the change in a new numbered migration"
        )


def applied_versions(db: Database) -> dict[int, str]:
    with db.connect() as conn:
        conn.execute(_BOOKKEEPING)
        rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    return {row["version"]: row["checksum"] for row in rows}


def _take_lock(conn: psycopg.Connection, timeout_s: float) -> None:
    """The migration lock for this transaction, or MigrationBusyError after timeout_s."""
    previous = conn.execute("SELECT current_setting('lock_timeout') AS v").fetchone()["v"]
    conn.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(timeout_s * 1000)}ms",))
    try:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
    except psycopg.errors.LockNotAvailable:
        conn.rollback()
        holder = conn.execute(_LOCK_HOLDER, (MIGRATION_LOCK_KEY,)).fetchone()
        raise MigrationBusyError(
            f"another process is migrating this database: {_describe(holder)} holds the "
            f"migration lock, still after {timeout_s:g} s; try again when it has finished"
        ) from None
    # Only the wait for the lock is bounded; the migrations themselves keep the usual setting.
    conn.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))


def _describe(holder: dict | None) -> str:
    if holder is None:
        return "a session that has just released it"
    name = holder["application_name"] or "unnamed client"
    since = holder["backend_start"]
    started = f", connected since {since:%Y-%m-%d %H:%M:%S %Z}" if since else ""
    return f"PostgreSQL backend pid {holder['pid']} ({name}{started})"


def migrate(db: Database, lock_timeout_s: float = LOCK_TIMEOUT_S) -> list[Migration]:
    """Apply every pending migration; return those applied (empty when up to date)."""
    available, superseded = available_migrations(), superseded_checksums()
    applied: list[Migration] = []
    with db.connect() as conn:
        _take_lock(conn, lock_timeout_s)
        conn.execute(_BOOKKEEPING)
        rows = conn.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
        done = {row["version"]: row for row in rows}
        check_released(available, done, superseded)
        for migration in available:
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
    latest = max((m.version for m in available_migrations()), default=0)
    current = schema_version(db)
    if current < latest:
        raise DatabaseError(
            f"database schema is at version {current}, code needs {latest}: "
            "run `archive-analyzer db migrate`"
        )
