"""The run's row in `runs`: started on the lock's session, finished exactly once.

`recorded` is the one place a run is finished: with its own outcome when the work returns, as
`failed` (or `interrupted` on Ctrl-C / SIGTERM, or when a later run took its collection) with
the error when it raises. Only a run still `running` is finished: one a later run marked
interrupted stays so, and the summary takes that status.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query
from archive_analyzer.errors import LeaseLost
from archive_analyzer.model.loader import ModelInfo
from archive_analyzer.model.prompts import Prompt
from archive_analyzer.redact import redact, redact_value
from archive_analyzer.run.plan import Plan
from archive_analyzer.run.prepare import collection_key
from archive_analyzer.settings import Settings


@dataclass
class RunSummary:
    run_id: int
    seen: int = 0
    analysed: int = 0
    reused: int = 0  # content already analysed by this model and prompt: linked, not re-run
    failed: int = 0
    skipped: int = 0  # planned unchanged: neither read nor written
    metadata_synced: int = 0  # skipped images whose artwork took corrected manifest fields
    seconds: float = 0.0
    status: str = "running"
    error: str | None = None  # stored on the run: an exception, or the books not balancing
    plan: dict[str, int] = field(default_factory=dict)
    failures_by_reason: dict[str, int] = field(default_factory=dict)
    accounting: dict[str, object] = field(default_factory=dict)  # ledger.Accounting.counts

    @property
    def images_per_second(self) -> float:
        return self.analysed / self.seconds if self.seconds else 0.0

    def counts(self) -> dict[str, object]:
        return {
            "seen": self.seen,
            "analysed": self.analysed,
            "reused": self.reused,
            "failed": self.failed,
            "skipped": self.skipped,
            "metadata_synced": self.metadata_synced,
            "failures_by_reason": self.failures_by_reason,
            **self.accounting,
        }


def start_run(lock, settings: Settings, info: ModelInfo, prompt: Prompt, plan: Plan) -> int:
    """Record the run on the lock's session, so its liveness is that session's; claim the
    collection's lease for it."""
    params = {
        "collection": redact(collection_key(settings)),  # a source URI may carry a key
        "source_uri": redact(settings.source or ""),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "model_version": info.version,
        "prompt_version": prompt.version,
        "prompt_name": prompt.name,
        "settings": json.dumps(redact_value(settings.public_dict())),
        "plan": json.dumps(plan.counts()),
    }
    run_id = lock.conn.execute(query("start_run"), params).fetchone()["id"]
    lock.claim(run_id)
    return run_id


def record_missing(db: Database, run_id: int, uris: list[str]) -> None:
    message = "listed in the manifest but not found under the source"
    with db.connect() as conn, conn.cursor() as cur:
        for uri in uris:
            cur.execute(
                query("record_failure"),
                {
                    "run_id": run_id,
                    "uri": uri,
                    "sha256": None,
                    "reason": "missing",
                    "message": message,
                },
            )


def _finish_run(db: Database, summary: RunSummary) -> None:
    params = {
        "run_id": summary.run_id,
        "status": summary.status,
        "error": summary.error,
        "counts": json.dumps(summary.counts()),
        "images_per_second": summary.images_per_second,
    }
    if db.fetch_one("finish_run", params) is None:  # no longer running: its status stands
        found = db.fetch_one("run_status", {"run_id": summary.run_id})
        summary.status, summary.error = found["status"], found["error"]


@contextmanager
def recorded(db: Database, summary: RunSummary) -> Iterator[RunSummary]:
    """Time the work and finish its run once, whichever way the work ends.

    The work sets `summary.status` (and `error`) itself when it returns; the counts it kept
    on `summary` so far are stored either way.
    """
    started = time.perf_counter()
    try:
        yield summary
    except BaseException as exc:
        stopped = isinstance(exc, (KeyboardInterrupt, LeaseLost))
        summary.status = "interrupted" if stopped else "failed"
        summary.error = redact(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        summary.seconds = time.perf_counter() - started
        _finish_run(db, summary)
