"""A run's listing staged in the database, page by page, so the driver never holds it.

The listed images go into a temporary table on one connection (COPY, one page at a time);
planning classifies them there with set-based queries (run/plan.py); the run's ledger is
opened from it (`run_ledger`, one row per listed image, with the reference the workers read).
What the driver keeps is a connection and counts, whatever the collection's size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import psycopg

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query
from archive_analyzer.metadata import metadata_hash
from archive_analyzer.sources import SourceItem

PAGE = 5_000  # rows per COPY page and per keyset page read back


class StagedListing:
    """The listed images of one planning session, in a temporary table of `conn`."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.count = 0

    @classmethod
    @contextmanager
    def open(cls, db: Database) -> Iterator[StagedListing]:
        with db.connect(autocommit=True) as conn:
            conn.execute(query("listing_create"))
            yield cls(conn)

    def add(self, pages: Iterable[list[SourceItem]]) -> int:
        """COPY each page of listed images in; returns how many were staged so far."""
        with self.conn.cursor() as cur:
            for page in pages:
                with cur.copy(query("listing_copy")) as copy:
                    for item in page:
                        copy.write_row(_row(item))
                self.count += len(page)
        return self.count

    def execute(self, name: str, params: dict | None = None) -> None:
        self.conn.execute(query(name), params or {})

    def rows(self, name: str, params: dict | None = None) -> list[dict]:
        return self.conn.execute(query(name), params or {}).fetchall()

    def items(self, classes: Iterable[str]) -> Iterator[tuple[SourceItem, str | None]]:
        """The staged images of these plan classes, with what holds their object id (for
        conflicts), in URI order, a page at a time."""
        params = {"classes": list(classes), "after": "", "limit": PAGE}
        while page := self.rows("listing_page", params):
            for row in page:
                yield _item(row), row["holder"]
            params["after"] = page[-1]["uri"]

    def open_ledger(self, run_id: int, sent: Iterable[str], missing: list[str]) -> None:
        """The run's ledger rows: `sent` classes go through the stages, in URI order."""
        self.execute("ledger_open", {"run_id": run_id, "sent": list(sent)})
        if missing:
            self.execute("ledger_missing", {"run_id": run_id, "uris": missing})


def _row(item: SourceItem) -> tuple:
    return (
        item.uri,
        item.object_id,
        item.derived_id,
        item.fingerprint,
        json.dumps(item.metadata),
        _hash(item),
    )


def _hash(item: SourceItem) -> str:
    """The manifest row's hash; a row that is not valid text (a lone surrogate) matches no
    stored hash, and the sink fails that image by name when it writes it."""
    try:
        return metadata_hash(item.object_id, item.metadata)
    except UnicodeEncodeError:
        return ""


def _item(row: dict) -> SourceItem:
    metadata = json.loads(row["metadata"])
    return SourceItem(
        row["uri"], None, row["object_id"], metadata, row["fingerprint"], row["derived_id"]
    )
