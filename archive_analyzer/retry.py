"""One retry loop for transient failures: exponential backoff with jitter, a bounded policy.

Object reads (storage.py) and database work after a lost connection (db/resilience.py) both
use it; each says which errors are worth another attempt and what to do before one.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from archive_analyzer.redact import redact

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_delay: float = 0.2
    max_delay: float = 5.0
    per_host: int = 4  # HTTP(S) sources: requests in flight to one host from one process

    def delay(self, attempt: int) -> float:
        """Exponential backoff with jitter (between half and all of the step), so many
        workers that failed together do not retry in lockstep."""
        ceiling = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


def retry(
    work: Callable[[], T],
    transient: tuple[type[BaseException], ...],
    policy: RetryPolicy,
    what: str,
    final: tuple[type[BaseException], ...] = (),
    before_retry: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
    is_final: Callable[[BaseException], bool] = lambda exc: False,
) -> T:
    """`work()`, again after a `transient` error until `policy.attempts` are spent; then that
    error is raised. A `final` error (not found, not allowed: retrying cannot help), one
    `is_final` recognises (a type too general to list, such as OSError, carrying an HTTP 400),
    or any error outside `transient`, is raised at once. `before_retry` runs after every transient
    failure (e.g. to drop a dead connection). A server that says when to come back (an error
    with `retry_after` seconds, from HTTP's Retry-After) is believed over the backoff."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return work()
        except final:
            raise
        except transient as exc:
            if is_final(exc):
                raise
            before_retry()
            if attempt == policy.attempts:
                raise
            pause = getattr(exc, "retry_after", None) or policy.delay(attempt)
            # Worker processes log through Ray's handlers, which carry no redacting filter.
            logger.warning("%s (%s); retry %d in %.1f s", what, redact(str(exc)), attempt, pause)
            sleep(pause)
    raise AssertionError("unreachable: the loop returns or raises")
