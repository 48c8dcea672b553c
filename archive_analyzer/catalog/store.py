"""Writing structured analyses and measured features, inside the sink's transaction.

The sink upserts the analysis first and then calls `store_structure`, so the structure row finds
its analysis by natural key (content, model, prompt) and a replayed block leaves the same rows.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg.vector import register_vector_info
from psycopg.types import TypeInfo

from archive_analyzer.catalog.embedding import MODEL_NAME
from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.db.queries import query


def _embedding(vector: Any) -> np.ndarray | None:
    if vector is None:
        return None
    values = np.asarray(vector, dtype=np.float32).ravel()
    if not values.size or not np.any(values):
        return None  # the all-zero row is "not embedded" (embedding off, or a failed row)
    return values


def vector_literal(vector: Any) -> str | None:
    """pgvector's text form, for a query parameter on a connection without the vector adapter."""
    values = _embedding(vector)
    return None if values is None else "[" + ",".join(f"{v:.6g}" for v in values) + "]"


def _loads(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value


def structure_row(seq: int, item: dict) -> tuple:
    """One item's row for structure_staging (binary COPY: parsed JSON, float32 vector)."""
    embedding = _embedding(item.get("embedding"))
    return (
        seq,
        item["uri"],
        item["sha256"],
        item["model_version"],
        item["prompt_version"],
        _loads(item.get("aspects"), {}),
        list(_loads(item.get("terms"), [])),
        item.get("vocabulary_version") or load_vocabulary().version,
        embedding,
        MODEL_NAME if embedding is not None else None,
    )


STRUCTURE_TYPES = (
    "int4",
    "text",
    "text",
    "text",
    "text",
    "jsonb",
    "text[]",
    "text",
    "vector",
    "text",
)
FEATURES = ("brightness", "contrast", "saturation", "colourfulness", "warmth")
COLOR = ("share", "hex", "css_name", "l", "a", "b")


def _copy_structure(cur: psycopg.Cursor, items: list[tuple[int, dict]]) -> None:
    register_vector_info(cur, TypeInfo.fetch(cur.connection, "vector"))
    with cur.copy(query("structure_copy_staging")) as copy:
        copy.set_types(STRUCTURE_TYPES)
        for seq, item in items:
            copy.write_row(structure_row(seq, item))


def _copy_features(cur: psycopg.Cursor, items: list[tuple[int, dict]]) -> None:
    with cur.copy(query("features_copy_staging")) as copy:
        for seq, item in items:
            features = item["features"]
            measures = [features[name] for name in FEATURES]
            copy.write_row((seq, item["sha256"], *measures, json.dumps(features["palette"])))
    with cur.copy(query("palette_copy_staging")) as copy:
        for seq, item in items:
            for rank, color in enumerate(item["features"]["palette"], 1):
                copy.write_row((seq, item["sha256"], rank, *(color[name] for name in COLOR)))


def store_structure(cur: psycopg.Cursor, ok_items: list[dict]) -> None:
    """Structure and features of analysed items (rows with status "ok", already upserted).

    Columns a pipeline did not compute (no Structure or Features stage) are simply absent, and
    then nothing is written for them. The rows are COPied into staging tables and merged with
    one statement each; where an item repeats a content (or an analysis), the last one wins, as
    it would written one by one.
    """
    structured = [(seq, i) for seq, i in enumerate(ok_items) if i.get("aspects") is not None]
    measured = [
        (seq, {**i, "features": f})
        for seq, i in enumerate(ok_items)
        if (f := _loads(i.get("features"), None))
    ]
    if structured:
        cur.execute(query("structure_create_staging"))
        _copy_structure(cur, structured)
        cur.execute(query("merge_structure"))
    if measured:
        cur.execute(query("features_create_staging"))
        cur.execute(query("palette_create_staging"))
        _copy_features(cur, measured)
        cur.execute(query("merge_image_features"))
        cur.execute(query("delete_staged_palettes"))
        cur.execute(query("insert_staged_palettes"))
