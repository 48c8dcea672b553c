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

# Migration 0014 keeps pgvector and pg_trgm in their own schema; the application's SQL names
# their types and operators (`::vector`, a staging table's vector column) and finds them here.
SEARCH_PATH = "public, extensions"


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


def session_conninfo(url: str) -> str:
    """The URL as connection parameters, with the search_path the application's SQL needs.

    Set at connection start (libpq `options`), because neither `ALTER DATABASE ... SET` nor a
    role's setting reaches a database cloned from a template or restored from a dump. A
    search_path the URL sets itself is kept.
    """
    params = psycopg.conninfo.conninfo_to_dict(url)
    options = params.get("options") or ""
    if "search_path" not in options:
        path = SEARCH_PATH.replace(" ", "")  # libpq splits options on spaces
        params["options"] = f"{options} -c search_path={path}".strip()
    return psycopg.conninfo.make_conninfo(**params)


def connect(url: str, **kwargs: Any) -> psycopg.Connection:
    """A psycopg connection to `url` with the application's search_path."""
    return psycopg.connect(session_conninfo(url), **kwargs)


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
            conn = connect(self.url, autocommit=autocommit, row_factory=dict_row)
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
