"""One analyze run, from settings to a finished row in `runs`.

List references -> take the collection's lock -> plan (new / changed / stale / unchanged) ->
record the run -> push what needs it through the stages on an engine -> count what comes back
-> check every listed image is accounted for -> finish the run.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from tqdm import tqdm

from archive_analyzer.accounting import Ledger
from archive_analyzer.db.database import Database
from archive_analyzer.db.migrate import migrate, require_current
from archive_analyzer.db.queries import query
from archive_analyzer.engine import Resources, StageSpec, run_engine
from archive_analyzer.errors import ConfigError
from archive_analyzer.model.loader import ModelInfo, inspect_model
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import Prompt, resolve_prompt
from archive_analyzer.model.tiny import write_tiny_model
from archive_analyzer.planning import Plan, forget_cached_listings, plan_items
from archive_analyzer.redact import redact, redact_value
from archive_analyzer.run_guard import collection_lock
from archive_analyzer.settings import Settings
from archive_analyzer.sources import (
    SourceItem,
    attach_manifest,
    list_images,
    normalize_uri,
    read_manifest,
)
from archive_analyzer.stages.analyze import ModelConfig
from archive_analyzer.stages.analyze_vllm import analyzer_class
from archive_analyzer.stages.decode import Decode, DecodeConfig
from archive_analyzer.stages.features import Features, FeaturesConfig
from archive_analyzer.stages.reuse import Reuse, ReuseConfig
from archive_analyzer.stages.sink import Sink, SinkConfig
from archive_analyzer.stages.structure import Structure, StructureConfig


@dataclass
class RunSummary:
    run_id: int
    seen: int = 0
    analysed: int = 0
    reused: int = 0  # content already analysed by this model and prompt: linked, not re-run
    failed: int = 0
    skipped: int = 0  # planned unchanged: neither read nor written
    seconds: float = 0.0
    status: str = "running"
    plan: dict[str, int] = field(default_factory=dict)
    failures_by_reason: dict[str, int] = field(default_factory=dict)
    accounting: dict[str, object] = field(default_factory=dict)  # accounting.Accounting.counts

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
            "failures_by_reason": self.failures_by_reason,
            **self.accounting,
        }


def open_database(settings: Settings) -> Database:
    """The configured database; the embedded one is migrated on demand for newcomers."""
    db = Database.from_settings(settings)
    if settings.database_url is None:
        migrate(db)
    else:
        require_current(db)
    return db


def model_location(settings: Settings, say=print) -> str:
    if settings.model:
        return settings.model
    tiny = settings.home / "models" / "tiny-llava"
    if not (tiny / "config.json").exists():
        write_tiny_model(tiny)
    say(
        "NOTE: no model configured (--model / ARCHIVE_ANALYZER_MODEL): using a tiny "
        "random-weight LLaVA. Its text is NOT meaningful; it only exercises the pipeline."
    )
    return str(tiny)


def collect_items(settings: Settings) -> tuple[list[SourceItem], list[str]]:
    if not settings.source:
        raise ConfigError("source: no source given (argument SOURCE or ARCHIVE_ANALYZER_SOURCE)")
    items = list_images(settings.source)
    if not settings.manifest:
        return items, []
    return attach_manifest(items, read_manifest(settings.manifest), settings.source)


def build_stages(
    settings: Settings,
    location: str,
    prompt: Prompt,
    db: Database,
    run_id: int,
    resources: Resources,
    model_version: str,
    force: bool = False,
) -> list[StageSpec]:
    spec = ImageSpec.from_model(location)
    decode = DecodeConfig(
        spec, settings.max_image_pixels, settings.min_image_side, decode_mode=settings.decode_mode
    )
    model = ModelConfig(
        location,
        settings.home / "model-cache",
        prompt,
        settings.max_new_tokens,
        settings.device,
        spec,
        threads=resources.threads_per_actor,
        static_kv_cache=settings.static_kv_cache,
    )
    reuse = ReuseConfig(db.url, model_version, prompt.version, force)
    batch = settings.batch_size
    return [
        StageSpec("decode", Decode, decode, "cpu", batch),
        StageSpec("reuse", Reuse, reuse, "io", batch),
        StageSpec("features", Features, FeaturesConfig(), "cpu", batch),
        StageSpec("analyze", analyzer_class(settings.model_engine), model, "model", batch),
        StageSpec("structure", Structure, StructureConfig(settings.embed), "cpu_actor", batch),
        StageSpec("sink", Sink, SinkConfig(db.url, run_id), "io", batch),
    ]


def _resources(settings: Settings, engine: str) -> Resources:
    if engine == "ray":
        from archive_analyzer.engine.ray_engine import init_ray, plan_resources

        init_ray(settings.ray_address)
        return plan_resources(settings.num_actors, settings.gpus_per_actor)
    return Resources(1, float(os.cpu_count() or 1), 0.0)


def collection_key(settings: Settings) -> str:
    """The collection a run locks and records: its name, or its source as a full URI, so
    `./photos` and `/srv/photos` are one collection."""
    if settings.collection or not settings.source:
        return settings.collection_name
    return normalize_uri(settings.source)


def start_run(lock, settings: Settings, info: ModelInfo, prompt: Prompt, plan: Plan) -> int:
    """Record the run on the lock's session, so its liveness is that session's."""
    params = {
        "collection": collection_key(settings),
        "source_uri": redact(settings.source or ""),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "model_version": info.version,
        "prompt_version": prompt.version,
        "prompt_name": prompt.name,
        "settings": json.dumps(redact_value(settings.public_dict())),
        "plan": json.dumps(plan.counts()),
    }
    return lock.execute(query("start_run"), params).fetchone()["id"]


def finish_run(db: Database, summary: RunSummary, error: str | None = None) -> None:
    db.execute(
        "finish_run",
        {
            "run_id": summary.run_id,
            "status": summary.status,
            "error": error,
            "counts": json.dumps(summary.counts()),
            "images_per_second": summary.images_per_second,
        },
    )


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


@dataclass(frozen=True)
class Prepared:
    """Everything decided before a run starts: fails fast on settings, model or source."""

    db: Database
    location: str
    info: ModelInfo
    prompt: Prompt
    items: list[SourceItem]
    missing: list[str]


def prepare(settings: Settings, say=print) -> Prepared:
    db = open_database(settings)
    location = model_location(settings, say)
    info = inspect_model(location)
    prompt = resolve_prompt(settings.prompt, settings.custom_prompt)
    if settings.source:
        forget_cached_listings(settings.source)
    items, missing = collect_items(settings)
    return Prepared(db, location, info, prompt, items, missing)


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
        _run_stages(ready, settings, engine, progress, todo, summary, force)
    return summary


def _run_stages(
    ready: Prepared,
    settings: Settings,
    engine: str,
    progress: bool,
    todo: list[SourceItem],
    summary: RunSummary,
    force: bool,
) -> None:
    db, missing = ready.db, ready.missing
    record_missing(db, summary.run_id, missing)
    ledger = Ledger([*(item.uri for item in ready.items), *missing])
    ledger.record(missing, ["failed"] * len(missing))
    planned = {item.uri for item in todo}
    unchanged = [item.uri for item in ready.items if item.uri not in planned]
    ledger.record(unchanged, ["skipped"] * len(unchanged))
    reasons = Counter({"missing": len(missing)} if missing else {})
    started = time.perf_counter()
    try:
        resources = _resources(settings, engine) if todo else Resources(1, 1.0, 0.0)
        stages = build_stages(
            settings,
            ready.location,
            ready.prompt,
            db,
            summary.run_id,
            resources,
            ready.info.version,
            force,
        )
        refs = [
            {
                "uri": i.uri,
                "object_id": i.object_id,
                "metadata": json.dumps(i.metadata),
                "fingerprint": i.fingerprint,
            }
            for i in todo
        ]
        bar = tqdm(
            total=summary.seen, unit="img", disable=not progress, file=sys.stderr, desc="analyze"
        )
        bar.update(len(missing) + summary.skipped)
        for batch in run_engine(engine, refs, stages, resources) if refs else ():
            for status, reason in zip(batch["status"], batch["reason"], strict=True):
                if status == "ok":
                    summary.analysed += 1
                elif status == "reused":
                    summary.reused += 1
                else:
                    reasons[str(reason)] += 1
            ledger.record(batch["uri"], batch["status"])
            bar.update(len(batch["status"]))
            bar.set_postfix(analysed=summary.analysed, failed=sum(reasons.values()))
        bar.close()
    except BaseException as exc:
        summary.seconds = time.perf_counter() - started
        summary.failed = sum(reasons.values())
        summary.failures_by_reason = dict(reasons)
        summary.status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        finish_run(db, summary, error=redact(f"{type(exc).__name__}: {exc}"))
        raise
    summary.seconds = time.perf_counter() - started
    summary.failed = sum(reasons.values())
    summary.failures_by_reason = dict(reasons)
    # listed = analysed (here or reused) + failed + skipped, URI by URI, or the run failed.
    account = ledger.close(summary.analysed + summary.reused, summary.failed, summary.skipped)
    summary.accounting = account.counts()
    summary.status = "succeeded" if account.balanced else "failed"
    finish_run(db, summary, account.error())
