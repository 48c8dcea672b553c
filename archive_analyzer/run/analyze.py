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
import json
import sys
from collections.abc import Iterable

from tqdm import tqdm

from archive_analyzer.db.indexes import index_maintenance
from archive_analyzer.engine import Resources, run_engine
from archive_analyzer.errors import EmptySourceError
from archive_analyzer.run.guard import CollectionLock, collection_lock
from archive_analyzer.run.interrupt import StopRequest, first_interrupt_stops, iterated
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
from archive_analyzer.stages.sink import Lease


def _prepared(settings: Settings, say) -> Prepared:
    """Prepared, refusing a source that lists nothing (an unmounted share, a typo) unless
    `allow_empty`: cron must not read "succeeded, 0 images" as a good night."""
    ready = prepare(settings, say)
    if not ready.items and not ready.missing and not settings.allow_empty:
        raise EmptySourceError(
            f"no images found under {settings.source or settings.manifest}; "
            "give --allow-empty (allow_empty = true) if an empty source is expected"
        )
    return ready


def plan_only(settings: Settings, say=print) -> tuple[dict[str, int], int]:
    """Plan counts without running; files whose fingerprint moved are hashed to be sure."""
    ready = _prepared(settings, say)
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
    ready = _prepared(settings, say)
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
            lease=Lease(lock.collection, lock.token),
        )
        with recorded(ready.db, summary):
            _write_without_model(ready, plan, ctx, summary)
            with index_maintenance(ready.db, settings, len(todo), run_id):
                _run(ready, ctx, lock, engine, progress, todo, summary, plan.conflicts)
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

    def push(self, ctx: RunContext, resources: Resources, todo: list[SourceItem]) -> list[str]:
        """Run `todo` through the stages; returns the URIs that came back reused."""
        reused: list[str] = []
        if not todo or self.stop.requested:
            return reused
        self.lock.renew()
        stages = build_stages(ctx, resources)
        run = run_engine(self.engine, _references(todo), stages, resources)
        with iterated(run) as batches:
            reused += self._drain(batches)
        return reused

    def _drain(self, batches: Iterable[dict]) -> list[str]:
        """Count each batch (it has passed the sink: its block is committed) until the
        batches end or a first Ctrl-C asks the run to stop."""
        reused: list[str] = []
        for batch in batches:
            _count(self.summary, batch)
            self.ledger.record(batch[URI], batch[STATUS])
            pairs = zip(batch[URI], batch[STATUS], strict=True)
            reused += [str(uri) for uri, status in pairs if status == Status.REUSED]
            self.bar.update(len(batch[STATUS]))
            self.bar.set_postfix(analysed=self.summary.analysed, failed=self.summary.failed)
            if self.stop.requested:
                break
            self.lock.renew()  # before the next block is written: still this run's collection
        return reused

    def without_analysis(self, ctx: RunContext, uris: Iterable[str]) -> list[str]:
        """Reused images whose content has no analysis by this model and prompt after all."""
        uris = sorted(set(uris))
        if not uris:
            return []
        params = {
            "uris": uris,
            "model_version": ctx.model_version,
            "prompt_version": ctx.prompt.version,
        }
        return [row["uri"] for row in self.ready.db.fetch_all("reused_without_analysis", params)]

    def reanalyse(self, ctx: RunContext, resources: Resources, reused: list[str]) -> None:
        """A reused twin whose first image failed has no analysis: run it again, with force,
        until every reused image has one or failed itself (each pass settles at least the
        first image of each content)."""
        forced = dataclasses.replace(ctx, force=True)
        by_uri = {item.uri: item for item in self.ready.items}
        orphans = self.without_analysis(ctx, reused)
        while orphans and not self.stop.requested:
            self.summary.reused -= len(orphans)
            self.ledger.reopen(orphans)
            self.bar.update(-len(orphans))
            again = self.without_analysis(
                ctx, self.push(forced, resources, [by_uri[uri] for uri in orphans])
            )
            if len(again) >= len(orphans):
                break  # no progress: the ledger names them unaccounted, and the run fails
            orphans = again


def _run(
    ready: Prepared,
    ctx: RunContext,
    lock: CollectionLock,
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
    resources = (
        engine_resources(ctx.settings, engine, ctx.run_id) if todo else Resources(1, 1.0, 0.0)
    )
    with (
        first_interrupt_stops() as stop,
        tqdm(
            total=summary.seen, unit="img", disable=not progress, file=sys.stderr, desc="analyze"
        ) as bar,
    ):
        bar.update(len(ready.missing) + len(conflicts) + summary.skipped)
        driver = _Driver(ready, lock, engine, summary, ledger, bar, stop)
        driver.reanalyse(ctx, resources, driver.push(ctx, resources, todo))
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
