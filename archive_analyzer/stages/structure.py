"""Structure: an analysis paragraph -> aspects, art terms and a sentence embedding.

Runs after Analyze. The embedding model takes seconds to load, so this stage is a pool of
actors (on the model's GPU when there is one, else CPU actors with a torch thread per reserved
CPU) that each load it once in `__init__`; with embedding switched off (settings.embed) it loads
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
from archive_analyzer.stages.contract import (
    ASPECTS,
    EMBEDDING,
    STATUS,
    STRUCTURE,
    TERMS,
    TEXT,
    VOCABULARY_VERSION,
    Stage,
    Status,
)


@dataclass(frozen=True)
class StructureConfig:
    embed: bool = True
    threads: int = 1  # torch threads: the CPUs the actor reserves
    device: str = "cpu"  # cuda: beside the model on its GPU


class Structure(Stage):
    needs = (STATUS, TEXT)
    adds = STRUCTURE

    def __init__(self, config: StructureConfig) -> None:
        self.config = config
        self.vocabulary = load_vocabulary()
        self.embedder = TextEmbedder(config.threads, config.device) if config.embed else None

    def __call__(self, batch: Batch) -> Batch:
        count = batch_len(batch)
        aspects, terms = [""] * count, [""] * count
        embedding = np.zeros((count, DIMENSIONS), dtype=np.float32)
        todo = [i for i, status in enumerate(batch[STATUS]) if status == Status.OK]
        for index in todo:
            text = str(batch[TEXT][index])
            aspects[index] = json.dumps(assign_aspects(text, self.vocabulary))
            terms[index] = json.dumps(self.vocabulary.find_terms(text))
        if self.embedder is not None and todo:
            embedding[todo] = self.embedder([str(batch[TEXT][i]) for i in todo])
        return {
            **batch,
            ASPECTS: aspects,
            TERMS: terms,
            EMBEDDING: embedding,
            VOCABULARY_VERSION: [self.vocabulary.version] * count,
        }
