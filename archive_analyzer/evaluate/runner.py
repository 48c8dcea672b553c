"""`evaluate`: generate for every test image with the model under test, score, store, compare.

Generation goes through the same Generator as the Analyze stage (same prompt ids, same
preprocessing, greedy), so the scores describe what `analyze` would write. Examples that share
an image and an instruction are asked once and scored against all their paragraphs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archive_analyzer.db.database import Database
from archive_analyzer.evaluate.metrics import Scores, check_installed, score_texts
from archive_analyzer.model.generate import Generator
from archive_analyzer.model.loader import inspect_model, load_model, local_model_dir, pick_device
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import Prompt
from archive_analyzer.redact import redact
from archive_analyzer.train.data import load_square, read_conversations

METRICS = ("bleu4", "gleu", "meteor", "rouge_l", "cider")


@dataclass(frozen=True)
class Evaluation:
    id: int
    model_version: str
    model_name: str
    examples: int
    scores: Scores
    hypotheses: list[str]


def _grouped(examples) -> dict[tuple[str, str], list[str]]:
    groups: dict[tuple[str, str], list[str]] = {}
    for example in examples:
        groups.setdefault((example.image, example.query), []).append(example.answer)
    return groups


def generate_all(generator: Generator, keys: list[tuple[str, str]], batch_size: int) -> list[str]:
    """One greedy paragraph per (image, instruction), batched by instruction."""
    texts: dict[tuple[str, str], str] = {}
    for query in dict.fromkeys(q for _, q in keys):
        images = [image for image, q in keys if q == query]
        prompt = Prompt(name="evaluate", query=query)
        for start in range(0, len(images), batch_size):
            chunk = images[start : start + batch_size]
            pixels = np.stack([load_square(uri, generator.spec) for uri in chunk])
            results, _ = generator(pixels, prompt)
            texts.update({(uri, query): r.text for uri, r in zip(chunk, results, strict=True)})
    return [texts[key] for key in keys]


def evaluate_model(
    db: Database,
    location: str,
    data: str,
    cache_dir: Path,
    image_root: str | None = None,
    max_new_tokens: int = 512,
    batch_size: int = 8,
    device: str = "auto",
) -> Evaluation:
    check_installed()
    info = inspect_model(location)
    test = read_conversations(data, image_root)
    spec = ImageSpec.from_model(location)
    model, tokenizer = load_model(local_model_dir(location, cache_dir), pick_device(device))
    generator = Generator(model, tokenizer, spec, max_new_tokens)
    groups = _grouped(test.examples)
    started = time.perf_counter()
    hypotheses = generate_all(generator, list(groups), batch_size)
    seconds = time.perf_counter() - started
    scores = score_texts(list(groups.values()), hypotheses)
    row = db.fetch_one(
        "upsert_evaluation",
        {
            "model_version": info.version,
            "model_name": info.name,
            "model_location": redact(location),
            "dataset": redact(data),
            "dataset_sha256": test.sha256,
            "examples": len(test.examples),
            "max_new_tokens": max_new_tokens,
            **scores.as_dict(),
            "details": json.dumps(
                {
                    "generations": len(groups),
                    "seconds": round(seconds, 3),
                    "meteor_modules": ["exact", "porter_stem"],
                    "tokenizer": "lowercase words and numbers, punctuation dropped",
                }
            ),
        },
    )
    return Evaluation(row["id"], info.version, info.name, len(test.examples), scores, hypotheses)


def latest_evaluation(db: Database, model: str) -> dict | None:
    """The newest scores of a model given by version, card name or location."""
    found = db.fetch_one("latest_evaluation", {"model": model})
    if found is None and "://" not in model and Path(model).is_dir():
        found = db.fetch_one("latest_evaluation", {"model": inspect_model(model).version})
    return found


def side_by_side(left: dict, right: dict) -> list[dict]:
    """Rows of metric, A, B, B - A on the paper's scale (x100)."""
    return [
        {
            "metric": name,
            "A": round(left[name] * 100, 2),
            "B": round(right[name] * 100, 2),
            "B - A": round((right[name] - left[name]) * 100, 2),
        }
        for name in METRICS
    ]
