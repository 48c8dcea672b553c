"""`archive-analyzer runs`: recent runs."""

from __future__ import annotations

import argparse

from archive_analyzer.db.database import Database
from archive_analyzer.output import table, to_json
from archive_analyzer.settings import load_settings

COLUMNS = [
    "id",
    "status",
    "collection",
    "started_at",
    "finished_at",
    "seen",
    "analysed",
    "failed",
    "images_per_second",
]


def register(subparsers) -> None:
    parser = subparsers.add_parser("runs", help="recent runs")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="JSON for scripts")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db = Database.from_settings(load_settings(args.config))
    found = db.fetch_all("recent_runs", {"limit": args.limit})
    for row in found:
        row.update({k: row["counts"].get(k) for k in ("seen", "analysed", "failed")})
    print(to_json(found) if args.json else table(found, COLUMNS))
    return 0
