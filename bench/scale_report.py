"""`python -m bench --only scale --json FILE`: the scale-out figures of one run, side by side.

Each figure comes from the module that measures it, in this process, one after the other:
- driver and object-store bytes per image: the slope between 10k and 100k listed images
  (bench/driver.py), not a ratio, so a fixed import floor cannot hide a per-image cost;
- the echo pipeline's marginal rate (N vs 4N images through the real pipeline with the echo
  engine) and each stage's CPU-ms per image, with the stage that bounds it (bench/echo.py);
- the sink's rows/s in live and bulk index mode beside the previous writer on the same write
  set (bench/scale.py);
- the actors that did each stage's work on a local Ray started with 16 logical CPUs, with the
  echo engine and the sentence embedder on, so the stages after the model see blocks as fast
  as a pool of GPUs would send them (bench/scale.py).

The capacity table (cores each stage needs per H100) is derived from the CPU-ms per image and
the measured 10.5 images/s of one H100 (bench/RESULTS.md, GPU section).
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.table import Row

H100_IMAGES_PER_S = 10.5  # GalleryGPT-7B, vLLM, bf16: bench/RESULTS.md's GPU run
GPU_COUNTS = (1, 8, 100)
SIZES = {
    True: {"small": 500, "large": 2_000, "echo": 4, "repeats": 1, "sink_rows": 200, "pool": 24},
    False: {
        "small": 10_000,
        "large": 100_000,
        "echo": 16,
        "repeats": 5,
        "sink_rows": 10_000,
        "pool": 96,
    },
}
# The sink's write set: large enough that bulk mode's fixed cost (dropping the indexes, starting
# the parallel build) is spread as it is on a run that chooses bulk (auto: 1,000 images or more
# onto a catalog under three times their number), small enough for five repeats of three writers.


def cores_needed(cpu_ms_per_image: float, gpus: int) -> float:
    """Cores a stage needs to keep pace with `gpus` H100s at the measured rate."""
    return cpu_ms_per_image / 1000.0 * H100_IMAGES_PER_S * gpus


def capacity(stage_cpu_ms: dict[str, float]) -> dict[str, dict[str, float]]:
    return {
        stage: {f"cores_for_{n}_h100": cores_needed(ms, n) for n in GPU_COUNTS}
        for stage, ms in stage_cpu_ms.items()
    }


def measure(quick: bool) -> dict:
    from bench.driver import driver_bytes_per_image
    from bench.echo import echo_pipeline_rate
    from bench.scale import sink_rates, stage_actor_counts

    size = SIZES[quick]
    driver = driver_bytes_per_image(size["small"], size["large"])
    echo = echo_pipeline_rate(size["echo"], size["repeats"])
    sink = sink_rates(size["sink_rows"], size["repeats"])
    return {
        "driver_bytes_per_image": driver["driver_bytes_per_image"],
        "object_store_bytes_per_image": driver["object_store_bytes_per_image"],
        "pipeline_echo_images_per_s": echo["pipeline_echo_images_per_s"],
        "bounding_stage": echo["bounding_stage"],
        "stage_cpu_ms_per_image": echo["stage_cpu_ms_per_image"],
        "sink_rows_per_s": {k: sink[k] for k in ("live", "bulk", "previous_writer")},
        "sink_spread": sink["spread"],
        "actors": stage_actor_counts(images=size["pool"], embed=True, engine="echo"),
        "capacity": capacity(echo["stage_cpu_ms_per_image"]),
        "details": {"driver": driver, "echo": echo, "sink": sink},
    }


def rows(figures: dict) -> list[Row]:
    sink = figures["sink_rows_per_s"]
    echo_rate = figures["pipeline_echo_images_per_s"]
    return [
        Row("driver bytes per image (10k -> 100k slope)",
            f"{figures['driver_bytes_per_image']:.1f} B", "", None, "<= 200 B",
            figures["driver_bytes_per_image"] <= 200),
        Row("echo pipeline, marginal rate",
            "swamped by load" if echo_rate is None else f"{echo_rate:.2f} img/s",
            f"bound by {figures['bounding_stage']}", None, "reported", True),
        Row("sink bulk vs previous writer, same write set",
            f"{sink['bulk']:.0f} rows/s (live {sink['live']:.0f})",
            f"{sink['previous_writer']:.0f} rows/s", sink["bulk"] / sink["previous_writer"],
            ">= 1,500 rows/s", sink["bulk"] >= 1500),
        Row("actors that did each stage's work (16 logical CPUs)",
            ", ".join(f"{k} {v}" for k, v in sorted(figures["actors"].items())), "", None,
            "> 1 per CPU stage", all(figures["actors"][k] > 1 for k in cpu_stages())),
    ]  # fmt: skip


def cpu_stages() -> list[str]:
    """The pooled stages that reserve CPUs (Reuse and Sink wait on PostgreSQL, reserving none:
    their actor counts are reported, not held to the CPU target)."""
    from archive_analyzer.run.wiring import POOLED_STAGES

    return [name for name, kind in POOLED_STAGES.items() if kind != "io"]


def run(quick: bool, json_path: str | None = None) -> list[Row]:
    figures = measure(quick)
    if json_path:
        Path(json_path).write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return rows(figures)
