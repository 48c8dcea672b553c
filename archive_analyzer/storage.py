"""Reading objects from any fsspec store, with retries and backoff for transient errors.

Object stores fail now and then (a 503, a reset connection, a throttled bucket); a night's run
must ride over that. Errors that say the object is not there or not ours to read are final and
are not retried; everything else is retried a few times with exponential backoff and jitter.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import fsspec

from archive_analyzer.redact import redact

logger = logging.getLogger(__name__)

# Retrying these cannot help: the object is absent, is a folder, or we may not read it.
FINAL_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


class ReadFailed(Exception):
    """An object could not be read after every attempt; `final` when retrying could not help."""

    def __init__(self, uri: str, attempts: int, cause: BaseException, final: bool) -> None:
        super().__init__(f"{type(cause).__name__}: {cause} (after {attempts} attempt(s))")
        self.uri = uri
        self.attempts = attempts
        self.final = final


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_delay: float = 0.2
    max_delay: float = 5.0
    per_host: int = 4  # HTTP(S) sources: requests in flight to one host from one process

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so many workers do not retry in lockstep."""
        ceiling = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


def _read_once(uri: str) -> bytes:
    with fsspec.open(uri, "rb") as handle:
        return handle.read()


def read_bytes(
    uri: str,
    policy: RetryPolicy = RetryPolicy(),
    reader: Callable[[str], bytes] = _read_once,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """The whole object at `uri`; raises ReadFailed when it cannot be read.

    http(s) URIs go through the polite IIIF/HTTP client (per-host limit); a server's
    Retry-After replaces the backoff for that pause.
    """
    if reader is _read_once and uri.startswith(("http://", "https://")):
        from archive_analyzer.iiif.http import get_bytes

        reader = partial(get_bytes, per_host=policy.per_host)
    for attempt in range(1, policy.attempts + 1):
        try:
            return reader(uri)
        except FINAL_ERRORS as exc:
            raise ReadFailed(uri, attempt, exc, final=True) from exc
        except Exception as exc:  # fsspec backends raise their own types for transient errors
            if attempt == policy.attempts:
                raise ReadFailed(uri, attempt, exc, final=False) from exc
            pause = getattr(exc, "retry_after", None) or policy.delay(attempt)
            logger.warning(
                "read %s failed (%s); retry %d in %.1f s",
                redact(uri),
                redact(str(exc)),
                attempt,
                pause,
            )
            sleep(pause)
    raise AssertionError("unreachable: the loop returns or raises")
