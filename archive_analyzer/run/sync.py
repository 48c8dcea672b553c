"""What a run writes without the pipeline: conflicts as failure rows, and corrected metadata.

Metadata sync reuses the sink's staging table and artwork merge (sql/queries/sink.sql), so the
manifest's fields reach an artwork by one rule whichever way they come: the fields it maps
are the truth (a blank clears), the others are left alone, and the history trigger keeps every
change with this run's id. The images are neither read nor decoded, and no model is built.
"""

from __future__ import annotations

import json

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query
from archive_analyzer.sources import SourceItem
from archive_analyzer.stages.contract import FINGERPRINT, METADATA, OBJECT_ID, STATUS, URI, Status
from archive_analyzer.stages.sink import staging_row

CONFLICT = "object_id_conflict"
SYNC = ("sink_merge_artworks", "sync_link_images", "sync_search_docs")


def record_conflicts(
    db: Database, run_id: int, collection: str, items: list[SourceItem], holders: dict[str, str]
) -> None:
    """One failure row per image whose path-derived object id another image holds."""
    with db.connect() as conn, conn.cursor() as cur:
        for item in (i for i in items if i.uri in holders):
            message = (
                f"object id {item.object_id!r} of collection {collection!r} is already "
                f"{holders[item.uri]}; not merged into that artwork"
            )
            params = {"run_id": run_id, "uri": item.uri, "sha256": None}
            cur.execute(query("record_failure"), {**params, "reason": CONFLICT, "message": message})


def _staged(item: SourceItem) -> dict:
    return {
        URI: item.uri,
        OBJECT_ID: item.object_id,
        FINGERPRINT: item.fingerprint,
        METADATA: json.dumps(item.metadata),
        STATUS: Status.REUSED,  # linked to its artwork; staging_row parses its metadata
    }


def sync_metadata(db: Database, run_id: int, collection: str, items: list[SourceItem]) -> int:
    """Write the manifest's fields of these unchanged images' artworks; returns how many."""
    if not items:
        return 0
    params = {"run_id": run_id, "collection": collection}
    with db.connect() as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute(query("sink_create_staging"))
        with cur.copy(query("sink_copy_staging")) as copy:
            for item in items:
                copy.write_row(staging_row(_staged(item)))
        for name in SYNC:
            cur.execute(query(name), params)
    return len(items)
