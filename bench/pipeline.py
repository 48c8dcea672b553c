"""End-to-end runs (list, read, decode, infer, structure, write) on Ray, two ways:

- against the model-only loop: the Analyze stage alone over the same images pre-decoded, same
  model (the compute-bound ~105M LLaVA), same batch size. Everything the pipeline adds (reading,
  decoding, moving blocks, writing PostgreSQL, loading the model in its actor) shows as a ratio
  below 1. Ray itself is started before the clock, as on a standing cluster.
- memory at 1k and 10k images (tiny model, one new token): the driver's peak resident memory and
  the object store's peak use, sampled while the run goes, must stay flat as the run grows.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
from PIL import Image

from archive_analyzer.engine.ray_engine import init_ray, object_store_bytes_used
from archive_analyzer.model.tiny import write_tiny_model
from archive_analyzer.run.analyze import analyze
from archive_analyzer.settings import load_settings
from archive_analyzer.stages.decode import Decode, DecodeConfig
from bench.database import scratch_database
from bench.decode import painting
from bench.model_stage import build_stage, timed
from bench.models import CPU_SHAPE, TINY_SHAPE, write_model
from bench.table import Row, at_least, at_most


def write_paintings(folder: Path, count: int, size: tuple[int, int], first: int = 0) -> list[str]:
    """Distinct images (content hashes differ), so no run can reuse an earlier analysis."""
    folder.mkdir(parents=True, exist_ok=True)
    base = np.asarray(painting(*size))
    paths = []
    for number in range(first, first + count):
        pixels = base.copy()
        # The number's 16 bits as black or white 4x4 squares along the top: unique pixels that
        # JPEG compression cannot blur into another image's.
        for bit in range(16):
            pixels[:4, bit * 4 : bit * 4 + 4] = 255 if number >> bit & 1 else 0
        path = folder / f"{number:06d}.jpg"
        Image.fromarray(pixels).save(path, quality=90)
        paths.append(str(path))
    return paths


def run_pipeline(db_url: str, home: Path, source: Path, model: Path, **overrides):
    settings = load_settings(
        None,
        source=str(source),
        database_url=db_url,
        model=str(model),
        home=str(home),
        **overrides,
    )
    return analyze(settings, engine="ray", progress=False, say=lambda *_: None)


def model_only_images_per_second(paths: list[str], model: Path, cache: Path, **kw) -> float:
    pixels = Decode(DecodeConfig())({"uri": paths, "object_id": [None] * len(paths)})["pixels"]
    stage = build_stage(model, cache, kw["max_new_tokens"])
    timed(stage, pixels[:1], 1)  # warm-up, as the pipeline's actor warms on its first batch
    seconds, _, _ = timed(stage, pixels, kw["batch_size"])
    return len(paths) / seconds


def steady_images_per_second(db) -> float:
    """Images per second from the first block the sink wrote to the last: the pipeline's rate
    once started, without the one-time start (Ray Data's plan, actors loading their models and
    the embedding model) that a collection of thousands amortises."""
    with db.connect() as conn:
        blocks = conn.execute(
            "SELECT created_at, count(*) AS rows FROM analyses GROUP BY created_at "
            "ORDER BY created_at"
        ).fetchall()
    if len(blocks) < 2:
        return 0.0
    seconds = (blocks[-1]["created_at"] - blocks[0]["created_at"]).total_seconds()
    return sum(b["rows"] for b in blocks[1:]) / seconds if seconds else 0.0


def compare_to_model_only(quick: bool) -> list[Row]:
    count, batch, tokens = (8, 4, 2) if quick else (48, 8, 32)
    shape = TINY_SHAPE if quick else CPU_SHAPE
    options = {"batch_size": batch, "max_new_tokens": tokens}
    with (
        tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp,
        scratch_database() as (
            db,
            _,
        ),
    ):
        root = Path(tmp)
        model = write_model(shape, root / "model")
        paths = write_paintings(root / "images", count, (900, 700))
        summary = run_pipeline(db.url, root / "home", root / "images", model, **options)
        assert summary.analysed == count, summary
        steady = steady_images_per_second(db)
        loop = model_only_images_per_second(paths, model, root / "cache", **options)
    return [
        Row(
            f"Ray pipeline end to end vs model-only loop ({count} images, batch {batch})",
            f"{summary.images_per_second:.3f} img/s ({summary.seconds:.0f} s with start-up)",
            f"model only {loop:.3f} img/s",
            *at_least(summary.images_per_second / loop, 0.85),
        ),
        Row(
            "Ray pipeline once started (first to last write) vs model-only loop",
            f"{steady:.3f} img/s",
            f"model only {loop:.3f} img/s",
            *at_least(steady / loop, 0.85),
        ),
    ]


class PeakSampler:
    """Samples the driver's RSS and the object store's use in a thread while a run goes."""

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self.rss = 0
        self.store = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        process = psutil.Process()
        try:
            while not self._stop.is_set():
                self.rss = max(self.rss, process.memory_info().rss)
                self.store = max(self.store, object_store_bytes_used())
                self._stop.wait(self.every)
        except Exception as exc:  # reported by __exit__: a silent sampler would report zeros
            self.error = exc

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        if self.error is not None:
            raise RuntimeError(f"memory sampling failed: {self.error}") from self.error


def memory_at(sizes: tuple[int, int]) -> list[dict]:
    peaks = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp,
        scratch_database() as (
            db,
            _,
        ),
    ):
        root = Path(tmp)
        model = write_tiny_model(root / "tiny")
        for count in sizes:
            folder = root / f"images-{count}"
            write_paintings(folder, count, (96, 72), first=sum(p["count"] for p in peaks))
            with PeakSampler() as sampler:
                started = time.perf_counter()
                summary = run_pipeline(
                    db.url, root / "home", folder, model, batch_size=64, max_new_tokens=1
                )
            assert summary.analysed == count, summary
            peaks.append(
                {
                    "count": count,
                    "rss": sampler.rss,
                    "store": sampler.store,
                    "seconds": time.perf_counter() - started,
                }
            )
    return peaks


def memory_rows(quick: bool) -> list[Row]:
    small, large = memory_at((20, 60) if quick else (1_000, 10_000))
    rows = []
    for key, label in (("rss", "driver peak RSS"), ("store", "object store peak")):
        floor = 64 * 2**20  # below this, ratios of small numbers say nothing
        ratio, target, met = at_most(max(large[key], floor) / max(small[key], floor), 1.25)
        rows.append(
            Row(
                f"{label}, {large['count']:,} vs {small['count']:,} images",
                f"{large[key] / 2**20:,.0f} MiB ({large['seconds']:.0f} s run)",
                f"{small[key] / 2**20:,.0f} MiB",
                ratio,
                target + " (flat)",
                met,
            )
        )
    return rows


def run(quick: bool = False) -> list[Row]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    init_ray(None)
    return [*compare_to_model_only(quick), *memory_rows(quick)]
