"""The sink under bad rows and concurrency (issue #13, parts 4 and 5), on real PostgreSQL:
a row the database refuses is isolated to a failure row, two sinks writing one content under
two model versions take turns, and a run whose collection was taken over can no longer write."""

from __future__ import annotations

import multiprocessing

import pytest

from archive_analyzer.errors import CollectionBusyError, LeaseLost
from archive_analyzer.run.guard import collection_lock, mark_dead_runs
from archive_analyzer.stages.sink import Lease, Sink, SinkConfig
from bench.database import start_run
from bench.sink import synthetic_block
from tests.conftest import count

FEATURES = "{}"


def block(start: int, size: int, tag: str = "robust") -> dict:
    return synthetic_block(start, size, tag, FEATURES)


def test_a_row_the_database_refuses_is_isolated_and_the_block_written(db):
    run_id = start_run(db, "robust")
    batch = block(0, 10)
    batch["width"][6] = 2**31  # out of range for images.width (integer): a real DataError
    out = Sink(SinkConfig(db.url, run_id))(batch)
    assert out["status"] == ["ok"] * 6 + ["failed"] + ["ok"] * 3
    assert out["reason"][6] == "unstorable"
    assert count(db, "SELECT count(*) FROM analyses") == 9
    assert count(db, "SELECT count(*) FROM images") == 9
    with db.connect() as conn:
        failure = conn.execute("SELECT uri, reason, message FROM failures").fetchone()
    assert failure["uri"] == batch["uri"][6] and failure["reason"] == "unstorable"
    assert "out of range for type integer" in failure["message"]


def test_several_refused_rows_and_a_nul_in_the_model_text(db):
    run_id = start_run(db, "robust")
    batch = block(0, 16)
    batch["bytes"][1] = 2**70  # bigint overflow
    batch["text"][9] = "a paragraph with a \x00 inside"  # text cannot hold NUL
    batch["height"][15] = -(2**40)
    out = Sink(SinkConfig(db.url, run_id))(batch)
    refused = [i for i, s in enumerate(out["status"]) if s == "failed"]
    assert refused == [1, 9, 15]
    assert count(db, "SELECT count(*) FROM analyses") == 13
    assert count(db, "SELECT count(*) FROM failures WHERE reason = 'unstorable'") == 3


def test_bad_metadata_is_screened_before_writing(db):
    run_id = start_run(db, "robust")
    batch = block(0, 4)
    batch["metadata"][2] = '{"title": "Nocturne \\u0000", "artist": "Anon."}'
    out = Sink(SinkConfig(db.url, run_id))(batch)
    assert out["status"] == ["ok", "ok", "failed", "ok"] and out["reason"][2] == "bad_metadata"
    with db.connect() as conn:
        message = conn.execute("SELECT message FROM failures").fetchone()["message"]
    assert message.startswith("manifest field 'title' contains a NUL character")


def _sink_process(url: str, run_id: int, batches: list[dict], barrier, errors) -> None:
    """One sink in its own process (no shared GIL): each block released by the barrier."""
    sink = Sink(SinkConfig(url, run_id))
    for batch in batches:
        barrier.wait(timeout=60)
        try:
            sink(batch)
        except Exception as exc:  # noqa: BLE001 - the test reports every failure
            errors.put(f"{type(exc).__name__}: {exc}")


