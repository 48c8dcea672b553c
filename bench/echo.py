"""The pipeline's own ceiling: end-to-end runs with the echo engine (no model) on Ray.

`echo_pipeline_rate(n_images, repeats)` runs the real pipeline (run.analyze, local Ray, an
embedded PostgreSQL) on N and on 4N fresh images, alternately, `repeats` times each. The
marginal rate (4N - N) / (t4N - tN) leaves out what every run pays once (planning, Ray Data's
start, actors loading the embedder). Which stage bounds it comes from each stage class of the
same wiring run alone in this process on N of the same rows: CPU-ms per image
(time.process_time; the sink's share excludes the PostgreSQL server's own work) and wall-ms.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from archive_analyzer.engine import Resources
from archive_analyzer.engine.ray_engine import init_ray
from archive_analyzer.model.prompts import resolve_prompt
from archive_analyzer.run.analyze import analyze
from archive_analyzer.run.wiring import RunContext, build_stages
from archive_analyzer.settings import Settings, load_settings
from archive_analyzer.stages.analyze_echo import ECHO_LOCATION, echo_version
from bench.database import scratch_database, start_run
from bench.pipeline import write_paintings

IMAGE_SIZE = (900, 700)


def spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def echo_settings(db_url: str, home: Path, source: Path, **overrides) -> Settings:
    return load_settings(
        None,
        source=str(source),
        database_url=db_url,
        home=str(home),
        model_engine="echo",
        **overrides,
    )


def timed_run(settings: Settings) -> float:
    started = time.perf_counter()
    summary = analyze(settings, engine="ray", progress=False, say=lambda *_: None)
    seconds = time.perf_counter() - started
    if summary.status != "succeeded" or summary.failed:
        raise RuntimeError(f"echo run did not succeed: {summary}")
    return seconds


def stage_costs(settings: Settings, db, paths: list[str]) -> dict[str, dict[str, float]]:
    """Each stage of the run's wiring alone, on the same rows: CPU-ms and wall-ms per image."""
    prompt = resolve_prompt(settings.prompt)
    run_id = start_run(db, "echo-stages")
    ctx = RunContext(settings, ECHO_LOCATION, echo_version(), prompt, db.url, run_id, force=True)
    references = [
        {"uri": p, "object_id": f"s{n}", "metadata": "{}", "fingerprint": f"s{n}"}
        for n, p in enumerate(paths)
    ]
    size = settings.batch_size
    batches = [
        {k: [r[k] for r in references[i : i + size]] for k in references[0]}
        for i in range(0, len(references), size)
    ]
    costs = {}
    for spec in build_stages(ctx, Resources(1, 1.0, 0.0)):
        stage = spec.build()  # built once, as an actor would; not counted
        cpu, wall = time.process_time(), time.perf_counter()
        batches = [stage(batch) for batch in batches]
        costs[spec.name] = {
            "cpu_ms_per_image": 1000 * (time.process_time() - cpu) / len(paths),
            "wall_ms_per_image": 1000 * (time.perf_counter() - wall) / len(paths),
        }
    return costs


def echo_pipeline_rate(n_images: int, repeats: int = 5, embed: bool = True) -> dict:
    """{"pipeline_echo_images_per_s": median marginal rate, its spread, the stage costs and
    the stage that bounds the pipeline (the most CPU-ms per image)}."""
    if n_images < 1 or repeats < 1:
        raise ValueError("n_images and repeats must be at least 1")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    init_ray(None)
    small, large, marginal = [], [], []
    first = 0
    with tempfile.TemporaryDirectory(prefix="bench-echo-") as tmp, scratch_database() as (db, _):
        root = Path(tmp)
        for n in range(repeats):  # N, 4N, N, 4N ...: both sizes see the same moments
            seconds = {}
            for count in (n_images, 4 * n_images):
                folder = root / f"images-{n}-{count}"
                write_paintings(folder, count, IMAGE_SIZE, first=first)
                first += count  # fresh content every run: nothing is reused
                settings = echo_settings(db.url, root / "home", folder, embed=embed)
                seconds[count] = timed_run(settings)
            small.append(seconds[n_images])
            large.append(seconds[4 * n_images])
            if large[-1] > small[-1]:  # else the load on the machine swamped the pair
                marginal.append(3 * n_images / (large[-1] - small[-1]))
        folder = root / "stages"
        paths = write_paintings(folder, n_images, IMAGE_SIZE, first=first)
        costs = stage_costs(echo_settings(db.url, root / "home", folder, embed=embed), db, paths)
    bound = max(costs, key=lambda name: costs[name]["cpu_ms_per_image"])
    return {
        # None when load swamped every pair (4N never took longer than N): use a larger N.
        "pipeline_echo_images_per_s": statistics.median(marginal) if marginal else None,
        "marginal_images_per_s": spread(marginal) if marginal else None,
        "seconds_n": spread(small),
        "seconds_4n": spread(large),
        "n_images": n_images,
        "repeats": repeats,
        "pairs_swamped_by_load": repeats - len(marginal),
        "stage_cpu_ms_per_image": {k: v["cpu_ms_per_image"] for k, v in costs.items()},
        "stage_wall_ms_per_image": {k: v["wall_ms_per_image"] for k, v in costs.items()},
        "bounding_stage": bound,
    }
