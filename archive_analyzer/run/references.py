"""What a run sends to the stages: chunks of its ledger, each read where the engine runs it.

A chunk is the bounds of one query (images first..last of the run's `seq` order), so the
driver passes a few numbers per thousand images and each Ray read task fetches its own rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive_analyzer.db.database import Database
from archive_analyzer.stages.contract import FINGERPRINT, METADATA, OBJECT_ID, URI

CHUNK = 1_000  # references per read task


@dataclass(frozen=True)
class LedgerChunk:
    db_url: str
    run_id: int
    first: int
    last: int

    def __call__(self) -> list[dict]:
        params = {"run_id": self.run_id, "first": self.first, "last": self.last}
        return [reference(row) for row in Database(self.db_url).fetch_all("ledger_chunk", params)]

    def __len__(self) -> int:
        return self.last - self.first + 1


def reference(row: dict) -> dict:
    """What travels to the workers: references and metadata (JSON text), never bytes."""
    return {
        URI: row["uri"],
        OBJECT_ID: row["object_id"],
        METADATA: row["metadata"],
        FINGERPRINT: row["fingerprint"],
    }


def ledger_chunks(db: Database, run_id: int, size: int = CHUNK) -> list[LedgerChunk]:
    sent = db.fetch_one("ledger_sent", {"run_id": run_id})["n"]
    return [
        LedgerChunk(db.url, run_id, first, min(first + size - 1, sent))
        for first in range(1, sent + 1, size)
    ]
