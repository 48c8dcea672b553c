"""`archive-analyzer db roles` and `db dump-schema`: the catalog's database actions."""

from __future__ import annotations

import argparse

from archive_analyzer.db.database import Database
from archive_analyzer.db.roles import (
    CATALOGER_PASSWORD_ENV,
    READER_PASSWORD_ENV,
    WRITER_PASSWORD_ENV,
    create_roles,
)
from archive_analyzer.db.schema import migrations_schema
from archive_analyzer.settings import load_settings


def register_catalog_actions(actions) -> None:
    roles = actions.add_parser(
        "roles",
        help="create a writer (jobs), a read-only and a cataloger role",
        description=f"Passwords come from {WRITER_PASSWORD_ENV}, {READER_PASSWORD_ENV} and "
        f"{CATALOGER_PASSWORD_ENV}.",
    )
    roles.add_argument("--writer", default="archive_writer", help="writer role name")
    roles.add_argument("--reader", default="archive_reader", help="read-only role name")
    roles.add_argument(
        "--cataloger", default="archive_cataloger", help="reads like the reader, adds reviews"
    )
    roles.set_defaults(func=run_roles)
    dump = actions.add_parser(
        "dump-schema", help="print the schema all migrations build (> sql/schema.sql)"
    )
    dump.set_defaults(func=run_dump_schema)


def _db(args: argparse.Namespace) -> Database:
    return Database.from_settings(load_settings(args.config))


def run_roles(args: argparse.Namespace) -> int:
    for line in create_roles(_db(args), args.writer, args.reader, args.cataloger):
        print(line)
    return 0


def run_dump_schema(args: argparse.Namespace) -> int:
    print(migrations_schema(_db(args).url), end="")
    return 0
