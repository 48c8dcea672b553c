"""The nightly re-analysis: each collection in turn, incrementally, with a morning report.

For every source: plan and analyse what is new, changed or stale (run.analyze), then print
the run's report as `archive-analyzer runs show RUN` would. A collection still being analysed
by an earlier run is skipped with a message, not waited for; one that cannot start (a bad
setting, an unreadable source) is reported and the next one runs. The exit code is the worst
of the collections': 1 a run failed or could not start, else 3 a collection found no images
(an empty or unmounted source "succeeds" with nothing), else 75 one was busy, else 0.
"""

from __future__ import annotations

from archive_analyzer.db.database import Database
from archive_analyzer.errors import ArchiveAnalyzerError, CollectionBusyError, EmptySourceError
from archive_analyzer.redact import redact
from archive_analyzer.run.analyze import analyze
from archive_analyzer.run.prepare import collection_key
from archive_analyzer.run.report import format_report
from archive_analyzer.settings import Settings

SUCCEEDED, FAILED, EMPTY = 0, 1, 3
BUSY = CollectionBusyError.exit_code
WORST_FIRST = (FAILED, EMPTY, BUSY, SUCCEEDED)


def reanalyse(settings: Settings, engine: str = "ray", say=print) -> int:
    """One collection; returns its exit code."""
    try:
        summary = analyze(settings, engine=engine, progress=False, say=say)
    except CollectionBusyError as exc:
        say(f"skipped: {exc}")
        return BUSY
    except EmptySourceError as exc:  # cron must not read an unmounted share as a good night
        say(f"empty: {redact(str(exc))}")
        return EMPTY
    except ArchiveAnalyzerError as exc:  # this collection's problem; the others still run
        say(f"failed: {redact(str(exc))}")
        return FAILED
    db = Database.from_settings(settings)
    run = db.fetch_one("run_by_id", {"run_id": summary.run_id})
    failures = db.fetch_all("run_failures", {"run_id": summary.run_id, "limit": 20})
    say(format_report(run, failures))
    if summary.status != "succeeded":
        return FAILED
    if summary.seen == 0 and not settings.allow_empty:
        say(f"found no images under {settings.source or settings.manifest}")
        return EMPTY
    return SUCCEEDED


def worst(codes: list[int]) -> int:
    if any(code not in WORST_FIRST for code in codes):
        return FAILED
    return next((code for code in WORST_FIRST if code in codes), SUCCEEDED)


def nightly(collections: list[Settings], engine: str = "ray", say=print) -> int:
    codes = []
    for settings in collections:
        say(f"== {collection_key(settings)}")
        codes.append(reanalyse(settings, engine, say))
    return worst(codes)
