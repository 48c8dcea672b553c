"""Several sinks at once and bulk index mode (issue #17, items 1 and 2), on real PostgreSQL."""

from __future__ import annotations

import hashlib
import multiprocessing

import numpy as np

from archive_analyzer.db.indexes import (
    build_memory,
    choose_mode,
    index_maintenance,
    rebuild_deferred,
)
from archive_analyzer.settings import load_settings
from archive_analyzer.stages.sink import Sink, SinkConfig
from bench.database import start_run
from bench.sink import synthetic_block
from tests.conftest import count
from tests.test_robust_sink import _sink_process

HNSW = "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%% USING hnsw %%'"
GIN = (  # and GiST: both kinds are dropped and rebuilt together
    "SELECT count(*) FROM pg_indexes "
    "WHERE indexdef LIKE '%% USING gin %%' OR indexdef LIKE '%% USING gist %%'"
)


def _twins(sink: int, blocks: int, size: int) -> list[dict]:
    """Each sink's blocks: its own URIs and objects, contents shared with the other sinks in
    another order (the same photograph under several keys, spread over blocks)."""
    out = []
    for number in range(blocks):
        batch = synthetic_block(number * size, size, f"sink{sink}", "{}")
        contents = [(number * size + i * (sink + 1)) % (blocks * size) for i in range(size)]
        batch["sha256"] = [hashlib.sha256(f"content{c}".encode()).hexdigest() for c in contents]
        out.append(batch)
    return out


def test_three_sinks_writing_shared_contents_at_once_leave_one_analysis_each(db):
    run_id = start_run(db, "pools")
    sinks, blocks, size = 3, 4, 60
    context = multiprocessing.get_context("spawn")
    barrier, errors = context.Barrier(sinks), context.Queue()
    workers = [
        context.Process(
            target=_sink_process, args=(db.url, run_id, _twins(s, blocks, size), barrier, errors)
        )
        for s in range(sinks)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
    found = [errors.get() for _ in range(errors.qsize())] if not errors.empty() else []
    assert found == [] and [w.exitcode for w in workers] == [0] * sinks
    contents = len(
        {sha for s in range(sinks) for b in _twins(s, blocks, size) for sha in b["sha256"]}
    )
    assert count(db, "SELECT count(*) FROM analyses") == contents
    assert count(db, "SELECT count(*) FROM analyses WHERE is_current") == contents
    assert count(db, "SELECT count(*) FROM images") == sinks * blocks * size
    assert count(db, "SELECT count(DISTINCT uri) FROM images") == sinks * blocks * size
    assert count(db, "SELECT count(*) FROM analysis_structure") == contents


def _nearest(db, vector: np.ndarray) -> list[str]:
    literal = "[" + ",".join(f"{v:.7g}" for v in vector) + "]"
    with db.connect() as conn:
        conn.execute("SET search_path = public, extensions")
        rows = conn.execute(
            "SELECT sha256 FROM search_entries ORDER BY embedding <=> %s::vector LIMIT 5",
            (literal,),
        ).fetchall()
    return [row["sha256"] for row in rows]


def _exact(batch: dict, vector: np.ndarray) -> list[str]:
    vectors = np.asarray(batch["embedding"], dtype=np.float64)
    cosine = vectors @ vector / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(vector))
    return [batch["sha256"][i] for i in np.argsort(-cosine)[:5]]


def _titled(db, title: str) -> list[str]:
    """Object ids of a catalogers' full-text search, as psql would call it."""
    rows = "SELECT object_id FROM catalog_search_text(%s, 5) ORDER BY object_id"
    with db.connect() as conn:
        return [row["object_id"] for row in conn.execute(rows, (title,)).fetchall()]


