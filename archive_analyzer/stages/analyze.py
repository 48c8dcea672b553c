"""Analyze: GalleryGPT generation for the decoded squares of a batch.

The model is loaded once, in `__init__`, where the stage runs (a Ray actor or the local loop);
the driver only passes a ModelConfig. Rows that failed to decode pass through untouched, and the
pixel column is dropped here, the moment it has been consumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from archive_analyzer.model.generate import Generator
from archive_analyzer.model.loader import inspect_model, load_model, local_model_dir, pick_device
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import Prompt
from archive_analyzer.redact import redact
from archive_analyzer.stages import Batch, batch_len


@dataclass(frozen=True)
class ModelConfig:
    location: str
    cache_dir: Path
    prompt: Prompt
    max_new_tokens: int = 512
    device: str = "auto"
    spec: ImageSpec = field(default_factory=ImageSpec)
    threads: int | None = None
    static_kv_cache: bool = True


class Analyze:
    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self.info = inspect_model(config.location)
        path = local_model_dir(config.location, config.cache_dir)
        model, tokenizer = load_model(path, pick_device(config.device), config.threads)
        self.generate = Generator(
            model, tokenizer, config.spec, config.max_new_tokens, config.static_kv_cache
        )

    def __call__(self, batch: Batch) -> Batch:
        out = analysis_columns(batch, self.info.version, self.config.prompt)
        todo = [i for i, status in enumerate(batch["status"]) if status == "ok"]
        if not todo:
            return out
        pixels = np.asarray(batch["pixels"])
        outcomes = generate_splitting(
            lambda rows: self.generate(pixels[rows], self.config.prompt), todo
        )
        for index, outcome in outcomes.items():
            if isinstance(outcome, ImageFailure):
                out["status"][index], out["reason"][index] = "failed", outcome.reason
                out["message"][index] = redact(outcome.message)
                continue
            result, seconds = outcome
            out["text"][index] = result.text
            out["prompt_tokens"][index] = result.prompt_tokens
            out["generated_tokens"][index] = result.generated_tokens
            out["inference_seconds"][index] = seconds
        return out


def analysis_columns(batch: Batch, model_version: str, prompt: Prompt) -> Batch:
    """The batch without its pixels (consumed here), plus empty analysis columns per row."""
    count = batch_len(batch)
    out: Batch = {k: v for k, v in batch.items() if k != "pixels"}
    out.update(
        text=[""] * count,
        prompt_tokens=[0] * count,
        generated_tokens=[0] * count,
        inference_seconds=[0.0] * count,
        model_version=[model_version] * count,
        prompt_version=[prompt.version] * count,
        prompt_name=[prompt.name] * count,
    )
    return out


@dataclass(frozen=True)
class ImageFailure:
    reason: str
    message: str


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, Python's MemoryError, or the CPU allocator's RuntimeError."""
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate" in text)


def _free_accelerator_memory() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def generate_splitting(generate, rows: list[int]) -> dict[int, tuple | ImageFailure]:
    """Run `generate(rows) -> (results, seconds)`, halving the rows on out-of-memory.

    A batch that does not fit is split in two and each half retried, down to single images; an
    image that fails alone becomes an ImageFailure instead of sinking its batch. Any other error
    on a batch is retried image by image, so one poisonous image is isolated; when every image
    fails alone too, the model itself is broken and the error is raised.
    """
    try:
        results, seconds = generate(rows)
        return {
            row: (result, seconds / len(rows)) for row, result in zip(rows, results, strict=True)
        }
    except Exception as exc:  # decided below: split, isolate, or give up
        oom = is_out_of_memory(exc)
        if oom:
            _free_accelerator_memory()
        if len(rows) == 1:
            reason = "out_of_memory" if oom else "model_error"
            return {rows[0]: ImageFailure(reason, f"{type(exc).__name__}: {exc}"[:2000])}
        if oom:
            middle = len(rows) // 2
            return generate_splitting(generate, rows[:middle]) | generate_splitting(
                generate, rows[middle:]
            )
        outcomes = {}
        for row in rows:
            outcomes |= generate_splitting(generate, [row])
        if all(
            isinstance(o, ImageFailure) and o.reason == "model_error" for o in outcomes.values()
        ):
            raise
        return outcomes
