"""Database roles: a writer for jobs, a read-only role and a cataloger role for people.

Passwords come from environment variables and are sent as SQL literals, never printed or
logged. A role without a password cannot log in on a server that asks for one (the embedded
server asks every role but its owner), and the command says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from psycopg import sql

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query

WRITER_PASSWORD_ENV = "ARCHIVE_ANALYZER_WRITER_PASSWORD"
READER_PASSWORD_ENV = "ARCHIVE_ANALYZER_READER_PASSWORD"
CATALOGER_PASSWORD_ENV = "ARCHIVE_ANALYZER_CATALOGER_PASSWORD"


@dataclass(frozen=True)
class RoleSpec:
    kind: str  # writer, reader or cataloger: the placeholder its grants use
    name: str
    password_env: str
    grants: tuple[str, ...]  # named queries in sql/queries/roles.sql, run in order


def role_specs(writer: str, reader: str, cataloger: str) -> list[RoleSpec]:
    return [
        RoleSpec("writer", writer, WRITER_PASSWORD_ENV, ("grant_writer",)),
        RoleSpec("reader", reader, READER_PASSWORD_ENV, ("grant_reader",)),
        # A cataloger reads what the reader reads, through the same grants, and may add reviews.
        RoleSpec(
            "cataloger", cataloger, CATALOGER_PASSWORD_ENV, ("grant_reader", "grant_cataloger")
        ),
    ]


def _ensure_role(conn, name: str, password: str | None) -> str:
    exists = conn.execute(query("role_exists"), {"name": name}).fetchone()["found"]
    verb = "ALTER" if exists else "CREATE"
    statement = sql.SQL(verb + " ROLE {} LOGIN").format(sql.Identifier(name))
    if password:
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    conn.execute(statement)
    return "updated" if exists else "created"


def _grant(conn, spec: RoleSpec) -> None:
    role = sql.Identifier(spec.name)
    database = sql.Identifier(conn.info.dbname)
    for name in spec.grants:
        placeholders = {"reader": role, "cataloger": role, "writer": role}
        conn.execute(sql.SQL(query(name)).format(database=database, **placeholders))


def create_roles(db: Database, writer: str, reader: str, cataloger: str) -> list[str]:
    """Create or update the roles and their grants; return lines to show (no secrets)."""
    lines = []
    with db.connect() as conn:
        for spec in role_specs(writer, reader, cataloger):
            password = os.environ.get(spec.password_env) or None
            done = _ensure_role(conn, spec.name, password)
            _grant(conn, spec)
            note = "password set" if password else f"no password ({spec.password_env} unset)"
            lines.append(f"{spec.kind} role {spec.name}: {done}, {note}")
        if conn.execute(query("reader_can_lock"), {"name": reader}).fetchone()["found"]:
            lines.append(
                "warning: every role may still take advisory locks (a stuck run or migration); "
                "apply migration 0009 as a superuser"
            )
    return lines
