"""Sink: write a block of results to PostgreSQL exactly once.

The block is COPied into a session-local staging table and merged into artworks, images,
image_contents, analyses and failures in one transaction (sql/queries/sink.sql). A block is
therefore written entirely or not at all, and every merge is an upsert on a natural key, so a
block replayed after a killed worker or driver leaves the same rows. Returns one small status
row per image for the driver's progress and accounting; nothing heavy travels back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import psycopg

from archive_analyzer.catalog.store import store_structure
from archive_analyzer.db.queries import query
from archive_analyzer.metadata import artwork_fields, metadata_hash
from archive_analyzer.stages import Batch, rows
from archive_analyzer.stages.connection import StageConnection
from archive_analyzer.stages.contract import (
    ANALYSIS,
    DECODED,
    FEATURES,
    LINKED,
    METADATA,
    OBJECT_ID,
    OUTCOME,
    REFERENCE,
    RESULT,
    STATUS,
    STRUCTURE,
    Stage,
    Status,
)

# sink_copy_staging's columns, in its order: the batch's, and the artwork fields that
# `staging_row` parses from the manifest metadata (title ... year_end, medium).
STAGING_COLUMNS = (
    "uri",
    "object_id",
    "fingerprint",
    "status",
    "reason",
    "message",
    "sha256",
    "width",
    "height",
    "bytes",
    "title",
    "artist",
    "date_text",
    "year_start",
    "year_end",
    "medium",
    "metadata",
    "text",
    "prompt_tokens",
    "generated_tokens",
    "inference_seconds",
    "model_version",
    "prompt_version",
    "prompt_name",
    "mapped_fields",
    "metadata_hash",
)

MERGES = (
    "sink_merge_artworks",
    "sink_merge_images",
    "sink_merge_contents",
    "sink_retire_analyses",
    "sink_merge_analyses",
    "sink_revive_reused",
    "sink_merge_failures",
)


@dataclass(frozen=True)
class SinkConfig:
    database_url: str
    run_id: int
    collection: str = "default"  # artworks are (collection, object_id)


class Sink(Stage):
    needs = (*REFERENCE, *DECODED, *OUTCOME, FEATURES, *ANALYSIS, *STRUCTURE)
    returns = RESULT

    def __init__(self, config: SinkConfig) -> None:
        self.config = config
        self.db = StageConnection(config.database_url)

    def __call__(self, batch: Batch) -> Batch:
        items = rows(batch)
        # A lost connection is reopened and the whole block written again; the merges are
        # idempotent, so a block that did commit before the loss stays the same.
        self.db.run(lambda conn: self._write_transaction(conn, items))
        return {column: [item[column] for item in items] for column in RESULT}

    def _write_transaction(self, conn: psycopg.Connection, items: list[dict]) -> None:
        with conn.transaction(), conn.cursor() as cur:
            self._write_block(cur, items)

    def _write_block(self, cur: psycopg.Cursor, items: list[dict]) -> None:
        cur.execute(query("sink_create_staging"))
        with cur.copy(query("sink_copy_staging")) as copy:
            for item in items:
                copy.write_row(staging_row(item))
        params = {"run_id": self.config.run_id, "collection": self.config.collection}
        for name in MERGES:
            cur.execute(query(name), params)
        store_structure(cur, [i for i in items if i[STATUS] == Status.OK])


def staging_row(item: dict) -> tuple:
    """One image's row for the staging table; artwork fields come from its manifest metadata."""
    values = dict(item)
    if item[STATUS] in LINKED:
        metadata = json.loads(item.get(METADATA) or "{}")
        values.update(artwork_fields(item[OBJECT_ID], metadata), metadata=json.dumps(metadata))
        values["metadata_hash"] = metadata_hash(item[OBJECT_ID], metadata)
    else:
        values[METADATA] = None
    return tuple(values.get(column) for column in STAGING_COLUMNS)
