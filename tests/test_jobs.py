"""The job entrypoints: `ray job submit` of the nightly job to a Ray head started here, and the
nightly job's report and exit codes in-process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from archive_analyzer.run.guard import collection_lock
from archive_analyzer.run.nightly import BUSY, FAILED, SUCCEEDED, nightly, worst
from tests.conftest import EXAMPLES, count, free_port

ROOT = Path(__file__).resolve().parents[1]
RAY = Path(sys.executable).parent / "ray"


WORKER_PORTS = 200
FLAGS = (
    "--port",
    "--ray-client-server-port",
    "--node-manager-port",
    "--object-manager-port",
    "--dashboard-agent-listen-port",
    "--dashboard-agent-grpc-port",
    "--metrics-export-port",
    "--runtime-env-agent-port",
)


def distinct_ports(count: int, avoid: range, taken: set[int]) -> list[int]:
    """Free ports, all different and outside the workers' range (Ray refuses any overlap)."""
    found: list[int] = []
    while len(found) < count:
        port = free_port()
        if port not in avoid and port not in taken and port not in found:
            found.append(port)
    return found


def head_command(temp_dir: str, dashboard_port: int) -> list[str]:
    """A head on ports of its own, so it never meets the session Ray other tests use."""
    low = free_port()
    while dashboard_port in range(low, low + WORKER_PORTS + 1):
        low = free_port()
    workers = range(low, low + WORKER_PORTS + 1)
    ports = dict(zip(FLAGS, distinct_ports(len(FLAGS), workers, {dashboard_port}), strict=True))
    ports["--dashboard-port"] = dashboard_port
    return [
        str(RAY),
        "start",
        "--head",
        "--block",  # the head's processes live and die with this one
        "--num-cpus=2",
        "--include-dashboard=true",
        "--dashboard-host=127.0.0.1",
        f"--temp-dir={temp_dir}",
        f"--min-worker-port={low}",
        f"--max-worker-port={low + WORKER_PORTS}",
        *(f"{flag}={port}" for flag, port in ports.items()),
    ]


def wait_for_dashboard(url: str, head: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert head.poll() is None, head.communicate()
        try:
            with urllib.request.urlopen(f"{url}/api/version", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the Ray head's dashboard did not come up")


@pytest.fixture
def ray_head(database_url, tiny_model, tmp_path):
    """`ray start --head` with the settings a cluster's pods would have in their environment."""
    temp_dir = tempfile.mkdtemp(prefix="aa-ray-", dir="/tmp")  # short: Unix socket paths
    env = {
        **os.environ,
        "RAY_AUTH_MODE": "disabled",
        "ARCHIVE_ANALYZER_DATABASE_URL": database_url,
        "ARCHIVE_ANALYZER_MODEL": str(tiny_model),
        "ARCHIVE_ANALYZER_MAX_NEW_TOKENS": "4",
        "ARCHIVE_ANALYZER_HOME": str(tmp_path / "job-home"),
        # The job's `python` is this virtualenv's, as a cluster image's python has the deps.
        "PATH": f"{RAY.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("RAY_ADDRESS", None)
    port = free_port()
    head = subprocess.Popen(
        head_command(temp_dir, port), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_dashboard(url, head)
        yield url, env
    finally:
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()


@pytest.mark.slow
def test_ray_job_submit_of_the_nightly_job_writes_rows(ray_head, db):
    url, env = ray_head
    submit = [
        str(RAY),
        "job",
        "submit",
        f"--address={url}",
        "--working-dir=.",
        "--",
        "python",
        "jobs/nightly_reanalysis.py",
        str(EXAMPLES),
    ]
    done = subprocess.run(
        submit, cwd=ROOT, env=env, capture_output=True, text=True, timeout=420, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "SUCCEEDED" in done.stdout and "analysed 12" in done.stdout
    assert count(db, "SELECT count(*) FROM current_image_analyses") == 12
    assert count(db, "SELECT count(*) FROM runs WHERE status = 'succeeded'") == 1


def test_nightly_reports_each_collection_and_skips_a_busy_one(db, settings_for, capsys):
    free = settings_for(EXAMPLES, collection="prints")
    busy = settings_for(EXAMPLES, collection="paintings")
    with collection_lock(db, "paintings"):
        code = nightly([free, busy], engine="local")
    out = capsys.readouterr().out
    assert code == BUSY
    assert "run 1: SUCCEEDED" in out and "plan         new 12" in out
    assert "skipped: collection 'paintings' is already being analysed" in out
    assert nightly([busy], engine="local") == SUCCEEDED
    assert "unchanged 12" in capsys.readouterr().out


def test_worst_exit_code_wins():
    assert worst([SUCCEEDED, SUCCEEDED]) == SUCCEEDED
    assert worst([SUCCEEDED, BUSY]) == BUSY
    assert worst([BUSY, FAILED, SUCCEEDED]) == FAILED
