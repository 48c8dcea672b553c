"""Structure: an analysis paragraph -> aspects, art terms and a sentence embedding.

Runs after Analyze. The embedding model takes seconds to load, so this stage is a small CPU
actor that loads it once in `__init__`; with embedding switched off (settings.embed) it loads
nothing and the embedding column stays zero (stored as NULL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from archive_analyzer.catalog.aspects import assign_aspects
from archive_analyzer.catalog.embedding import DIMENSIONS, TextEmbedder
from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.stages import Batch, batch_len


@dataclass(frozen=True)
class StructureConfig:
    embed: bool = True
    threads: int = 1


class Structure:
    def __init__(self, config: StructureConfig) -> None:
        self.config = config
        self.vocabulary = load_vocabulary()
        self.embedder = TextEmbedder(config.threads) if config.embed else None

    def __call__(self, batch: Batch) -> Batch:
        count = batch_len(batch)
        out: Batch = dict(batch)
        aspects, terms = [""] * count, [""] * count
        embedding = np.zeros((count, DIMENSIONS), dtype=np.float32)
        todo = [i for i, status in enumerate(batch["status"]) if status == "ok"]
        for index in todo:
            text = str(batch["text"][index])
            aspects[index] = json.dumps(assign_aspects(text, self.vocabulary))
            terms[index] = json.dumps(self.vocabulary.find_terms(text))
        if self.embedder is not None and todo:
            embedding[todo] = self.embedder([str(batch["text"][i]) for i in todo])
        out.update(
            aspects=aspects,
            terms=terms,
            embedding=embedding,
            vocabulary_version=[self.vocabulary.version] * count,
        )
        return out
