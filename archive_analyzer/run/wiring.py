"""The stages of one run, wired from a small context: what each stage is built from."""

from __future__ import annotations

import os
from dataclasses import dataclass

from archive_analyzer.engine import Resources, StageSpec, engine_log_path
from archive_analyzer.model.loader import model_cache_dir
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import Prompt
from archive_analyzer.retry import RetryPolicy
from archive_analyzer.settings import Settings
from archive_analyzer.sources import normalize_uri
from archive_analyzer.stages.analyze import ModelConfig
from archive_analyzer.stages.analyze_vllm import analyzer_class
from archive_analyzer.stages.decode import Decode, DecodeConfig
from archive_analyzer.stages.features import Features, FeaturesConfig
from archive_analyzer.stages.reuse import Reuse, ReuseConfig
from archive_analyzer.stages.sink import Lease, Sink, SinkConfig
from archive_analyzer.stages.structure import Structure, StructureConfig


@dataclass(frozen=True)
class RunContext:
    """One run as its stages see it: settings, the model and prompt, where to write."""

    settings: Settings
    location: str  # the model directory or URI
    model_version: str
    prompt: Prompt
    db_url: str
    run_id: int
    force: bool = False  # re-run the model even on content it has already analysed
    lease: Lease | None = None  # the run's collection lease, checked by the sink on each write
    collection: str = "default"  # the artworks' collection (prepare.collection_key)


def _model_config(ctx: RunContext, spec: ImageSpec, resources: Resources) -> ModelConfig:
    settings = ctx.settings
    return ModelConfig(
        ctx.location,
        model_cache_dir(settings),
        ctx.prompt,
        settings.max_new_tokens,
        settings.device,
        spec,
        threads=resources.threads_per_actor,
        static_kv_cache=settings.static_kv_cache,
    )


# The per-row stages run as autoscaling actor pools, by kind (engine/sizing.py).
POOLED_STAGES = {"reuse": "io", "features": "cpu_actor", "structure": "embed", "sink": "io"}


def _structure_config(settings: Settings, resources: Resources) -> StructureConfig:
    device = "cuda" if resources.on_gpu("structure") else "cpu"
    return StructureConfig(settings.embed, resources.pool_threads("structure"), device)


def build_stages(ctx: RunContext, resources: Resources) -> list[StageSpec]:
    settings, batch = ctx.settings, ctx.settings.batch_size
    # The echo engine has no model to read: it gets GalleryGPT's squares (the default spec).
    echo = settings.model_engine == "echo"
    spec = ImageSpec() if echo else ImageSpec.from_model(ctx.location)
    policy = RetryPolicy(per_host=settings.http_per_host)
    decode = DecodeConfig(
        spec,
        settings.max_image_pixels,
        settings.min_image_side,
        policy,
        decode_mode=settings.decode_mode,
        source_root=normalize_uri(settings.source) if settings.source else None,
    )
    reuse = ReuseConfig(ctx.db_url, ctx.model_version, ctx.prompt.version, ctx.force)
    analyzer = analyzer_class(settings.model_engine)
    return [
        StageSpec("decode", Decode, decode, "cpu", batch),
        StageSpec("reuse", Reuse, reuse, "io", batch),
        StageSpec("features", Features, FeaturesConfig(), "cpu_actor", batch),
        StageSpec("analyze", analyzer, _model_config(ctx, spec, resources), "model", batch),
        StageSpec("structure", Structure, _structure_config(settings, resources), "embed", batch),
        StageSpec(
            "sink", Sink, SinkConfig(ctx.db_url, ctx.run_id, ctx.lease, ctx.collection), "io", batch
        ),
    ]


def engine_resources(settings: Settings, engine: str, run_id: int | None = None) -> Resources:
    """What the engine gives the stages: on Ray, sized from the cluster it joins or starts."""
    if engine == "ray":
        from archive_analyzer.engine.ray_engine import init_ray, plan_resources

        log = engine_log_path(settings.home, run_id) if run_id is not None else None
        init_ray(settings.ray_address, log)
        return plan_resources(
            settings.num_actors, settings.gpus_per_actor, POOLED_STAGES, settings.stage_actors
        )
    return Resources(1, float(os.cpu_count() or 1), 0.0)
