"""Sink: write a block of results to PostgreSQL exactly once.

The block is COPied into a session-local staging table and merged into artworks, images,
image_contents, analyses and failures in one transaction (sql/queries/sink.sql). A block is
therefore written entirely or not at all, and every merge is an upsert on a natural key, so a
block replayed after a killed worker or driver leaves the same rows. Returns one small status
row per image for the driver's progress and accounting; nothing heavy travels back.

No row can fail its block. Manifest values the database cannot hold (NUL, lone surrogates,
over-long) are screened first (`bad_metadata`); a row the database still refuses is found by
writing the block in halves under savepoints, and recorded as an `unstorable` failure while
the others are written. Good blocks take one savepoint and the set-based path.

Each transaction first checks the run's collection lease (its fencing token: a run that lost
its collection to a later run raises LeaseLost before writing) and takes a transaction-level
advisory lock per content, in sorted order, so two sinks writing one content under two model
or prompt versions take turns instead of colliding on the one-current-analysis index.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import psycopg
import psycopg.errors

from archive_analyzer.catalog.store import store_structure
from archive_analyzer.db.queries import query
from archive_analyzer.errors import LeaseLost
from archive_analyzer.metadata import artwork_fields, metadata_hash, metadata_problem
from archive_analyzer.stages import Batch, rows
from archive_analyzer.stages.connection import StageConnection
from archive_analyzer.stages.contract import (
    ANALYSIS,
    DECODED,
    FEATURES,
    LINKED,
    MESSAGE,
    METADATA,
    OBJECT_ID,
    OUTCOME,
    REASON,
    REFERENCE,
    RESULT,
    SHA256,
    STATUS,
    STRUCTURE,
    URI,
    Stage,
    Status,
)

logger = logging.getLogger(__name__)

# Rows a sink writes before it first refreshes the planner's statistics; then each time its
# rows double (sink_refresh_statistics, 0018): a first load never runs on "the catalog is empty".
STATISTICS_FIRST = 1_000

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


# A value the database refuses in one row: isolated to that row, never the block's failure.
# (ProgramLimitExceeded, an over-long index entry, is an OperationalError to psycopg: caught
# here first, it is never mistaken for a lost connection and retried.)
ROW_ERRORS = (
    psycopg.DataError,
    psycopg.errors.NotNullViolation,
    psycopg.errors.CheckViolation,
    psycopg.errors.ProgramLimitExceeded,
    UnicodeError,
)


@dataclass(frozen=True)
class Lease:
    """The run's hold on its collection: the token `claim_lease` gave it."""

    collection: str
    token: int


@dataclass(frozen=True)
class SinkConfig:
    database_url: str
    run_id: int
    lease: Lease | None = None  # None: unfenced writes (benchmarks, tools holding no lease)
    collection: str = "default"  # artworks are (collection, object_id)


