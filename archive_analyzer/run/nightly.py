"""The nightly re-analysis: each collection in turn, incrementally, with a morning report.

For every source: plan and analyse what is new, changed or stale (run.analyze), then print
the run's report as `archive-analyzer runs show RUN` would. A collection still being analysed
by an earlier run is skipped with a message, not waited for. The exit code is the worst of the
collections': 0 all succeeded, 75 one was busy (nothing else went wrong), 1 a run failed.
"""

from __future__ import annotations

from archive_analyzer.db.database import Database
from archive_analyzer.errors import CollectionBusyError
from archive_analyzer.run.analyze import analyze
from archive_analyzer.run.prepare import collection_key
from archive_analyzer.run.report import format_report
from archive_analyzer.settings import Settings

SUCCEEDED, FAILED = 0, 1
BUSY = CollectionBusyError.exit_code


def reanalyse(settings: Settings, engine: str = "ray", say=print) -> int:
    """One collection; returns its exit code."""
    try:
        summary = analyze(settings, engine=engine, progress=False, say=say)
    except CollectionBusyError as exc:
        say(f"skipped: {exc}")
        return BUSY
    db = Database.from_settings(settings)
    run = db.fetch_one("run_by_id", {"run_id": summary.run_id})
    failures = db.fetch_all("run_failures", {"run_id": summary.run_id, "limit": 20})
    say(format_report(run, failures))
    return SUCCEEDED if summary.status == "succeeded" else FAILED


def worst(codes: list[int]) -> int:
    if FAILED in codes or any(code not in (SUCCEEDED, BUSY) for code in codes):
        return FAILED
    return BUSY if BUSY in codes else SUCCEEDED


def nightly(collections: list[Settings], engine: str = "ray", say=print) -> int:
    codes = []
    for settings in collections:
        say(f"== {collection_key(settings)}")
        codes.append(reanalyse(settings, engine, say))
    return worst(codes)