def test_bulk_mode_drops_hnsw_and_gin_keeps_search_exact_and_rebuilds(db):
    settings = load_settings(None, index_mode="bulk", index_build_memory="64MB")
    run_id = start_run(db, "bulk")
    hnsw, gin = count(db, HNSW), count(db, GIN)
    assert hnsw >= 2  # search entries' embeddings and palette colours, at least
    assert gin >= 3  # the search document with its filters, the trigram indexes (GIN, GiST)
    with index_maintenance(db, settings, 300, run_id) as mode:
        assert mode == "bulk" and count(db, HNSW) == 0 and count(db, GIN) == 0
        assert count(db, "SELECT count(*) FROM deferred_indexes") == hnsw + gin
        batch = synthetic_block(0, 300, "bulk", "{}")
        Sink(SinkConfig(db.url, run_id))(batch)
        query = np.asarray(batch["embedding"][17], dtype=np.float64) + 0.01
        assert _nearest(db, query) == _exact(batch, query)  # an exact scan meanwhile
        assert _titled(db, "Study 217") == ["B-0000217"]  # words found by a scan meanwhile
    assert count(db, HNSW) == hnsw and count(db, GIN) == gin
    assert count(db, "SELECT count(*) FROM deferred_indexes") == 0
    assert _nearest(db, query)[0] == batch["sha256"][17]
    assert _titled(db, "Study 217") == ["B-0000217"]


def test_a_crashed_bulk_run_s_indexes_are_rebuilt_by_the_next_command(db):
    settings = load_settings(None, index_mode="bulk")
    run_id = start_run(db, "bulk")
    deferrable = count(db, HNSW) + count(db, GIN)
    try:
        with index_maintenance(db, settings, 10, run_id):
            raise SystemExit  # stands for the process dying: the finally still runs here...
    except SystemExit:
        pass
    assert count(db, HNSW) + count(db, GIN) == deferrable
    # ...so kill it for real: the drop is recorded, the rebuild never happens.
    from archive_analyzer.db.indexes import drop_deferrable_indexes

    drop_deferrable_indexes(db, run_id, db.fetch_all("deferrable_indexes"))
    assert count(db, HNSW) + count(db, GIN) == 0
    assert rebuild_deferred(db, settings) == []  # its run is still running: left alone
    with db.connect() as conn:
        conn.execute("UPDATE runs SET status = 'interrupted' WHERE id = %s", (run_id,))
    assert len(rebuild_deferred(db, settings)) == deferrable
    assert count(db, HNSW) + count(db, GIN) == deferrable


def test_auto_mode_goes_bulk_where_a_rebuild_costs_less_than_live_inserts():
    settings = load_settings(None)
    assert settings.index_mode == "auto"
    assert choose_mode(settings, 5_000, 0) == "bulk"  # a first load
    assert choose_mode(settings, 50_000, 100_000) == "bulk"  # a large share of the catalog
    assert choose_mode(settings, 5_000, 1_000_000) == "live"  # a nightly run
    # A large run onto a far larger catalog: rebuilding 10M rows would take an hour and leave
    # searches on sequential scans; live inserts of 50,000 take about a minute.
    assert choose_mode(settings, 50_000, 10_000_000) == "live"
    assert choose_mode(settings, 100, 0) == "live"  # too small to be worth a lock
    assert choose_mode(load_settings(None, index_mode="live"), 50_000, 0) == "live"


def test_a_growing_load_refreshes_planner_statistics_as_it_doubles(db):
    """A first load must not be planned as "the catalog is empty" (0018): the sink analyses
    its tables at 1,000 rows written, then at each doubling; a small run never does."""
    rows = "SELECT reltuples::int AS count FROM pg_class WHERE relname = %s"
    sink = Sink(SinkConfig(db.url, start_run(db, "statistics")))
    sink(synthetic_block(0, 400, "stats", "{}"))
    assert sink.next_statistics == 1_000
    sink(synthetic_block(400, 700, "stats", "{}"))
    assert count(db, rows, ("analyses",)) == 1_100
    assert count(db, rows, ("search_entries",)) == 1_100
    assert sink.next_statistics == 2_200


def test_an_index_build_takes_the_memory_its_table_needs_up_to_the_setting():
    """A parallel HNSW build reserves all of maintenance_work_mem before it starts."""
    assert build_memory("1GB", 10_000) == "65536kB"  # the floor: 40 MB wanted
    assert build_memory("1GB", 100_000) == f"{100_000 * 4}kB"
    assert build_memory("1 GB", 10_000_000) == "1048576kB"  # the ceiling
