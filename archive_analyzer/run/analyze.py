"""One analyze run, from settings to a finished row in `runs`.

prepare (settings -> database, model, prompt, listed images; none listed is an error unless
allowed) -> take the collection's lock (guard) -> plan (new / changed / stale / unchanged) ->
record the run and claim its lease -> push what needs it through the stages (wiring) on an
engine, renewing the lease between blocks and counting what comes back into the progress bar
and the ledger -> analyse again, with force, images left "reused" with no analysis (their twin
failed) -> check every listed image is accounted for and failures stay under the allowed
fraction -> finish the run (record, once).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable

from tqdm import tqdm

from archive_analyzer.db.database import Database
from archive_analyzer.engine import Chunk, Resources, in_memory, run_engine
from archive_analyzer.errors import EmptySourceError
from archive_analyzer.run.guard import CollectionLock, collection_lock
from archive_analyzer.run.interrupt import StopRequest, first_interrupt_stops, iterated
from archive_analyzer.run.ledger import Ledger
from archive_analyzer.run.plan import Plan, plan_listing
from archive_analyzer.run.prepare import Prepared, collection_key, prepare
from archive_analyzer.run.record import RunSummary, record_missing, recorded, start_run
from archive_analyzer.run.references import ledger_chunks, reference
from archive_analyzer.run.staging import StagedListing
from archive_analyzer.run.sync import CONFLICT, record_conflicts, sync_metadata
from archive_analyzer.run.wiring import RunContext, build_stages, engine_resources
from archive_analyzer.settings import Settings
from archive_analyzer.stages.contract import REASON, STATUS, URI, Status
from archive_analyzer.stages.sink import Lease


def _staged(ready: Prepared, staged: StagedListing, settings: Settings) -> int:
    """Stage the listing page by page; refuse a source that lists nothing (an unmounted
    share, a typo) unless `allow_empty`: cron must not read "succeeded, 0 images" as a good
    night. Returns how many images were listed."""
    listed = staged.add(ready.pages)
    if not listed and not ready.missing and not settings.allow_empty:
        raise EmptySourceError(
            f"no images found under {settings.source or settings.manifest}; "
            "give --allow-empty (allow_empty = true) if an empty source is expected"
        )
    return listed


def plan_only(settings: Settings, say=print) -> tuple[dict[str, int], int]:
    """Plan counts without running; files whose fingerprint moved are hashed to be sure."""
    ready = prepare(settings, say)
    with StagedListing.open(ready.db) as staged:
        _staged(ready, staged, settings)
        versions = (ready.info.version, ready.prompt.version)
        plan = plan_listing(staged, *versions, True, collection_key(settings), settings.source)
    return plan.counts(), len(ready.missing)


def analyze(
    settings: Settings, engine: str = "ray", progress: bool = True, say=print, force: bool = False
) -> RunSummary:
    ready = prepare(settings, say)
    key = collection_key(settings)
    with StagedListing.open(ready.db) as staged:
        listed = _staged(ready, staged, settings)
        with collection_lock(ready.db, key) as lock:
            versions = (ready.info.version, ready.prompt.version)
            plan = plan_listing(staged, *versions, False, key, settings.source)
            run_id = start_run(lock, settings, ready.info, ready.prompt, plan)
            summary = RunSummary(
                run_id=run_id,
                seen=listed + len(ready.missing),
                skipped=listed - plan.selected(force) - plan.conflicts,
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
                lease=Lease(lock.collection, lock.token),
            )
            with recorded(ready.db, summary):
                staged.open_ledger(run_id, plan.sent(force), ready.missing)
                _write_without_model(ready.db, staged, plan, ctx, summary)
                _run(ready, ctx, lock, engine, progress, plan, summary)
    return summary


def _write_without_model(
    db: Database, staged: StagedListing, plan: Plan, ctx: RunContext, summary: RunSummary
) -> None:
    """Object id conflicts become failure rows; corrected manifest rows reach their artworks."""
    record_conflicts(db, summary.run_id, ctx.collection, staged.items(["conflict"]))
    if plan.conflicts:
        _fail(summary, CONFLICT, plan.conflicts)
    classes = plan.synced(ctx.force)
    count = sum(plan.counts()[name] for name in classes)
    synced = (item for item, _ in staged.items(classes))
    summary.metadata_synced = sync_metadata(db, summary.run_id, ctx.collection, synced, count)


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


@dataclasses.dataclass
class _Driver:
    """What one pass of the stages needs: where it runs, and where its outcomes are counted."""

    ready: Prepared
    lock: CollectionLock
    engine: str
    summary: RunSummary
    ledger: Ledger
    bar: tqdm
    stop: StopRequest

    def push(self, ctx: RunContext, resources: Resources, chunks: list[Chunk]) -> None:
        """Run the references of `chunks` through the stages."""
        if not chunks or self.stop.requested:
            return
        self.lock.renew()
        stages = build_stages(ctx, resources)
        run = run_engine(self.engine, chunks, stages, resources)
        with iterated(run) as batches:
            self._drain(batches)

    def _drain(self, batches: Iterable[dict]) -> None:
        """Count each batch (it has passed the sink: its block is committed) until the
        batches end or a first Ctrl-C asks the run to stop."""
        for batch in batches:
            _count(self.summary, batch)
            self.ledger.record(batch[URI], batch[STATUS])
            self.bar.update(len(batch[STATUS]))
            self.bar.set_postfix(analysed=self.summary.analysed, failed=self.summary.failed)
            if self.stop.requested:
                break
            self.lock.renew()  # before the next block is written: still this run's collection

    def orphans(self, ctx: RunContext) -> list[dict]:
        """Reused images whose content has no analysis by this model and prompt after all."""
        params = {
            "run_id": ctx.run_id,
            "model_version": ctx.model_version,
            "prompt_version": ctx.prompt.version,
        }
        return self.ready.db.fetch_all("ledger_orphans", params)

    def reanalyse(self, ctx: RunContext, resources: Resources) -> None:
        """A reused twin whose first image failed has no analysis: run it again, with force,
        until every reused image has one or failed itself (each pass settles at least the
        first image of each content)."""
        forced = dataclasses.replace(ctx, force=True)
        orphans = self.orphans(ctx)
        while orphans and not self.stop.requested:
            self.summary.reused -= len(orphans)
            self.ledger.reopen(row["uri"] for row in orphans)
            self.bar.update(-len(orphans))
            self.push(forced, resources, in_memory([reference(row) for row in orphans]))
            again = self.orphans(ctx)
            if len(again) >= len(orphans):
                break  # no progress: the run's books name them, and the run fails
            orphans = again


def _run(
    ready: Prepared,
    ctx: RunContext,
    lock: CollectionLock,
    engine: str,
    progress: bool,
    plan: Plan,
    summary: RunSummary,
) -> None:
    record_missing(ready.db, summary.run_id, ready.missing)
    if ready.missing:
        _fail(summary, "missing", len(ready.missing))
    ledger = Ledger(ready.db, summary.run_id)
    sent = plan.selected(ctx.force)
    resources = (
        engine_resources(ctx.settings, engine, ctx.run_id) if sent else Resources(1, 1.0, 0.0)
    )
    with (
        first_interrupt_stops() as stop,
        tqdm(
            total=summary.seen, unit="img", disable=not progress, file=sys.stderr, desc="analyze"
        ) as bar,
    ):
        bar.update(len(ready.missing) + plan.conflicts + summary.skipped)
        driver = _Driver(ready, lock, engine, summary, ledger, bar, stop)
        driver.push(ctx, resources, ledger_chunks(ready.db, summary.run_id))
        driver.reanalyse(ctx, resources)
    if stop.requested:
        raise KeyboardInterrupt(f"run {summary.run_id} stopped; {summary.analysed} analysed kept")
    # listed = analysed (here or reused) + failed + skipped, URI by URI, or the run failed.
    account = ledger.close(summary.analysed + summary.reused, summary.failed, summary.skipped)
    summary.accounting = account.counts()
    summary.status = "succeeded" if account.balanced else "failed"
    summary.error = account.error() or _too_many_failures(ctx.settings, summary)
    if summary.error:
        summary.status = "failed"


def _too_many_failures(settings: Settings, summary: RunSummary) -> str | None:
    """The error when more than `max_failed_fraction` of the images this run tried failed."""
    limit = settings.max_failed_fraction
    tried = summary.analysed + summary.reused + summary.failed
    if limit is None or not tried or summary.failed / tried <= limit:
        return None
    return (
        f"{summary.failed} of {tried} images failed ({summary.failed / tried:.1%}), more than "
        f"max_failed_fraction {limit:g} allows"
    )