class Sink(Stage):
    needs = (*REFERENCE, *DECODED, *OUTCOME, FEATURES, *ANALYSIS, *STRUCTURE)
    returns = RESULT

    def __init__(self, config: SinkConfig) -> None:
        self.config = config
        self.db = StageConnection(config.database_url)
        self.rows_written = 0
        self.next_statistics = STATISTICS_FIRST

    def __call__(self, batch: Batch) -> Batch:
        items = [screened(item) for item in rows(batch)]
        # A lost connection is reopened and the whole block written again; the merges are
        # idempotent, so a block that did commit before the loss stays the same.
        written = self.db.run(lambda conn: self._write_transaction(conn, items))
        self._refresh_statistics_as_grown(len(written))
        return {column: [item[column] for item in written] for column in RESULT}

    def _refresh_statistics_as_grown(self, rows: int) -> None:
        self.rows_written += rows
        if self.rows_written < self.next_statistics:
            return
        self.next_statistics = 2 * self.rows_written
        try:
            self.db.run(_refresh_statistics)
        except psycopg.Error as exc:  # stale statistics cost speed, never a block
            logger.warning("could not refresh planner statistics: %s", str(exc).splitlines()[0])

    def _write_transaction(self, conn: psycopg.Connection, items: list[dict]) -> list[dict]:
        with conn.transaction(), conn.cursor() as cur:
            self._check_lease(cur)
            shas = sorted({str(i[SHA256]) for i in items if i[STATUS] in LINKED})
            cur.execute(query("sink_lock_contents"), {"shas": shas})
            cur.execute(query("sink_create_staging"))
            refused = dict(self._write_isolating(cur, items))
            if not refused:
                return items
            written = [unstorable(i, refused[i[URI]]) if i[URI] in refused else i for i in items]
            # The refused rows as failure rows; if even that is refused, the block fails.
            self._write_block(cur, [i for i in written if i[URI] in refused])
            return written

    def _check_lease(self, cur: psycopg.Cursor) -> None:
        lease = self.config.lease
        if lease is None:
            return
        params = {"collection": lease.collection, "run_id": self.config.run_id}
        if cur.execute(query("check_lease"), {**params, "token": lease.token}).fetchone():
            return
        raise LeaseLost(
            f"run {self.config.run_id} no longer holds collection {lease.collection!r} "
            f"(lease token {lease.token} is not current, or the run was marked interrupted): "
            "a later run took it over; this run stops as interrupted without writing"
        )

    def _write_isolating(self, cur: psycopg.Cursor, items: list[dict]) -> list[tuple]:
        """Write `items` under a savepoint; on a refused value, each half on its own, down to
        the row. Returns (uri, error) of the rows the database refused."""
        try:
            with cur.connection.transaction():
                self._write_block(cur, items)
            return []
        except ROW_ERRORS as exc:
            if len(items) == 1:
                return [(items[0][URI], exc)]
            half = len(items) // 2
            return [
                *self._write_isolating(cur, items[:half]),
                *self._write_isolating(cur, items[half:]),
            ]

    def _write_block(self, cur: psycopg.Cursor, items: list[dict]) -> None:
        cur.execute(query("sink_clear_staging"))  # a half written before is merged already
        with cur.copy(query("sink_copy_staging")) as copy:
            for item in items:
                copy.write_row(staging_row(item))
        params = {"run_id": self.config.run_id, "collection": self.config.collection}
        for name in MERGES:
            cur.execute(query(name), params)
        store_structure(cur, [i for i in items if i[STATUS] == Status.OK])


def _refresh_statistics(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute(query("sink_refresh_statistics"))


def _failed(item: dict, reason: str, message: str) -> dict:
    return {**item, STATUS: Status.FAILED, REASON: reason, MESSAGE: message}


def screened(item: dict) -> dict:
    """The item, or a `bad_metadata` failure when a manifest value cannot be stored."""
    if item[STATUS] not in LINKED:
        return item
    metadata = json.loads(item.get(METADATA) or "{}")
    fields = artwork_fields(item[OBJECT_ID], metadata)
    problem = metadata_problem({**fields, "metadata": metadata})
    return item if problem is None else _failed(item, "bad_metadata", problem)


def storable(text: str) -> str:
    """Text the database accepts, whatever it quotes: NUL and lone surrogates escaped."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def unstorable(item: dict, exc: BaseException) -> dict:
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    message = f"the database refused this image's row: {type(exc).__name__}: {first_line}"
    return _failed(item, "unstorable", storable(message)[:2000])


# What a failure row keeps (sink_merge_failures): nothing else of a failed image is written,
# so a refused value elsewhere in its row cannot refuse its failure row too.
FAILURE_COLUMNS = (URI, STATUS, REASON, MESSAGE, SHA256)


def staging_row(item: dict) -> tuple:
    """One image's row for the staging table; artwork fields come from its manifest metadata."""
    if item[STATUS] not in LINKED:
        values = {column: item.get(column) for column in FAILURE_COLUMNS}
        values[URI] = storable(str(item[URI]))  # a failure row is kept whatever its name
        return tuple(values.get(column) for column in STAGING_COLUMNS)
    values = dict(item)
    metadata = json.loads(item.get(METADATA) or "{}")
    values.update(artwork_fields(item[OBJECT_ID], metadata), metadata=json.dumps(metadata))
    values["metadata_hash"] = metadata_hash(item[OBJECT_ID], metadata)
    return tuple(values.get(column) for column in STAGING_COLUMNS)
