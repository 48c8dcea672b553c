"""`archive-analyzer failures [RUN]`: a run's failed images, grouped by reason, with advice."""

from __future__ import annotations

import argparse
from collections import defaultdict

from archive_analyzer.commands import needs_schema, reading_database
from archive_analyzer.errors import ArchiveAnalyzerError
from archive_analyzer.output import to_json
from archive_analyzer.reasons import advice
from archive_analyzer.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser("failures", help="failed images of a run, grouped by reason")
    parser.add_argument("run", nargs="?", type=int, help="run id (default: the latest run)")
    parser.add_argument("--limit", type=int, default=20, help="images shown per reason")
    parser.add_argument("--json", action="store_true", help="every failure as JSON for scripts")
    parser.set_defaults(func=run)


def grouped(rows: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["reason"]].append(row)
    return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))


def format_groups(run_id: int, groups: dict[str, list[dict]], limit: int) -> str:
    if not groups:
        return f"run {run_id}: no failures"
    total = sum(len(rows) for rows in groups.values())
    lines = [f"run {run_id}: {total} failed image(s)"]
    for reason, rows in groups.items():
        lines += ["", f"{reason}: {len(rows)}", f"  what to do: {advice(reason)}"]
        # Whole URIs, never cut: an operator copies them into the next command.
        lines += [f"  {row['uri']}  ({row['message']})" for row in rows[:limit]]
        if len(rows) > limit:
            lines.append(f"  ... and {len(rows) - limit} more (--limit, or --json for all)")
    return "\n".join(lines)


@needs_schema
def run(args: argparse.Namespace) -> int:
    db = reading_database(load_settings(args.config))
    run_id = args.run if args.run is not None else db.fetch_one("latest_run_id")["id"]
    if run_id is None:
        raise ArchiveAnalyzerError("no runs yet")
    if db.fetch_one("run_exists", {"run_id": run_id}) is None:
        raise ArchiveAnalyzerError(f"no run {run_id}; `archive-analyzer runs` lists them")
    groups = grouped(db.fetch_all("failures_of_run", {"run_id": run_id}))
    if args.json:
        print(to_json({"run": run_id, "failures": groups}))
    else:
        print(format_groups(run_id, groups, args.limit))
    return 0
