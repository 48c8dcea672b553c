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
from archive_analyzer.run.ledger import Ledger
from archive_analyzer.run.plan import Plan, plan_items
from archive_analyzer.run.prepare import Prepared, collection_key, prepare
from archive_analyzer.run.record import RunSummary, record_missing, recorded, start_run
from archive_analyzer.run.sync import CONFLICT, record_conflicts, sync_metadata
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
    plan = plan_items(
        ready.db,
        ready.items,
        ready.info.version,
        ready.prompt.version,
        True,
        collection_key(settings),
        settings.source,
    )
    return plan.counts(), len(ready.missing)


def analyze(
    settings: Settings, engine: str = "ray", progress: bool = True, say=print, force: bool = False
) -> RunSummary:
    ready = prepare(settings, say)
    key = collection_key(settings)
    with collection_lock(ready.db, key) as lock:
        plan = plan_items(
            ready.db,
            ready.items,
            ready.info.version,
            ready.prompt.version,
            False,
            key,
            settings.source,
        )
        todo = plan.selected(ready.items, force)
        run_id = start_run(lock, settings, ready.info, ready.prompt, plan)
        summary = RunSummary(
            run_id=run_id,
            seen=len(ready.items) + len(ready.missing),
            skipped=len(ready.items) - len(todo) - len(plan.conflicts),
            plan=plan.counts(),
        )
        ctx = RunContext(
            settings,
            ready.location,
            ready.info.version,
            ready.prompt,
            ready.db.url,
            run_id,
            force=force,
            collection=key,
        )
        with recorded(ready.db, summary):
            _write_without_model(ready, plan, ctx, summary)
            _run(ready, ctx, engine, progress, todo, summary, plan.conflicts)
    return summary


def _write_without_model(ready: Prepared, plan: Plan, ctx: RunContext, summary) -> None:
    """Object id conflicts become failure rows; corrected manifest rows reach their artworks."""
    record_conflicts(ready.db, summary.run_id, ctx.collection, ready.items, plan.conflicts)
    if plan.conflicts:
        _fail(summary, CONFLICT, len(plan.conflicts))
    synced = plan.synced(ready.items, ctx.force)
    summary.metadata_synced = sync_metadata(ready.db, summary.run_id, ctx.collection, synced)


def _opening_ledger(ready: Prepared, todo: list[SourceItem], conflicts: dict) -> Ledger:
    """The ledger before any image moves: manifest URIs not found and object id conflicts
    failed, unchanged (and metadata-synced) skipped."""
    ledger = Ledger([*(item.uri for item in ready.items), *ready.missing])
    failed = [*ready.missing, *conflicts]
    ledger.record(failed, [Status.FAILED] * len(failed))
    planned = {item.uri for item in todo} | set(conflicts)
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
    conflicts: dict[str, str],
) -> None:
    record_missing(ready.db, summary.run_id, ready.missing)
    if ready.missing:
        _fail(summary, "missing", len(ready.missing))
    ledger = _opening_ledger(ready, todo, conflicts)
    resources = engine_resources(ctx.settings, engine) if todo else Resources(1, 1.0, 0.0)
    stages = build_stages(ctx, resources)
    refs = _references(todo)
    with tqdm(
        total=summary.seen, unit="img", disable=not progress, file=sys.stderr, desc="analyze"
    ) as bar:
        bar.update(len(ready.missing) + len(conflicts) + summary.skipped)
        for batch in run_engine(engine, refs, stages, resources) if refs else ():
            _count(summary, batch)
            ledger.record(batch[URI], batch[STATUS])
            bar.update(len(batch[STATUS]))
            bar.set_postfix(analysed=summary.analysed, failed=summary.failed)
    # listed = analysed (here or reused) + failed + skipped, URI by URI, or the run failed.
    account = ledger.close(summary.analysed + summary.reused, summary.failed, summary.skipped)
    summary.accounting = account.counts()
    summary.status = "succeeded" if account.balanced else "failed"
    summary.error = account.error()
