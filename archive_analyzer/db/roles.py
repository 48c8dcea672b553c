"""Database roles: a writer for jobs, a read-only role for catalogers.

Passwords come from environment variables and are sent as SQL literals, never printed or
logged. Without a password variable the role can still log in where the server trusts local
connections (the embedded server's Unix socket), and the command says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from psycopg import sql

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query

WRITER_PASSWORD_ENV = "ARCHIVE_ANALYZER_WRITER_PASSWORD"
READER_PASSWORD_ENV = "ARCHIVE_ANALYZER_READER_PASSWORD"


@dataclass(frozen=True)
class RoleSpec:
    name: str
    password_env: str
    grants: str  # named query in sql/queries/roles.sql
    placeholder: str


def _ensure_role(conn, name: str, password: str | None) -> str:
    exists = conn.execute(query("role_exists"), {"name": name}).fetchone()["found"]
    verb = "ALTER" if exists else "CREATE"
    statement = sql.SQL(verb + " ROLE {} LOGIN").format(sql.Identifier(name))
    if password:
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    conn.execute(statement)
    return "updated" if exists else "created"


def create_roles(db: Database, writer: str, reader: str) -> list[str]:
    """Create or update both roles and their grants; return lines to show (no secrets)."""
    specs = [
        RoleSpec(writer, WRITER_PASSWORD_ENV, "grant_writer", "writer"),
        RoleSpec(reader, READER_PASSWORD_ENV, "grant_reader", "reader"),
    ]
    lines = []
    with db.connect() as conn:
        database = conn.info.dbname
        for spec in specs:
            password = os.environ.get(spec.password_env) or None
            done = _ensure_role(conn, spec.name, password)
            grants = sql.SQL(query(spec.grants)).format(
                database=sql.Identifier(database), **{spec.placeholder: sql.Identifier(spec.name)}
            )
            conn.execute(grants)
            note = "password set" if password else f"no password ({spec.password_env} unset)"
            lines.append(f"{spec.placeholder} role {spec.name}: {done}, {note}")
    return lines
