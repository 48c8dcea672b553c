"""The overlap guard: one live run per collection, and no run left "running" after it died.

A run holds a session-level PostgreSQL advisory lock keyed by its collection for its whole
life, on a connection of its own. PostgreSQL releases the lock when that session ends, however
the process ended (SIGKILL included), so:
- a second run over the same collection fails to take the lock and stops at once;
- a run that takes the lock knows every run of that collection still marked "running" is dead
  and marks it interrupted;
- anyone can tell a dead run from a live one: a live run's session (runs.backend_pid) holds an
  advisory lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row

from archive_analyzer.db.database import Database, redact
from archive_analyzer.db.queries import query
from archive_analyzer.errors import CollectionBusyError, DatabaseError


def _busy_message(collection: str, holder: dict | None) -> str:
    who = (
        f"run {holder['id']} (host {holder['host']}, pid {holder['pid']}, "
        f"started {holder['started_at']:%Y-%m-%d %H:%M:%S %Z})"
        if holder
        else "another process"
    )
    return (
        f"collection {collection!r} is already being analysed by {who}; "
        "this run exits without doing anything (exit code 75)"
    )


@contextmanager
def collection_lock(db: Database, collection: str) -> Iterator[psycopg.Connection]:
    """Hold the collection's lock; yields the lock's session (record the run on it)."""
    try:
        conn = psycopg.connect(db.url, autocommit=True, row_factory=dict_row)
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to {redact(db.url)}: {exc}") from exc
    try:
        # As start_run stores it: a source URI with a key in it is kept redacted.
        params = {"collection": redact(collection)}
        if not conn.execute(query("try_collection_lock"), params).fetchone()["locked"]:
            holder = conn.execute(query("running_run"), params).fetchone()
            raise CollectionBusyError(_busy_message(params["collection"], holder))
        conn.execute(query("interrupt_runs_of_collection"), params)
        yield conn
    finally:
        conn.close()  # ends the session, which releases the lock


def mark_dead_runs(db: Database) -> list[int]:
    """Mark runs whose driver is gone (their session holds no lock) as interrupted."""
    with db.connect(autocommit=True) as conn:
        return [row["id"] for row in conn.execute(query("interrupt_dead_runs")).fetchall()]
