"""`archive-analyzer db migrate|url|status|stop`."""

from __future__ import annotations

import argparse

from archive_analyzer.commands.db_catalog import register_catalog_actions
from archive_analyzer.db.database import Database, redact
from archive_analyzer.db.embedded import stop_embedded
from archive_analyzer.db.indexes import rebuild_deferred
from archive_analyzer.db.migrate import available_migrations, migrate, schema_version
from archive_analyzer.output import table
from archive_analyzer.run.guard import mark_dead_runs
from archive_analyzer.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="database: migrate, url, status, stop")
    actions = parser.add_subparsers(dest="db_action", required=True)
    actions.add_parser("migrate", help="apply pending migrations").set_defaults(func=run_migrate)
    url = actions.add_parser(
        "url", help="print a URL that psql accepts (password masked unless --show-password)"
    )
    url.add_argument("--show-password", action="store_true", help="print the password too")
    # The old opt-in flag, now the default; still accepted so scripts keep working.
    url.add_argument("--hide-password", action="store_true", help=argparse.SUPPRESS)
    url.set_defaults(func=run_url)
    actions.add_parser("status", help="schema version and row counts").set_defaults(func=run_status)
    actions.add_parser("stop", help="stop the embedded server").set_defaults(func=run_stop)
    register_catalog_actions(actions)


# The migration that made deferred_indexes (bulk index mode).
DEFERRED_INDEXES_VERSION = 16


def _db(args: argparse.Namespace) -> Database:
    return Database.from_settings(load_settings(args.config))


def run_migrate(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    db = Database.from_settings(settings)
    applied = migrate(db)
    if not applied:
        print("schema is up to date")
    for migration in applied:
        print(f"applied {migration.name}")
    _rebuild_left_indexes(db, settings)
    return 0


def _rebuild_left_indexes(db: Database, settings) -> None:
    """HNSW and GIN indexes a bulk-mode run dropped and died before rebuilding: built now."""
    mark_dead_runs(db)
    for name in rebuild_deferred(db, settings):
        print(f"rebuilt index {name} (left dropped by an interrupted bulk-mode run)")


def run_url(args: argparse.Namespace) -> int:
    url = _db(args).url
    print(url if args.show_password and not args.hide_password else redact(url))
    return 0


def run_status(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    db = Database.from_settings(settings)
    version = schema_version(db)
    latest = max((m.version for m in available_migrations()), default=0)
    print(f"database: {redact(db.url)}")
    print(f"schema version: {version} (latest {latest})")
    if version:
        if version >= DEFERRED_INDEXES_VERSION:
            _rebuild_left_indexes(db, settings)
        counts = db.fetch_one("table_counts")
        print(table([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"]))
    return 0 if version == latest else 1


def run_stop(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    if settings.database_url is not None:
        print("a database URL is configured; there is no embedded server to stop")
        return 0
    print("stopped" if stop_embedded(settings.home) else "the embedded server was not running")
    return 0
