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
# HTTP answers that will not change on another try: a malformed request (S3 answers a bad
# `?versionId=` with 400), no or refused credentials, no such object, gone for good.
PERMANENT_HTTP = frozenset({400, 401, 403, 404, 410})
READ_POLICY = RetryPolicy()


class ReadFailed(Exception):
    """An object could not be read: a final error at once, or a transient one every attempt."""

    def __init__(self, uri: str, attempts: int, cause: BaseException) -> None:
        status = http_status(cause)
        http = f"HTTP {status}: " if status and f"HTTP {status}" not in str(cause) else ""
        super().__init__(f"{http}{type(cause).__name__}: {cause} (after {attempts} attempt(s))")
        self.uri = uri
        self.attempts = attempts
        self.final = is_final(cause)  # retrying could not have helped


def http_status(exc: BaseException) -> int | None:
    """The HTTP status behind an error, wherever in its chain a client library put it.

    s3fs turns botocore's ClientError into a bare OSError (a 400 is `[Errno 22] Bad Request`);
    the status survives on the ClientError in the chain (`response`), aiohttp's and requests'
    errors carry it as `status` / `response.status_code`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        response = getattr(current, "response", None)
        if isinstance(response, dict):
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        else:
            status = getattr(current, "status", None) or getattr(response, "status_code", None)
        if isinstance(status, int):
            return status
        current = current.__cause__ or current.__context__
    return None


def is_final(exc: BaseException) -> bool:
    return isinstance(exc, FINAL_ERRORS) or http_status(exc) in PERMANENT_HTTP


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
            read_once,
            (Exception,),
            policy,
            f"read {redact(uri)} failed",
            FINAL_ERRORS,
            sleep=sleep,
            is_final=is_final,
        )
    except Exception as exc:
        raise ReadFailed(uri, attempts, exc) from exc
