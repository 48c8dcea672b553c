"""A stage's own database connection, for the stages that read or write PostgreSQL.

Opened on first use where the stage runs (never pickled with it) and kept for the stage's life.
A lost connection (restart, failover) is closed, reopened and the work done again, so the work
handed to `run` must be idempotent: a read, or the sink's upserts on natural keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import psycopg

from archive_analyzer.db.database import connect
from archive_analyzer.db.resilience import retry_lost_connection

T = TypeVar("T")


class StageConnection:
    def __init__(self, url: str, autocommit: bool = False) -> None:
        self.url, self.autocommit = url, autocommit
        self._conn: psycopg.Connection | None = None

    def run(self, work: Callable[[psycopg.Connection], T]) -> T:
        return retry_lost_connection(lambda: work(self._open()), self.close)

    def _open(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.url, autocommit=self.autocommit)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
