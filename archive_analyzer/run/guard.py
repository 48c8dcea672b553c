"""The overlap guard: one live run per collection, and no run left "running" after it died.

A run holds a session-level PostgreSQL advisory lock keyed by its collection for its whole
life, on a connection of its own. PostgreSQL releases the lock when that session ends, however
the process ended (SIGKILL included), so:
- a second run over the same collection fails to take the lock and stops at once;
- a run that takes the lock knows every run of that collection still marked "running" is dead
  and marks it interrupted;
- anyone can tell a dead run from a live one: a live run's session (runs.backend_pid) holds an
  advisory lock.

A database restart or failover ends that session while the run's workers go on. So the run
also holds a lease row with a fencing token (collection_leases, claimed after start_run): the
driver renews it between blocks, re-taking the lock on a new session after a loss, and the sink
checks the token in each write transaction. When a later run took the collection meanwhile,
both raise LeaseLost and the run stops as interrupted; two runs never both write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row

from archive_analyzer.db.database import Database, redact
from archive_analyzer.db.queries import query
from archive_analyzer.db.resilience import LOST_CONNECTION, retry_lost_connection
from archive_analyzer.errors import CollectionBusyError, DatabaseError, LeaseLost
from archive_analyzer.redact import redact as redact_text


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


class CollectionLock:
    """The collection's lock session, and once the run is recorded, its lease."""

    def __init__(self, db: Database, collection: str) -> None:
        self.db, self.collection = db, collection
        self.conn: psycopg.Connection | None = None
        self.run_id: int | None = None
        self.token: int | None = None  # the lease's fencing token, once claimed

    def acquire(self) -> None:
        """Take the lock or raise CollectionBusyError; mark this collection's dead runs."""
        self.conn = self._connect()
        params = {"collection": self.collection}
        if not self.conn.execute(query("try_collection_lock"), params).fetchone()["locked"]:
            holder = self.conn.execute(query("running_run"), params).fetchone()
            raise CollectionBusyError(_busy_message(self.collection, holder))
        self.conn.execute(query("interrupt_runs_of_collection"), params)

    def claim(self, run_id: int) -> int:
        """This run owns the collection now: a new token fences off every earlier owner."""
        params = {"collection": self.collection, "run_id": run_id}
        self.token = self.conn.execute(query("claim_lease"), params).fetchone()["token"]
        self.run_id = run_id
        return self.token

    def renew(self) -> None:
        """Before more work: the lease is still ours. A lost lock session (restart, failover)
        is replaced and the lock re-taken; raises LeaseLost when another run has it."""
        try:
            if self.conn is None:
                raise psycopg.InterfaceError("the lock's session was closed")
            self._renew_on(self.conn)
        except LOST_CONNECTION:
            retry_lost_connection(self._retake, self.close)

    def _retake(self) -> None:
        self.close()  # a connect refused here is retried: the server may still be starting
        self.conn = psycopg.connect(self.db.url, autocommit=True, row_factory=dict_row)
        params = {"collection": self.collection}
        if not self.conn.execute(query("try_collection_lock"), params).fetchone()["locked"]:
            raise self._lost("its lock was lost and another session holds it now")
        self._renew_on(self.conn)

    def _renew_on(self, conn: psycopg.Connection) -> None:
        if self.token is None:
            return
        params = {"collection": self.collection, "run_id": self.run_id, "token": self.token}
        if conn.execute(query("renew_lease"), params).fetchone() is None:
            raise self._lost("a later run claimed it, or marked this run interrupted")

    def _lost(self, why: str) -> LeaseLost:
        return LeaseLost(
            f"run {self.run_id} lost collection {self.collection!r}: {why}; it stops as interrupted"
        )

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.db.url, autocommit=True, row_factory=dict_row)
        except psycopg.OperationalError as exc:
            raise DatabaseError(f"cannot connect to {redact(self.db.url)}: {exc}") from exc

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()  # ends the session, which releases the lock
        self.conn = None


@contextmanager
def collection_lock(db: Database, collection: str) -> Iterator[CollectionLock]:
    """Hold the collection's lock (record the run on `lock.conn`, then `claim` the lease)."""
    # As start_run stores it: a source URI with a key in it is kept redacted.
    lock = CollectionLock(db, redact_text(collection))
    try:
        lock.acquire()
        yield lock
    finally:
        lock.close()


def mark_dead_runs(db: Database) -> list[int]:
    """Mark runs whose driver is gone (their session holds no lock) as interrupted."""
    with db.connect(autocommit=True) as conn:
        return [row["id"] for row in conn.execute(query("interrupt_dead_runs")).fetchall()]
