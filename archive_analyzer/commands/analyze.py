"""`archive-analyzer analyze SOURCE`: the main job (`--plan` to only count, `--force` for all)."""

from __future__ import annotations

import argparse
import json

from archive_analyzer.collections import run_settings
from archive_analyzer.commands import SETTINGS_FLAGS, add_settings_flags, sigterm_interrupts
from archive_analyzer.engine import engine_log_path
from archive_analyzer.errors import ConfigError
from archive_analyzer.run.analyze import analyze, plan_only
from archive_analyzer.run.record import RunSummary


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="analyse every image under SOURCE (or of --collection NAME of the collections file)",
    )
    parser.add_argument("source", nargs="?", help="folder, file://, s3://bucket/prefix, gs://...")
    parser.add_argument(
        "--engine",
        choices=["ray", "local", "vllm", "echo"],
        default="ray",
        help="ray (default; local Ray or a cluster), local (a plain loop), vllm (Ray with "
        "vLLM model actors; GPU, [gpu] extra), or echo (Ray with no model: writes labelled "
        "stand-in text at once, to measure the pipeline's own ceiling)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--plan",
        action="store_true",
        help="print how many images are new, changed, stale and unchanged, and exit",
    )
    mode.add_argument(
        "--force", action="store_true", help="analyse every image, even unchanged ones"
    )
    parser.add_argument("--json", action="store_true", help="with --plan: the counts as JSON")
    parser.add_argument(
        "--collections-file", help="TOML file of collections (ARCHIVE_ANALYZER_COLLECTIONS_FILE)"
    )
    add_settings_flags(parser)
    parser.set_defaults(func=run)


def format_plan(counts: dict[str, int], missing: int) -> str:
    todo = counts["new"] + counts["changed"] + counts["stale"]
    lines = [f"  {name:<10}{count:>8}" for name, count in counts.items()]
    if missing:
        lines.append(f"  {'missing':<10}{missing:>8}  (in the manifest, not under the source)")
    return "\n".join(["plan:", *lines, f"a run would analyse {todo} images"])


def plan_json(counts: dict[str, int], missing: int) -> str:
    """The plan for scripts: each class's count, the missing ones, and what a run would do."""
    todo = counts["new"] + counts["changed"] + counts["stale"]
    return json.dumps({**counts, "missing": missing, "to_analyse": todo}, sort_keys=True)


def format_summary(summary: RunSummary) -> str:
    plan = "  ".join(f"{name} {count}" for name, count in summary.plan.items())
    lines = [
        f"run {summary.run_id}: {summary.status}",
        f"  plan: {plan}",
        f"  seen {summary.seen}  analysed {summary.analysed}  reused {summary.reused}  "
        f"failed {summary.failed}  skipped {summary.skipped}",
        f"  {summary.seconds:.1f} s, {summary.images_per_second:.2f} images/s",
    ]
    for reason, count in sorted(summary.failures_by_reason.items()):
        lines.append(f"  failed ({reason}): {count}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    flags = {name: getattr(args, name, None) for name in (*SETTINGS_FLAGS, "collections_file")}
    settings, engine = run_settings(args.config, flags), args.engine
    if engine in ("vllm", "echo"):  # they serve the model stage; Ray still runs the pipeline
        settings, engine = settings.model_copy(update={"model_engine": engine}), "ray"
    if args.json and not args.plan:
        raise ConfigError("--json goes with --plan (a run's report: `runs show latest --json`)")
    if args.plan:
        print((plan_json if args.json else format_plan)(*plan_only(settings)))
        return 0
    with sigterm_interrupts():
        summary = analyze(settings, engine=engine, progress=not args.no_progress, force=args.force)
    print(format_summary(summary))
    log = engine_log_path(settings.home, summary.run_id)
    if log.is_file():
        print(f"  Ray's own messages: {log}")
    return 0 if summary.status == "succeeded" else 1
