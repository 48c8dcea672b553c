"""`archive-analyzer search TEXT`: ranked full-text search over current analyses."""

from __future__ import annotations

import argparse

from archive_analyzer.db.database import Database
from archive_analyzer.output import table, to_json
from archive_analyzer.settings import load_settings

COLUMNS = ["object_id", "title", "artist", "rank", "snippet", "uri"]


def register(subparsers) -> None:
    parser = subparsers.add_parser("search", help="search analyses (full text)")
    parser.add_argument("text", help='words, "quoted phrases", -excluded, or')
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="JSON for scripts")
    parser.set_defaults(func=run)


def search_fulltext(db: Database, text: str, limit: int) -> list[dict]:
    return db.fetch_all("search_fulltext", {"query": text, "limit": limit})


def run(args: argparse.Namespace) -> int:
    db = Database.from_settings(load_settings(args.config))
    found = search_fulltext(db, args.text, args.limit)
    print(to_json(found) if args.json else table(found, COLUMNS))
    return 0
