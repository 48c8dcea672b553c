"""What a run writes without the pipeline: conflicts as failure rows, and corrected metadata.

Metadata sync reuses the sink's staging table and artwork merge (sql/queries/sink.sql), so the
manifest's fields reach an artwork by one rule whichever way they come: the fields it maps
are the truth (a blank clears), the others are left alone, and the history trigger keeps every
change with this run's id. The images are neither read nor decoded, and no model is built.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query
from archive_analyzer.sources import SourceItem
from archive_analyzer.stages.contract import FINGERPRINT, METADATA, OBJECT_ID, STATUS, URI, Status
from archive_analyzer.stages.sink import staging_row

CONFLICT = "object_id_conflict"
SYNC = ("sink_merge_artworks", "sync_link_images", "sync_search_docs")


def record_conflicts(
    db: Database, run_id: int, collection: str, conflicts: Iterable[tuple[SourceItem, str]]
) -> None:
    """One failure row per image whose path-derived object id another image (`holder`) holds."""
    with db.connect() as conn, conn.cursor() as cur:
        for item, holder in conflicts:
            message = (
                f"object id {item.object_id!r} of collection {collection!r} is already "
                f"{holder}; not merged into that artwork"
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


def sync_metadata(
    db: Database, run_id: int, collection: str, items: Iterable[SourceItem], count: int
) -> int:
    """Write the manifest's fields of these `count` unchanged images' artworks (streamed into
    one staging table, merged in one transaction); returns how many."""
    if not count:
        return 0
    params = {"run_id": run_id, "collection": collection}
    written = 0
    with db.connect() as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute(query("sink_create_staging"))
        with cur.copy(query("sink_copy_staging")) as copy:
            for item in items:
                copy.write_row(staging_row(_staged(item)))
                written += 1
        for name in SYNC:
            cur.execute(query(name), params)
    return written
