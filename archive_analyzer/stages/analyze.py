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


class Analyze:
    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self.info = inspect_model(config.location)
        path = local_model_dir(config.location, config.cache_dir)
        model, tokenizer = load_model(path, pick_device(config.device), config.threads)
        self.generate = Generator(model, tokenizer, config.spec, config.max_new_tokens)

    def __call__(self, batch: Batch) -> Batch:
        count = batch_len(batch)
        out: Batch = {k: v for k, v in batch.items() if k != "pixels"}
        out.update(
            text=[""] * count,
            prompt_tokens=[0] * count,
            generated_tokens=[0] * count,
            inference_seconds=[0.0] * count,
            model_version=[self.info.version] * count,
            prompt_version=[self.config.prompt.version] * count,
            prompt_name=[self.config.prompt.name] * count,
        )
        todo = [i for i, status in enumerate(batch["status"]) if status == "ok"]
        if not todo:
            return out
        results, seconds = self.generate(np.asarray(batch["pixels"])[todo], self.config.prompt)
        for index, result in zip(todo, results, strict=True):
            out["text"][index] = result.text
            out["prompt_tokens"][index] = result.prompt_tokens
            out["generated_tokens"][index] = result.generated_tokens
            out["inference_seconds"][index] = seconds / len(todo)
        return out
