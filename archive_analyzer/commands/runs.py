"""`archive-analyzer runs`: recent runs; `runs show RUN` (or `latest`): one run's report."""

from __future__ import annotations

import argparse

from archive_analyzer.commands import needs_schema, reading_database
from archive_analyzer.db.database import Database
from archive_analyzer.errors import ArchiveAnalyzerError
from archive_analyzer.output import table, to_json
from archive_analyzer.run.guard import mark_dead_runs
from archive_analyzer.run.report import format_report
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
    parser = subparsers.add_parser("runs", help="recent runs; `runs show RUN` for one report")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="JSON for scripts")
    parser.set_defaults(func=run)
    actions = parser.add_subparsers(dest="runs_action")
    show = actions.add_parser("show", help="one run's report: plan, outcome, failures, settings")
    show.add_argument("run_id", type=_run_ref, metavar="RUN", help="a run id, or latest")
    show.add_argument("--failures", type=int, default=20, help="failures to list (default 20)")
    show.add_argument("--json", action="store_true", help="JSON for scripts")
    show.set_defaults(func=run_show)


def _run_ref(text: str) -> int | str:
    if text == "latest":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a run id or latest") from None


def _run_id(db: Database, ref: int | str) -> int:
    if ref != "latest":
        return int(ref)
    found = db.fetch_one("latest_run")["id"]
    if found is None:
        raise ArchiveAnalyzerError("no runs yet; `archive-analyzer analyze SOURCE` starts one")
    return found


def _database(args: argparse.Namespace) -> Database:
    db = reading_database(load_settings(args.config))
    mark_dead_runs(db)  # a killed run reads "interrupted", not "running"
    return db


@needs_schema
def run(args: argparse.Namespace) -> int:
    found = _database(args).fetch_all("recent_runs", {"limit": args.limit})
    for row in found:
        row.update({k: row["counts"].get(k) for k in ("seen", "analysed", "failed")})
    print(to_json(found) if args.json else table(found, COLUMNS))
    return 0


@needs_schema
def run_show(args: argparse.Namespace) -> int:
    db = _database(args)
    run_id = _run_id(db, args.run_id)
    found = db.fetch_one("run_by_id", {"run_id": run_id})
    if found is None:
        raise ArchiveAnalyzerError(f"no run {run_id}; `archive-analyzer runs` lists them")
    failures = db.fetch_all("run_failures", {"run_id": run_id, "limit": args.failures})
    if args.json:
        print(to_json({**found, "failures": failures}))
    else:
        print(format_report(found, failures))
    return 0
