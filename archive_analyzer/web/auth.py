"""Signing catalogers in: PostgreSQL checks the password, the server only remembers it.

A cataloger signs in with the password of the cataloger role; the server connects as that role
to check it, and later writes their reviews through the same kind of connection, so the
database, not this code, decides what a cataloger may change. The password stays in this
process's memory, keyed by a random session id; the browser's cookie holds only that id and a
CSRF token (signed, HttpOnly, SameSite=Strict).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg

from archive_analyzer.db.database import Database
from archive_analyzer.errors import ConfigError, DatabaseError

SESSION_SECONDS = 8 * 3600
# Failed sign-ins allowed per client address in FAILURE_WINDOW seconds before a pause.
MAX_FAILURES = 5
FAILURE_WINDOW = 300


def role_url(url: str, role: str, password: str) -> str:
    """The database URL with another role and password (percent-encoded, as libpq reads them)."""
    parts = urlsplit(url)
    hostport = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role, safe='')}:{quote(password, safe='')}@{hostport}"
    return urlunsplit(parts._replace(netloc=netloc))


def check_password(url: str, role: str, password: str) -> bool:
    """True when PostgreSQL lets `role` in with `password`; False when it refuses it."""
    if not password:
        return False
    try:
        with Database(role_url(url, role, password)).connect(autocommit=True) as conn:
            return conn.execute("SELECT current_user AS u").fetchone()["u"] == role
    except DatabaseError as exc:
        if isinstance(exc.__cause__, psycopg.OperationalError) and _refused(exc.__cause__):
            return False
        raise


def _refused(exc: psycopg.OperationalError) -> bool:
    text = str(exc)
    return "password authentication failed" in text or "no password supplied" in text


def require_password_check(url: str, role: str) -> None:
    """Refuse to serve beyond loopback unless the server rejects a wrong cataloger password.

    A server that trusts the connection (trust or peer authentication) would let any password
    in, and the sign-in page would protect nothing.
    """
    if check_password(url, role, "wrong-" + secrets.token_urlsafe(16)):
        raise ConfigError(
            f"PostgreSQL let role {role!r} in with a wrong password, so a sign-in could not "
            "protect the catalogue; bind to 127.0.0.1, or make the server ask for passwords "
            "(scram-sha-256) and set one with `archive-analyzer db roles`"
        )


@dataclass(frozen=True)
class Cataloger:
    reviewer: str  # the name written on their reviews
    role: str
    password: str
    expires: float

    def database(self, url: str) -> Database:
        return Database(role_url(url, self.role, self.password))


class Keyring:
    """Signed-in catalogers by session id, in memory: a restart signs everyone out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, Cataloger] = {}
        self._failures: dict[str, list[float]] = {}

    def add(self, reviewer: str, role: str, password: str) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._by_sid[sid] = Cataloger(reviewer, role, password, time.time() + SESSION_SECONDS)
        return sid

    def get(self, sid: str | None) -> Cataloger | None:
        with self._lock:
            found = self._by_sid.get(sid) if sid else None
            if found and found.expires < time.time():
                del self._by_sid[sid]
                return None
            return found

    def remove(self, sid: str | None) -> None:
        with self._lock:
            self._by_sid.pop(sid or "", None)

    def too_many_failures(self, client: str) -> bool:
        with self._lock:
            recent = [t for t in self._failures.get(client, []) if t > time.time() - FAILURE_WINDOW]
            self._failures[client] = recent
            return len(recent) >= MAX_FAILURES

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures.setdefault(client, []).append(time.time())


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(expected, given)
