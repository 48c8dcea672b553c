"""SIGKILL of the sink worker while it is writing a block: Ray restarts the sink actor and
replays that block, and the staging-table merge leaves exactly one row per image.

The kill must land inside a block, or the test would only show that a restart between blocks
is harmless. So the test holds a SHARE lock on `analyses`: the sink's next block stops in its
block, mid-transaction, which pg_stat_activity shows (a backend waiting on a Lock inside an
open transaction). The worker is killed then, the lock let
go, and the aborted block's rows must come back through the replay."""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil
import pytest

from archive_analyzer.run.analyze import analyze
from tests.conftest import PAINTINGS, count

SINK_TITLE = "ray::MapWorker(MapBatches(Sink))"
BLOCKED_MERGE = """
SELECT pid, xact_start, query FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND wait_event_type = 'Lock' AND xact_start IS NOT NULL
"""


def sink_workers() -> list[psutil.Process]:
    """This session's sink actor processes (only our own Ray's, not other test sessions')."""
    found = []
    for process in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if " ".join(process.cmdline()).startswith(SINK_TITLE):
                found.append(process)
        except psutil.Error:
            continue
    return found


def kill_sink_mid_block(db, seen: dict, stop: threading.Event) -> None:
    while not stop.is_set() and count(db, "SELECT count(*) FROM analyses") < 8:
        time.sleep(0.05)
    with db.connect() as conn:  # one transaction: the lock is held until it ends
        conn.execute("LOCK TABLE analyses IN SHARE MODE")
        give_up = time.monotonic() + 120  # fail, never hang, if no block comes to wait
        while not stop.is_set() and time.monotonic() < give_up:
            # Statistics views are snapshotted once per transaction: ask a fresh one each time.
            conn.execute("SELECT pg_stat_clear_snapshot()")
            blocked = conn.execute(BLOCKED_MERGE).fetchall()
            if blocked:
                seen["in_flight"] = blocked
                seen["committed"] = conn.execute("SELECT count(*) FROM analyses").fetchone()
                for process in sink_workers():
                    os.kill(process.pid, signal.SIGKILL)
                    seen.setdefault("killed", []).append(process.pid)
                return
            time.sleep(0.05)
        seen["activity"] = conn.execute(
            "SELECT pid, state, wait_event_type, left(query, 80) AS q FROM pg_stat_activity "
            "WHERE datname = current_database()"
        ).fetchall()


@pytest.mark.slow
def test_killed_sink_worker_mid_block_leaves_exact_rows(ray_cluster, db, settings_for):
    seen: dict = {}
    stop = threading.Event()
    killer = threading.Thread(target=kill_sink_mid_block, args=(db, seen, stop))
    killer.start()
    try:
        summary = analyze(settings_for(PAINTINGS, batch_size=4), engine="ray", progress=False)
    finally:
        stop.set()
        killer.join()
    assert seen.get("in_flight"), f"no sink block caught mid-transaction: {seen.get('activity')}"
    assert seen.get("killed"), "the sink worker was never seen"
    assert seen["committed"]["count"] < 100  # the block in flight had not committed
    (blocked,) = seen["in_flight"]
    with db.connect() as conn:  # the killed block's session is gone: its transaction aborted
        alive = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (blocked["pid"],)
        ).fetchone()["count"]
    assert alive == 0
    assert (summary.status, summary.analysed, summary.failed) == ("succeeded", 100, 0)
    for table in ("analyses", "images", "artworks", "image_contents"):
        assert count(db, f"SELECT count(*) FROM {table}") == 100
    assert count(db, "SELECT count(*) FROM analyses WHERE is_current") == 100
