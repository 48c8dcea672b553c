"""A real `archive-analyzer analyze` on a local Ray, in a subprocess: Ctrl-C keeps the
committed work, records the run interrupted, exits 130 with one line and leaves no Ray process
behind; a normal run prints no line of Ray's own."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import PAINTINGS, count

ROOT = Path(__file__).resolve().parents[1]
IMAGES = 48
# What Ray prints when it is not told otherwise: Python warnings ("WARNING file.py:12 --"),
# C++ lines ("[2026-... E 123 123] core_worker.cc"), worker output ("(MapWorker pid=...)").
RAY_LINE = re.compile(
    r"(WARNING|ERROR) \S+\.py:\d+ --|^\[\d{4}-\d\d-\d\d [^]]* [WE] \d+|\(\w+ pid="
)


def images(folder: Path, n: int) -> Path:
    folder.mkdir()
    for path in sorted(PAINTINGS.glob("*.jpg"))[:n]:
        shutil.copy(path, folder / path.name)
    return folder


def start(source: Path, database_url: str, model: Path, home: Path, *flags: str):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ARCHIVE_ANALYZER_DATABASE_URL": database_url,
        "ARCHIVE_ANALYZER_HOME": str(home),
    }
    env.pop("RAY_ADDRESS", None)
    command = [sys.executable, "-m", "archive_analyzer.cli", "analyze", str(source)]
    command += ["--engine", "ray", "--model", str(model), "--no-progress", *flags]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def ray_processes(driver: int) -> list[psutil.Process]:
    """Processes of the Ray session this driver started: its session folder ends in its pid."""
    session = re.compile(rf"session_[\d_-]+_{driver}\b")
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if session.search(" ".join(process.info["cmdline"] or [])):
            found.append(process)
    return found


@pytest.mark.slow
def test_first_ctrl_c_keeps_committed_work_and_leaves_no_ray(
    tmp_path, db, database_url, tiny_model
):
    source = images(tmp_path / "paintings", IMAGES)
    # Small batches and long answers: blocks commit one after another for a while.
    flags = ("--batch-size", "2", "--max-new-tokens", "64")
    run = start(source, database_url, tiny_model, tmp_path / "home", *flags)
    deadline = time.monotonic() + 240
    while count(db, "SELECT count(*) FROM analyses") == 0:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "no analysis was committed in time"
        time.sleep(0.1)
    # Everything the driver started, while it runs (children re-parent when it exits).
    helpers = psutil.Process(run.pid).children(recursive=True)
    names = {" ".join(p.cmdline())[:40] for p in helpers if p.is_running()}
    assert any("DashboardAgent" in n for n in names), names
    committed = count(db, "SELECT count(*) FROM analyses")
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, (out, err)
    assert err.count("\n") == 1 and err.startswith("archive-analyzer: interrupted"), err
    with db.connect() as conn:
        status, counts = conn.execute("SELECT status, counts FROM runs").fetchone().values()
    kept = count(db, "SELECT count(*) FROM analyses")
    assert status == "interrupted"
    assert committed <= kept < IMAGES  # committed blocks kept; no new work taken
    assert counts["analysed"] <= kept
    time.sleep(1)
    alive = [p for p in helpers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [] and ray_processes(run.pid) == []


@pytest.mark.slow
def test_normal_run_prints_no_ray_lines(tmp_path, db, database_url, tiny_model):
    home = tmp_path / "home"
    source = images(tmp_path / "paintings", 4)
    run = start(source, database_url, tiny_model, home)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, (out, err)
    ray_lines = [line for line in (out + err).splitlines() if RAY_LINE.search(line)]
    assert ray_lines == [], ray_lines
    log = home / "logs" / "ray-1.log"
    assert f"Ray's own messages: {log}" in out
    assert "constructor arguments in the object store" in log.read_text()
    assert ray_processes(run.pid) == []
