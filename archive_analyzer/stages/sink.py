"""Sink: write a batch of results to PostgreSQL in one transaction, idempotently.

Artworks, images, analyses and failures are upserted on natural keys, so a retried batch or a
rerun leaves the same rows. Returns one small status row per image for the driver's progress and
accounting; nothing heavy travels back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from archive_analyzer.db.queries import query
from archive_analyzer.metadata import artwork_fields
from archive_analyzer.stages import Batch, rows


@dataclass(frozen=True)
class SinkConfig:
    database_url: str
    run_id: int


class Sink:
    def __init__(self, config: SinkConfig) -> None:
        self.config = config
        self._conn: psycopg.Connection | None = None

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.config.database_url)
        return self._conn

    def __call__(self, batch: Batch) -> Batch:
        items = rows(batch)
        conn = self._connection()
        with conn.transaction(), conn.cursor() as cur:
            for item in items:
                self._write(cur, item)
        return {
            "uri": [item["uri"] for item in items],
            "status": [item["status"] for item in items],
            "reason": [item["reason"] for item in items],
        }

    def _write(self, cur: psycopg.Cursor, item: dict) -> None:
        run_id = self.config.run_id
        if item["status"] != "ok":
            cur.execute(query("record_failure"), {**_failure(item), "run_id": run_id})
            return
        metadata = json.loads(item.get("metadata") or "{}")
        artwork = artwork_fields(item["object_id"], metadata)
        cur.execute(query("upsert_artwork"), {**artwork, "metadata": Jsonb(metadata)})
        artwork_id = cur.fetchone()[0]
        cur.execute(query("upsert_image"), {**item, "artwork_id": artwork_id, "run_id": run_id})
        analysis = {**item, "image_sha256": item["sha256"], "run_id": run_id}
        cur.execute(query("retire_other_analyses"), analysis)
        cur.execute(query("upsert_analysis"), analysis)


def _failure(item: dict) -> dict:
    return {key: item.get(key) for key in ("uri", "sha256", "reason", "message")}
