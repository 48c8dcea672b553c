"""Reading objects from any fsspec store, with retries and backoff for transient errors.

Object stores fail now and then (a 503, a reset connection, a throttled bucket); a night's run
must ride over that. Errors that say the object is not there or not ours to read are final and
are not retried; everything else is retried a few times with exponential backoff and jitter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import fsspec

from archive_analyzer.redact import redact
from archive_analyzer.retry import RetryPolicy, retry

# Retrying these cannot help: the object is absent, is a folder, or we may not read it.
FINAL_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)
READ_POLICY = RetryPolicy()


class ReadFailed(Exception):
    """An object could not be read: a final error at once, or a transient one every attempt."""

    def __init__(self, uri: str, attempts: int, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause} (after {attempts} attempt(s))")
        self.uri = uri
        self.attempts = attempts
        # Not found, not allowed: another attempt (now or tonight) cannot help.
        self.final = isinstance(cause, FINAL_ERRORS)


def _read_once(uri: str) -> bytes:
    with fsspec.open(uri, "rb") as handle:
        return handle.read()


def _reader(uri: str, policy: RetryPolicy) -> Callable[[str], bytes]:
    """http(s) URIs go through the polite HTTP client (per-host limit, Retry-After)."""
    if uri.startswith(("http://", "https://")):
        from archive_analyzer.iiif.http import get_bytes

        return partial(get_bytes, per_host=policy.per_host)
    return _read_once


def read_bytes(
    uri: str, policy: RetryPolicy = READ_POLICY, sleep: Callable[[float], None] = time.sleep
) -> bytes:
    """The whole object at `uri`; raises ReadFailed when it cannot be read."""
    attempts = 0
    reader = _reader(uri, policy)

    def read_once() -> bytes:
        nonlocal attempts
        attempts += 1
        return reader(uri)

    try:
        # fsspec backends raise their own types for transient errors: retry any Exception.
        return retry(
            read_once, (Exception,), policy, f"read {redact(uri)} failed", FINAL_ERRORS, sleep=sleep
        )
    except Exception as exc:
        raise ReadFailed(uri, attempts, exc) from exc
