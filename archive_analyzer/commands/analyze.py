"""`archive-analyzer analyze SOURCE`: the main job."""

from __future__ import annotations

import argparse

from archive_analyzer.commands import add_settings_flags, settings_from
from archive_analyzer.runner import RunSummary, analyze


def register(subparsers) -> None:
    parser = subparsers.add_parser("analyze", help="analyse every image under SOURCE")
    parser.add_argument("source", nargs="?", help="folder, file://, s3://bucket/prefix, gs://...")
    parser.add_argument(
        "--engine",
        choices=["ray", "local"],
        default="ray",
        help="ray (default; local Ray or a cluster) or local (a plain loop)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_settings_flags(parser)
    parser.set_defaults(func=run)


def format_summary(summary: RunSummary) -> str:
    lines = [
        f"run {summary.run_id}: {summary.status}",
        f"  seen {summary.seen}  analysed {summary.analysed}  failed {summary.failed}  "
        f"skipped {summary.skipped}",
        f"  {summary.seconds:.1f} s, {summary.images_per_second:.2f} images/s",
    ]
    for reason, count in sorted(summary.failures_by_reason.items()):
        lines.append(f"  failed ({reason}): {count}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    summary = analyze(settings, engine=args.engine, progress=not args.no_progress)
    print(format_summary(summary))
    return 0 if summary.status == "succeeded" else 1
