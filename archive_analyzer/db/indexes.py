"""Index maintenance that fits the load: live index inserts for small runs, bulk for large ones.

Keeping an HNSW index current costs ~1.4 ms per 384-d vector on a small server (the sink's
bound, ~400 rows/s); building it after a load costs a fraction of that. GIN indexes (the
search document with its filter keys, the trigram indexes) cost ~0.13 ms per row kept up and a
few microseconds built in one pass. In bulk mode a run records and drops every HNSW, GIN and GiST
index (found by access method, so an index a later migration adds is covered), its rows land
unindexed, and the indexes are built again at the end with `maintenance_work_mem` and parallel
workers. Search stays correct meanwhile: without the indexes PostgreSQL scans the rows exactly.

A run that dies between the two leaves rows in `deferred_indexes`; the next run and the `db`
commands rebuild every index whose run is over, so an index is never missing silently.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Literal

from psycopg import sql

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query
from archive_analyzer.settings import Settings

logger = logging.getLogger(__name__)

# A parallel HNSW build reserves all of maintenance_work_mem in shared memory before it starts
# (1 GB costs ~0.5 s for a graph of 30 MB): each build gets what its table needs, at most the
# configured ceiling. ~2.2 kB per 384-d element in pgvector's in-memory graph; twice that here.
BUILD_BYTES_PER_ROW = 4096
BUILD_MEMORY_FLOOR = 64 * 2**20
UNITS = {"kB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}

# auto: a load this many times smaller than what is indexed already is cheaper live (a rebuild
# reads every row: ~0.3 ms each against ~1.4 ms per live insert). However large the run: 50,000
# images onto 10 million rows would rebuild for an hour what live inserts do in a minute, and
# leave the catalogers' searches on sequential scans meanwhile.
REBUILD_RATIO = 3


def choose_mode(settings: Settings, todo: int, indexed_rows: int) -> Literal["live", "bulk"]:
    if settings.index_mode != "auto":
        return settings.index_mode
    rebuild_is_cheaper = indexed_rows < REBUILD_RATIO * todo
    return "bulk" if todo >= settings.bulk_index_threshold and rebuild_is_cheaper else "live"


@contextlib.contextmanager
def index_maintenance(db: Database, settings: Settings, todo: int, run_id: int) -> Iterator[str]:
    """Around a run's writes: rebuild what an earlier run left, then drop the HNSW, GIN and GiST
    indexes in bulk mode and build them again afterwards, whether the run succeeds or fails."""
    rebuild_deferred(db, settings)
    found = db.fetch_all("deferrable_indexes")
    largest = max((row["rows"] for row in found), default=0)
    mode = choose_mode(settings, todo, largest) if todo else "live"
    if mode == "bulk":
        drop_deferrable_indexes(db, run_id, found)
    try:
        yield mode
    finally:
        if mode == "bulk":
            rebuild_deferred(db, settings, run_id)


def drop_deferrable_indexes(db: Database, run_id: int, found: list[dict]) -> None:
    """Record, then drop, each index in one transaction: a crash never loses a definition."""
    for row in found:
        with db.connect() as conn, conn.transaction():
            conn.execute(query("record_deferred_index"), {**row, "run_id": run_id})
            name = sql.Identifier(row["schema_name"], row["index_name"])
            conn.execute(sql.SQL(query("drop_index")).format(index=name))
        logger.info("bulk mode: dropped %s.%s", row["schema_name"], row["index_name"])


def rebuild_deferred(db: Database, settings: Settings, run_id: int | None = None) -> list[str]:
    """Build every recorded index whose run is over (or is `run_id`); returns their names."""
    built = []
    while True:
        with db.connect() as conn, conn.transaction():
            row = conn.execute(query("deferred_to_rebuild"), {"run_id": run_id}).fetchone()
            if row is None:
                return built
            if not conn.execute(query("index_exists"), row).fetchone()["present"]:
                table = sql.Identifier(row["schema_name"], row["table_name"])
                rows = conn.execute(sql.SQL(query("table_rows")).format(table=table)).fetchone()
                settings_ = {
                    "memory": build_memory(settings.index_build_memory, rows["rows"]),
                    "workers": str(settings.index_build_workers),
                }
                conn.execute(query("index_build_settings"), settings_)
                # The definition is PostgreSQL's own pg_get_indexdef of the dropped index.
                conn.execute(row["definition"].encode())
            conn.execute(query("forget_deferred_index"), row)
        built.append(f"{row['schema_name']}.{row['index_name']}")
        logger.info("rebuilt %s", built[-1])


def build_memory(ceiling: str, rows: int) -> str:
    """maintenance_work_mem for building an index over `rows` rows: what it needs, capped."""
    text = ceiling.replace(" ", "")  # settings checked it: digits, then kB, MB, GB or TB
    limit = int(text[:-2]) * UNITS[text[-2:]]
    wanted = max(BUILD_MEMORY_FLOOR, rows * BUILD_BYTES_PER_ROW)
    return f"{min(limit, wanted) // 2**10}kB"
