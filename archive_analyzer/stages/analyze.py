"""Analyze: GalleryGPT generation for the decoded squares of a batch.

`ModelStage` is what both model engines share: the output columns, out-of-memory halving and
per-image failure isolation. An engine's subclass loads its model once, in `__init__`, where the
stage runs (a Ray actor or the local loop; the driver only passes a ModelConfig), and hands the
base one callable, `generate(squares) -> (generations, seconds)`. `Analyze` is the transformers
engine (the default and the CPU path); `analyze_vllm.AnalyzeVLLM` is the vLLM one. Rows that
failed to decode pass through untouched, and the pixel column is dropped here, once consumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from archive_analyzer.model.generate import Generation, Generator
from archive_analyzer.model.loader import inspect_model, load_model, local_model_dir, pick_device
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import Prompt
from archive_analyzer.redact import redact
from archive_analyzer.stages import Batch, batch_len
from archive_analyzer.stages.contract import (
    ANALYSIS,
    GENERATED_TOKENS,
    INFERENCE_SECONDS,
    MESSAGE,
    MODEL_VERSION,
    OUTCOME,
    PIXELS,
    PROMPT_NAME,
    PROMPT_TOKENS,
    PROMPT_VERSION,
    REASON,
    STATUS,
    TEXT,
    Stage,
    Status,
)

# One engine call: (N, H, W, 3) uint8 squares -> one Generation per square, and the seconds.
GenerateBatch = Callable[[np.ndarray], tuple[list[Generation], float]]


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


class ModelStage(Stage):
    """The model stage of either engine, around the engine's `generate`."""

    needs = (*OUTCOME, PIXELS)
    adds = ANALYSIS
    drops = (PIXELS,)
    # Calls of this stage one actor may run at once: 1 for an engine that computes in the call
    # (transformers); more for one that queues requests on a shared engine (vLLM's async one).
    concurrent_batches = 1

    def __init__(self, config: ModelConfig, model_version: str, generate: GenerateBatch) -> None:
        self.config = config
        self.model_version = model_version
        self.generate = generate

    def __call__(self, batch: Batch) -> Batch:
        out = analysis_columns(batch, self.model_version, self.config.prompt)
        todo = [i for i, status in enumerate(batch[STATUS]) if status == Status.OK]
        if not todo:
            return out
        pixels = np.asarray(batch[PIXELS])
        outcomes = generate_splitting(lambda rows: self.generate(pixels[rows]), todo)
        for index, outcome in outcomes.items():
            record_outcome(out, index, outcome)
        return out


class Analyze(ModelStage):
    """The transformers engine: LLaVA's own generate, batched, on CPU or GPU."""

    def __init__(self, config: ModelConfig) -> None:
        info = inspect_model(config.location)
        path = local_model_dir(config.location, config.cache_dir)
        model, tokenizer = load_model(path, pick_device(config.device), config.threads)
        self.generator = Generator(
            model, tokenizer, config.spec, config.max_new_tokens, config.static_kv_cache
        )
        super().__init__(config, info.version, partial(self.generator, prompt=config.prompt))


def analysis_columns(batch: Batch, model_version: str, prompt: Prompt) -> Batch:
    """The batch without its pixels (consumed here), plus empty analysis columns per row."""
    count = batch_len(batch)
    out: Batch = {k: v for k, v in batch.items() if k != PIXELS}
    out.update(
        {
            TEXT: [""] * count,
            PROMPT_TOKENS: [0] * count,
            GENERATED_TOKENS: [0] * count,
            INFERENCE_SECONDS: [0.0] * count,
            MODEL_VERSION: [model_version] * count,
            PROMPT_VERSION: [prompt.version] * count,
            PROMPT_NAME: [prompt.name] * count,
        }
    )
    return out


def record_outcome(out: Batch, index: int, outcome: tuple[Generation, float] | ImageFailure):
    """One image's generation, or its failure, into the analysis columns."""
    if isinstance(outcome, ImageFailure):
        out[STATUS][index], out[REASON][index] = Status.FAILED, outcome.reason
        out[MESSAGE][index] = redact(outcome.message)
        return
    result, seconds = outcome
    out[TEXT][index] = result.text
    out[PROMPT_TOKENS][index] = result.prompt_tokens
    out[GENERATED_TOKENS][index] = result.generated_tokens
    out[INFERENCE_SECONDS][index] = seconds


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
