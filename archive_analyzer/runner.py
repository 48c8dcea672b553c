"""One analyze run, from settings to a finished row in `runs`.

List references -> record the run -> push them through the stages on an engine -> count what
comes back -> check every listed image is accounted for -> finish the run.
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

from archive_analyzer.db.database import Database
from archive_analyzer.db.migrate import migrate, require_current
from archive_analyzer.db.queries import query
from archive_analyzer.engine import Resources, StageSpec, run_engine
from archive_analyzer.errors import ConfigError
from archive_analyzer.model.loader import ModelInfo, inspect_model
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import Prompt, resolve_prompt
from archive_analyzer.model.tiny import write_tiny_model
from archive_analyzer.settings import Settings
from archive_analyzer.sources import SourceItem, attach_manifest, list_images, read_manifest
from archive_analyzer.stages.analyze import Analyze, ModelConfig
from archive_analyzer.stages.decode import Decode, DecodeConfig
from archive_analyzer.stages.sink import Sink, SinkConfig


@dataclass
class RunSummary:
    run_id: int
    seen: int = 0
    analysed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    status: str = "running"
    failures_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def images_per_second(self) -> float:
        return self.analysed / self.seconds if self.seconds else 0.0

    def counts(self) -> dict[str, object]:
        return {
            "seen": self.seen,
            "analysed": self.analysed,
            "failed": self.failed,
            "skipped": self.skipped,
            "failures_by_reason": self.failures_by_reason,
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
) -> list[StageSpec]:
    spec = ImageSpec.from_model(location)
    decode = DecodeConfig(spec, settings.max_image_pixels, settings.min_image_side)
    model = ModelConfig(
        location,
        settings.home / "model-cache",
        prompt,
        settings.max_new_tokens,
        settings.device,
        spec,
        threads=resources.threads_per_actor,
    )
    batch = settings.batch_size
    return [
        StageSpec("decode", Decode, decode, "cpu", batch),
        StageSpec("analyze", Analyze, model, "model", batch),
        StageSpec("sink", Sink, SinkConfig(db.url, run_id), "io", batch),
    ]


def _resources(settings: Settings, engine: str) -> Resources:
    if engine == "ray":
        from archive_analyzer.engine.ray_engine import init_ray, plan_resources

        init_ray(settings.ray_address)
        return plan_resources(settings.num_actors, settings.gpus_per_actor)
    return Resources(1, float(os.cpu_count() or 1), 0.0)


def start_run(db: Database, settings: Settings, info: ModelInfo, prompt: Prompt) -> int:
    row = db.fetch_one(
        "start_run",
        {
            "collection": settings.collection_name,
            "source_uri": settings.source,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "model_version": info.version,
            "prompt_version": prompt.version,
            "settings": json.dumps(settings.public_dict()),
        },
    )
    return row["id"]


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


def analyze(
    settings: Settings, engine: str = "ray", progress: bool = True, say=print
) -> RunSummary:
    db = open_database(settings)
    location = model_location(settings, say)
    info = inspect_model(location)
    prompt = resolve_prompt(settings.prompt, settings.custom_prompt)
    items, missing = collect_items(settings)
    run_id = start_run(db, settings, info, prompt)
    summary = RunSummary(run_id=run_id, seen=len(items) + len(missing))
    record_missing(db, run_id, missing)
    reasons = Counter({"missing": len(missing)} if missing else {})
    started = time.perf_counter()
    try:
        resources = _resources(settings, engine)
        stages = build_stages(settings, location, prompt, db, run_id, resources)
        refs = [
            {"uri": i.uri, "object_id": i.object_id, "metadata": json.dumps(i.metadata)}
            for i in items
        ]
        bar = tqdm(
            total=summary.seen, unit="img", disable=not progress, file=sys.stderr, desc="analyze"
        )
        bar.update(len(missing))
        for batch in run_engine(engine, refs, stages, resources):
            for status, reason in zip(batch["status"], batch["reason"], strict=True):
                if status == "ok":
                    summary.analysed += 1
                else:
                    reasons[str(reason)] += 1
            bar.update(len(batch["status"]))
            bar.set_postfix(analysed=summary.analysed, failed=sum(reasons.values()))
        bar.close()
    except BaseException as exc:
        summary.seconds = time.perf_counter() - started
        summary.status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        finish_run(db, summary, error=f"{type(exc).__name__}: {exc}")
        raise
    summary.seconds = time.perf_counter() - started
    summary.failed = sum(reasons.values())
    summary.failures_by_reason = dict(reasons)
    summary.status = "succeeded" if summary.analysed + summary.failed == summary.seen else "failed"
    finish_run(db, summary, None if summary.status == "succeeded" else "images unaccounted for")
    return summary
