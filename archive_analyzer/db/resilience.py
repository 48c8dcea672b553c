"""Riding over a lost database connection: reconnect with backoff and redo the unit of work.

Only safe for idempotent work (the sink's upserts on natural keys): when the connection drops
during COMMIT, the block may or may not have landed, and writing it again must leave the same
rows either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import psycopg

from archive_analyzer.retry import RetryPolicy, retry

T = TypeVar("T")

# A restart, failover or network cut: enough time for PostgreSQL to come back (~1 min in all).
RECONNECT_POLICY = RetryPolicy(attempts=10, first_delay=0.5, max_delay=10.0)

# OperationalError covers a refused connect and a server-side termination (admin shutdown);
# InterfaceError is psycopg's "the connection is closed" on a connection already known dead.
LOST_CONNECTION = (psycopg.OperationalError, psycopg.InterfaceError)


def retry_lost_connection(
    work: Callable[[], T], reset: Callable[[], None], policy: RetryPolicy = RECONNECT_POLICY
) -> T:
    """`work()`; on a lost connection, `reset()` (drop the dead connection) and try again."""
    return retry(work, LOST_CONNECTION, policy, "database connection lost", before_retry=reset)