def test_two_sinks_write_one_content_under_two_model_versions_at_once(db):
    """Two collections holding the same photographs (other URIs and objects, the same bytes),
    analysed by two model versions at once: only the content is shared. Six rounds, so at
    least one finds both transactions between retiring and inserting at the same time."""
    run_id = start_run(db, "robust")
    rounds, size = 6, 100
    mine, theirs = [], []
    for round_ in range(rounds):
        first, second = block(round_ * size, size, "one"), block(round_ * size, size, "two")
        second["sha256"] = first["sha256"]
        second["object_id"] = [f"T-{n}" for n in second["object_id"]]
        # another artist's name too: a shared new name would serialise them on its own row
        second["metadata"] = [m.replace("Anon.", "Unknown maker") for m in second["metadata"]]
        first["model_version"] = ["model-a"] * size
        second["model_version"] = ["model-b"] * size
        mine.append(first)
        theirs.append(second)
    context = multiprocessing.get_context("spawn")
    barrier, errors = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_sink_process, args=(db.url, run_id, batches, barrier, errors))
        for batches in (mine, theirs)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    found = [errors.get() for _ in range(errors.qsize())] if not errors.empty() else []
    assert found == [] and [w.exitcode for w in workers] == [0, 0]
    contents = rounds * size
    assert count(db, "SELECT count(*) FROM analyses") == 2 * contents
    # exactly one current analysis per content, whichever model wrote last
    current = "SELECT count(DISTINCT image_sha256) FROM analyses WHERE is_current"
    assert count(db, current) == contents
    assert count(db, "SELECT count(*) FROM analyses WHERE is_current") == contents


def test_finish_run_leaves_a_run_that_is_no_longer_running_alone(db):
    run_id = start_run(db, "robust")
    with db.connect() as conn:
        conn.execute("UPDATE runs SET status = 'interrupted', error = 'taken over'")
    params = {"run_id": run_id, "status": "succeeded", "error": None, "counts": "{}"}
    assert db.fetch_one("finish_run", {**params, "images_per_second": 1.0}) is None
    row = db.fetch_one("run_status", {"run_id": run_id})
    assert (row["status"], row["error"]) == ("interrupted", "taken over")


def _terminate(db, pid: int) -> None:
    """What a failover does to one session: it ends, and its advisory locks go with it."""
    with db.connect(autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _start(lock) -> int:
    run_id = lock.conn.execute(
        "INSERT INTO runs (collection, source_uri, backend_pid) "
        "VALUES (%s, 'robust://', pg_backend_pid()) RETURNING id",
        (lock.collection,),
    ).fetchone()["id"]
    lock.claim(run_id)
    return run_id


def test_a_run_whose_collection_was_taken_over_stops_before_writing(db):
    with collection_lock(db, "fenced") as first:
        first_run = _start(first)
        sink = Sink(SinkConfig(db.url, first_run, Lease("fenced", first.token)))
        assert sink(block(0, 2))["status"] == ["ok", "ok"]
        _terminate(db, first.conn.info.backend_pid)  # the first run's lock is gone
        with collection_lock(db, "fenced") as second:  # so a second run takes the collection
            second_run = _start(second)
            with pytest.raises(LeaseLost, match="no longer holds collection 'fenced'"):
                sink(block(2, 2))
            with pytest.raises(LeaseLost, match="another session holds it"):
                first.renew()
            second.renew()
            fenced = Sink(SinkConfig(db.url, second_run, Lease("fenced", second.token)))
            assert fenced(block(2, 2))["status"] == ["ok", "ok"]
    assert count(db, "SELECT count(*) FROM analyses WHERE run_id = %s", (first_run,)) == 2
    assert count(db, "SELECT count(*) FROM analyses WHERE run_id = %s", (second_run,)) == 2
    statuses = db.fetch_all("recent_runs", {"limit": 5})
    assert {r["id"]: r["status"] for r in statuses}[first_run] == "interrupted"


def test_a_run_that_lost_its_lock_to_nobody_takes_it_again(db):
    with collection_lock(db, "retaken") as lock:
        run_id = _start(lock)
        old_pid = lock.conn.info.backend_pid
        _terminate(db, old_pid)
        lock.renew()  # a new session, the lock taken again, the run's session recorded
        assert lock.conn.info.backend_pid != old_pid
        assert mark_dead_runs(db) == []  # alive: its new session holds the lock
        sink = Sink(SinkConfig(db.url, run_id, Lease("retaken", lock.token)))
        assert sink(block(0, 2))["status"] == ["ok", "ok"]
        with pytest.raises(CollectionBusyError):  # and a second run is still refused
            with collection_lock(db, "retaken"):
                pass
