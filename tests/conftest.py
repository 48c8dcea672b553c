"""Shared fixtures: one real embedded PostgreSQL per session with a migrated template database
(each test gets a fresh clone), one local Ray, a tiny model, moto's S3 server on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest

from archive_analyzer.db.database import Database
from archive_analyzer.db.embedded import embedded_url, stop_embedded
from archive_analyzer.db.migrate import migrate
from archive_analyzer.settings import load_settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PAINTINGS = SHARED_DATA / "paintings"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "paintings"
TEMPLATE = "aa_template"

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@pytest.fixture(scope="session")
def pg_home() -> Path:
    # Not under pytest's own temp root: every pytest session that starts (a parallel run, a
    # second checkout) resets that root to mode 0700, and the server, which runs as its own
    # system user, then loses its data directory and shuts down in the middle of a test.
    home = Path(tempfile.mkdtemp(prefix="aa-pg-", dir="/tmp"))
    yield home
    stop_embedded(home)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin_url(pg_home) -> str:
    url = embedded_url(pg_home)
    admin = url.replace("/archive_analyzer?", "/postgres?")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        conn.execute(f"CREATE DATABASE {TEMPLATE}")
    migrate(Database(url.replace("/archive_analyzer?", f"/{TEMPLATE}?")))
    return admin


@pytest.fixture
def database_url(pg_admin_url) -> str:
    """A fresh, migrated database for this test (cloned from the template in ~50 ms)."""
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    yield pg_admin_url.replace("/postgres?", f"/{name}?")
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def empty_database_url(pg_admin_url) -> str:
    """A database with nothing in it, not even the migrations `database_url` has."""
    name = "e_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield pg_admin_url.replace("/postgres?", f"/{name}?")
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def db(database_url) -> Database:
    return Database(database_url)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    """Never touch the real user's data dir; no stray ARCHIVE_ANALYZER_* from the shell."""
    for key in list(os.environ):
        if key.startswith("ARCHIVE_ANALYZER_"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("ARCHIVE_ANALYZER_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    from archive_analyzer.model.tiny import write_tiny_model

    return write_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture
def settings_for(database_url, tiny_model):
    """Settings for a test run: the fresh database, the tiny model, short generations."""

    def build(source: str | Path, **overrides):
        values = {
            "source": str(source),
            "database_url": database_url,
            "model": str(tiny_model),
            "max_new_tokens": 8,
            "batch_size": 8,
        }
        values.update(overrides)
        return load_settings(None, **values)

    return build


@pytest.fixture(scope="session")
def ray_cluster(s3_endpoint):
    """One local Ray for the session (starting one costs 3-5 s).

    Workers inherit the environment at start, so the local S3 server's standard AWS variables
    are set before Ray starts, as a cluster's nodes would have them.
    """
    import ray

    os.environ.update(S3_ENV, AWS_ENDPOINT_URL=s3_endpoint)
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on 127.0.0.1, reached over real HTTP like AWS or MinIO."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def s3_env(s3_endpoint, monkeypatch) -> str:
    """The standard AWS variables pointing at the local S3 server; returns the endpoint."""
    for key, value in {**S3_ENV, "AWS_ENDPOINT_URL": s3_endpoint}.items():
        monkeypatch.setenv(key, value)
    return s3_endpoint


def count(db: Database, sql: str, params=()) -> int:
    with db.connect() as conn:
        return conn.execute(sql, params).fetchone()["count"]


def migrate_before(db: Database, version: int, tmp_path: Path, monkeypatch) -> None:
    """Migrate `db` as a catalog made before migration `version` was written: the sql folder
    without that migration and the ones after it."""
    from archive_analyzer.db.queries import sql_dir

    older = tmp_path / f"sql-before-{version:04d}"
    shutil.copytree(sql_dir(), older)
    for later in (older / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"):
        if int(later.name[:4]) >= version:
            later.unlink()
    monkeypatch.setenv("ARCHIVE_ANALYZER_SQL_DIR", str(older))
    migrate(db)
    monkeypatch.delenv("ARCHIVE_ANALYZER_SQL_DIR")
