"""Writing structured analyses and measured features, inside the sink's transaction.

The sink upserts the analysis first and then calls `store_structure`, so the structure row finds
its analysis by natural key (content, model, prompt) and a replayed block leaves the same rows.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import psycopg
from psycopg.types.json import Jsonb

from archive_analyzer.catalog.embedding import MODEL_NAME
from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.db.queries import query


def vector_literal(vector: Any) -> str | None:
    """pgvector's text form; the sink's connection has no vector adapter registered."""
    if vector is None:
        return None
    values = np.asarray(vector, dtype=np.float32).ravel()
    if not values.size or not np.any(values):
        return None  # the all-zero row is "not embedded" (embedding off, or a failed row)
    return "[" + ",".join(f"{v:.6g}" for v in values) + "]"


def _loads(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value


def structure_params(item: dict) -> dict:
    embedding = vector_literal(item.get("embedding"))
    return {
        "uri": item["uri"],
        "sha256": item["sha256"],
        "model_version": item["model_version"],
        "prompt_version": item["prompt_version"],
        "aspects": Jsonb(_loads(item.get("aspects"), {})),
        "terms": list(_loads(item.get("terms"), [])),
        "vocabulary_version": item.get("vocabulary_version") or load_vocabulary().version,
        "embedding": embedding,
        "embedding_model": MODEL_NAME if embedding else None,
    }


def store_features(cur: psycopg.Cursor, sha256: str, features: dict) -> None:
    cur.execute(
        query("upsert_image_features"),
        {**features, "sha256": sha256, "palette": Jsonb(features["palette"])},
    )
    cur.execute(query("delete_palette"), {"sha256": sha256})
    cur.executemany(
        query("insert_palette_color"),
        [
            {**color, "sha256": sha256, "rank": rank}
            for rank, color in enumerate(features["palette"], 1)
        ],
    )


def store_structure(cur: psycopg.Cursor, ok_items: list[dict], run_id: int | None = None) -> None:
    """Structure and features of analysed items (rows with status "ok", already upserted).

    Columns a pipeline did not compute (no Structure or Features stage) are simply absent, and
    then nothing is written for them; run_id is accepted for the sink's uniform call.
    """
    for item in ok_items:
        if item.get("aspects") is not None:
            cur.execute(query("upsert_structure"), structure_params(item))
        features = _loads(item.get("features"), None)
        if features:
            store_features(cur, item["sha256"], features)
