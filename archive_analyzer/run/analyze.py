"""One analyze run, from settings to a finished row in `runs`.

prepare (settings -> database, model, prompt, listed images) -> take the collection's lock
(guard) -> plan (new / changed / stale / unchanged) -> record the run -> push what needs it
through the stages (wiring) on an engine, counting what comes back into the progress bar and
the ledger -> check every listed image is accounted for -> finish the run (record, once).
"""

from __future__ import annotations

import json
import sys

from tqdm import tqdm

from archive_analyzer.engine import Resources, run_engine
from archive_analyzer.run.guard import collection_lock
from archive_analyzer.run.interrupt import first_interrupt_stops, iterated
from archive_analyzer.run.ledger import Ledger
from archive_analyzer.run.plan import plan_items
from archive_analyzer.run.prepare import Prepared, collection_key, prepare
from archive_analyzer.run.record import RunSummary, record_missing, recorded, start_run
from archive_analyzer.run.wiring import RunContext, build_stages, engine_resources
from archive_analyzer.settings import Settings
from archive_analyzer.sources import SourceItem
from archive_analyzer.stages.contract import (
    FINGERPRINT,
    METADATA,
    OBJECT_ID,
    REASON,
    STATUS,
    URI,
    Status,
)


def plan_only(settings: Settings, say=print) -> tuple[dict[str, int], int]:
    """Plan counts without running; files whose fingerprint moved are hashed to be sure."""
    ready = prepare(settings, say)
    plan = plan_items(ready.db, ready.items, ready.info.version, ready.prompt.version, True)
    return plan.counts(), len(ready.missing)


def analyze(
    settings: Settings, engine: str = "ray", progress: bool = True, say=print, force: bool = False
) -> RunSummary:
    ready = prepare(settings, say)
    with collection_lock(ready.db, collection_key(settings)) as lock:
        plan = plan_items(ready.db, ready.items, ready.info.version, ready.prompt.version)
        todo = plan.selected(ready.items, force)
        run_id = start_run(lock, settings, ready.info, ready.prompt, plan)
        summary = RunSummary(
            run_id=run_id,
            seen=len(ready.items) + len(ready.missing),
            skipped=len(ready.items) - len(todo),
            plan=plan.counts(),
        )
        ctx = RunContext(
            settings, ready.location, ready.info.version, ready.prompt, ready.db.url, run_id, force
        )
        with recorded(ready.db, summary):
            _run(ready, ctx, engine, progress, todo, summary)
    return summary


def _opening_ledger(ready: Prepared, todo: list[SourceItem]) -> Ledger:
    """The ledger before any image moves: manifest URIs not found failed, unchanged skipped."""
    ledger = Ledger([*(item.uri for item in ready.items), *ready.missing])
    ledger.record(ready.missing, [Status.FAILED] * len(ready.missing))
    planned = {item.uri for item in todo}
    unchanged = [item.uri for item in ready.items if item.uri not in planned]
    ledger.record(unchanged, ["skipped"] * len(unchanged))
    return ledger


def _references(todo: list[SourceItem]) -> list[dict]:
    """What travels to the workers: references and metadata, never bytes."""
    return [
        {
            URI: item.uri,
            OBJECT_ID: item.object_id,
            METADATA: json.dumps(item.metadata),
            FINGERPRINT: item.fingerprint,
        }
        for item in todo
    ]


def _fail(summary: RunSummary, reason: str, count: int = 1) -> None:
    summary.failed += count
    summary.failures_by_reason[reason] = summary.failures_by_reason.get(reason, 0) + count


def _count(summary: RunSummary, batch: dict) -> None:
    for status, reason in zip(batch[STATUS], batch[REASON], strict=True):
        if status == Status.OK:
            summary.analysed += 1
        elif status == Status.REUSED:
            summary.reused += 1
        else:
            _fail(summary, str(reason))


def _run(
    ready: Prepared,
    ctx: RunContext,
    engine: str,
    progress: bool,
    todo: list[SourceItem],
    summary: RunSummary,
) -> None:
    record_missing(ready.db, summary.run_id, ready.missing)
    if ready.missing:
        _fail(summary, "missing", len(ready.missing))
    ledger = _opening_ledger(ready, todo)
    resources = (
        engine_resources(ctx.settings, engine, ctx.run_id) if todo else Resources(1, 1.0, 0.0)
    )
    stages = build_stages(ctx, resources)
    refs = _references(todo)
    with (
        first_interrupt_stops() as stop,
        tqdm(
            total=summary.seen, unit="img", disable=not progress, file=sys.stderr, desc="analyze"
        ) as bar,
        iterated(run_engine(engine, refs, stages, resources) if refs else ()) as batches,
    ):
        bar.update(len(ready.missing) + summary.skipped)
        for batch in batches:  # each batch has passed the sink: its block is committed
            _count(summary, batch)
            ledger.record(batch[URI], batch[STATUS])
            bar.update(len(batch[STATUS]))
            bar.set_postfix(analysed=summary.analysed, failed=summary.failed)
            if stop.requested:
                break
    if stop.requested:
        raise KeyboardInterrupt(f"run {summary.run_id} stopped; {summary.analysed} analysed kept")
    # listed = analysed (here or reused) + failed + skipped, URI by URI, or the run failed.
    account = ledger.close(summary.analysed + summary.reused, summary.failed, summary.skipped)
    summary.accounting = account.counts()
    summary.status = "succeeded" if account.balanced else "failed"
    summary.error = account.error()
