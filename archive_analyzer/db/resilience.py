"""Riding over a lost database connection: reconnect with backoff and redo the unit of work.

Only safe for idempotent work (the sink's upserts on natural keys): when the connection drops
during COMMIT, the block may or may not have landed, and writing it again must leave the same
rows either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg

from archive_analyzer.redact import redact
from archive_analyzer.storage import RetryPolicy

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A restart, failover or network cut: enough time for PostgreSQL to come back (~1 min in all).
RECONNECT_POLICY = RetryPolicy(attempts=10, first_delay=0.5, max_delay=10.0)

# OperationalError covers a refused connect and a server-side termination (admin shutdown);
# InterfaceError is psycopg's "the connection is closed" on a connection already known dead.
LOST_CONNECTION = (psycopg.OperationalError, psycopg.InterfaceError)


def retry_lost_connection(
    work: Callable[[], T],
    reset: Callable[[], None],
    policy: RetryPolicy = RECONNECT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`work()`; on a lost connection, `reset()` (drop the dead connection) and try again."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return work()
        except LOST_CONNECTION as exc:
            reset()
            if attempt == policy.attempts:
                raise
            pause = policy.delay(attempt)
            # Worker processes log through Ray's handlers, which carry no redacting filter.
            logger.warning(
                "database connection lost (%s); retry %d in %.1f s",
                redact(str(exc)),
                attempt,
                pause,
            )
            sleep(pause)
    raise AssertionError("unreachable: the loop returns or raises")
