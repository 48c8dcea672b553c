"""Polite HTTP reads for IIIF servers and museum image URLs.

One GET per call; the retry loop is storage.read_bytes's, so HTTP and object stores share one
policy. Politeness lives here: at most `per_host` requests in flight to one host from this
process (a Ray decode worker is one process, so a cluster sends at most per_host x workers),
and a 429 or 503 carries the server's Retry-After to the retry loop, which waits that long
instead of its own backoff. 404/410 and 401/403 map to the final errors storage never retries.
"""

from __future__ import annotations

import email.utils
import threading
import time
from urllib.parse import urlsplit

import requests

# A server asking for more than this is treated as this: a night's run must still end.
MAX_RETRY_AFTER = 300.0
TIMEOUT = (10, 120)  # connect, read: large TIFF derivatives can take a while to render
USER_AGENT = "archive-analyzer (IIIF client)"

_limits: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_limits_lock = threading.Lock()
_session = threading.local()


class RetryLater(OSError):
    """A transient HTTP failure; `retry_after` is the server's requested pause, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def is_http(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def host_limit(url: str, per_host: int) -> threading.BoundedSemaphore:
    key = (urlsplit(url).netloc.lower(), per_host)
    with _limits_lock:
        return _limits.setdefault(key, threading.BoundedSemaphore(per_host))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return min(max(0.0, when - (now if now is not None else time.time())), MAX_RETRY_AFTER)


def _client() -> requests.Session:
    # One keep-alive session per thread: requests.Session is not documented as thread-safe.
    if not hasattr(_session, "client"):
        _session.client = requests.Session()
        _session.client.headers["User-Agent"] = USER_AGENT
    return _session.client


def _check(response: requests.Response, url: str) -> None:
    status = response.status_code
    if status in (404, 410):
        raise FileNotFoundError(f"HTTP {status}: {url}")
    if status in (401, 403):
        raise PermissionError(f"HTTP {status}: {url}")
    if status in (429, 503):
        pause = parse_retry_after(response.headers.get("Retry-After"))
        raise RetryLater(f"HTTP {status} from {urlsplit(url).netloc}", pause)
    if status >= 500:
        raise RetryLater(f"HTTP {status} from {urlsplit(url).netloc}")
    if status >= 400:  # 400, 405, 501...: the request itself is wrong; retrying cannot help
        raise PermissionError(f"HTTP {status}: {url}")


def request(url: str, per_host: int = 4, method: str = "GET") -> requests.Response:
    """One request under the host's concurrency limit; raises as described above."""
    with host_limit(url, per_host):
        try:
            response = _client().request(method, url, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetryLater(f"{type(exc).__name__} for {urlsplit(url).netloc}") from exc
    _check(response, url)
    return response


def get_bytes(url: str, per_host: int = 4) -> bytes:
    return request(url, per_host).content


def head_fingerprint(url: str, per_host: int = 4) -> str | None:
    """Length plus ETag or Last-Modified from a HEAD, the HTTP analogue of a listing's details.

    None when the server names no version marker: planning then calls the image changed and
    the run re-reads it (the Reuse stage still skips the model for identical bytes).
    """
    try:
        headers = request(url, per_host, method="HEAD").headers
    except OSError:
        return None  # the run's read reports why, per image
    marker = headers.get("ETag") or headers.get("Last-Modified")
    return f"{headers.get('Content-Length', '')}:{marker}" if marker else None
