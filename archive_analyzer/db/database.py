"""One handle on the configured PostgreSQL: URL resolution, connections, named queries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy.engine import make_url

from archive_analyzer.db.embedded import embedded_url
from archive_analyzer.db.queries import query
from archive_analyzer.errors import DatabaseError
from archive_analyzer.settings import Settings


def libpq_url(url: str) -> str:
    """Accept SQLAlchemy-style URLs (postgresql+psycopg://) and return one libpq understands."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise DatabaseError(f"database URL must be postgresql://..., got {parsed.drivername}://")
    # Only the scheme changes: re-rendering the URL re-escaped its password differently (a
    # percent-encoded space came back raw, which libpq rejects, quoting the password).
    return "postgresql://" + url.split("://", 1)[1]


def redact(url: str) -> str:
    """The URL with its password hidden, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


def resolve_url(settings: Settings) -> str:
    if settings.database_url is not None:
        return libpq_url(settings.database_url.get_secret_value())
    return embedded_url(settings.home)


class Database:
    """Connections and named queries. Cheap to build; picklable (holds only the URL)."""

    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(resolve_url(settings))

    @contextmanager
    def connect(self, autocommit: bool = False) -> Iterator[psycopg.Connection]:
        try:
            conn = psycopg.connect(self.url, autocommit=autocommit, row_factory=dict_row)
        except psycopg.OperationalError as exc:
            raise DatabaseError(f"cannot connect to {redact(self.url)}: {exc}") from exc
        with conn:
            yield conn

    def fetch_all(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict]:
        with self.connect() as conn:
            return conn.execute(query(name), params or {}).fetchall()

    def fetch_one(self, name: str, params: Mapping[str, Any] | None = None) -> dict | None:
        with self.connect() as conn:
            return conn.execute(query(name), params or {}).fetchone()

    def execute(self, name: str, params: Mapping[str, Any] | None = None) -> None:
        with self.connect() as conn:
            conn.execute(query(name), params or {})
