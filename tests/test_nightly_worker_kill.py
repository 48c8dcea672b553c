"""SIGKILL of a worker mid-run: Ray restarts the sink actor and replays its block, and the
staging-table merge leaves exactly one row per image."""

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


def kill_sink_once_rows_land(db, killed: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        if count(db, "SELECT count(*) FROM analyses") >= 8:
            for process in sink_workers():
                os.kill(process.pid, signal.SIGKILL)
                killed.append(process.pid)
            if killed:
                return
        time.sleep(0.05)


@pytest.mark.slow
def test_killed_sink_worker_leaves_exact_rows(ray_cluster, db, settings_for):
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=kill_sink_once_rows_land, args=(db, killed, stop))
    killer.start()
    try:
        summary = analyze(settings_for(PAINTINGS, batch_size=4), engine="ray", progress=False)
    finally:
        stop.set()
        killer.join()
    assert killed, "the sink worker was never seen"
    assert (summary.status, summary.analysed, summary.failed) == ("succeeded", 100, 0)
    for table in ("analyses", "images", "artworks", "image_contents"):
        assert count(db, f"SELECT count(*) FROM {table}") == 100
    assert count(db, "SELECT count(*) FROM analyses WHERE is_current") == 100
