"""Migration 0011 on a database filled by the previous release: the previous code (read from the
git history) migrates and analyses a collection for real; migrating to head then keeps every row,
gives each artwork its run's collection, and the current code plans it as unchanged."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from archive_analyzer.db.database import Database
from archive_analyzer.db.migrate import migrate
from archive_analyzer.run.analyze import plan_only
from archive_analyzer.sources import normalize_uri
from tests.conftest import PAINTINGS

CHECKOUT = __import__("pathlib").Path(__file__).resolve().parents[1]
PREVIOUS = "6b75c30"  # the last commit before collections (schema head 0009)
TABLES = {
    "artworks": "id, object_id, title, artist, date_text, year_start, year_end, medium, metadata",
    "images": "id, uri, sha256, artwork_id, fingerprint, last_run_id",
    "analyses": "id, image_sha256, model_version, prompt_version, text, is_current, run_id",
    "image_contents": "uri, sha256, run_id",
    "failures": "run_id, uri, reason",
    "runs": "id, collection, status, counts",
}


def previous_release(tmp_path):
    if not (CHECKOUT / ".git").exists():
        pytest.skip("the previous release is read from the git history: needs a git checkout")
    archive = subprocess.run(
        ["git", "-C", str(CHECKOUT), "archive", "--format=tar", PREVIOUS],
        capture_output=True,
        check=True,
    ).stdout
    target = tmp_path / "previous"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def previous_cli(release, *args, database_url, home):
    env = {
        **os.environ,
        "PYTHONPATH": str(release),
        "ARCHIVE_ANALYZER_DATABASE_URL": database_url,
        "ARCHIVE_ANALYZER_HOME": str(home),
    }
    env.pop("ARCHIVE_ANALYZER_SQL_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "archive_analyzer.cli", *args],
        env=env,
        cwd=release,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def snapshot(db):
    with db.connect() as conn:
        return {
            table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2").fetchall()
            for table, columns in TABLES.items()
        }


@pytest.mark.timeout(600)
def test_migration_keeps_every_row_and_gives_artworks_their_collection(
    empty_database_url, tiny_model, tmp_path, settings_for
):
    release = previous_release(tmp_path)
    folder = tmp_path / "works"
    folder.mkdir()
    for path in sorted(PAINTINGS.glob("*.jpg"))[:3]:
        shutil.copy(path, folder / path.name)
    (folder / "broken.jpg").write_bytes(b"not an image")
    manifest = tmp_path / "works.csv"
    names = sorted(p.name for p in folder.glob("*.jpg"))
    manifest.write_text(
        "object_id,image_uri,title\n" + "".join(f"O{i},{n},T{i}\n" for i, n in enumerate(names))
    )
    home = tmp_path / "previous-home"
    previous_cli(release, "db", "migrate", database_url=empty_database_url, home=home)
    flags = ["--engine", "local", "--no-progress", "--model", str(tiny_model)]
    previous_cli(
        release,
        "analyze",
        str(folder),
        "--manifest",
        str(manifest),
        *flags,
        "--max-new-tokens",
        "8",
        database_url=empty_database_url,
        home=home,
    )
    db = Database(empty_database_url)
    before = snapshot(db)
    assert len(before["artworks"]) == 3 and len(before["failures"]) == 1
    with db.connect() as conn:  # an artwork no run wrote an image of
        conn.execute("INSERT INTO artworks (object_id, title) VALUES ('orphan', 'Lost')")
    before = snapshot(db)

    applied = [m.name for m in migrate(db)]
    assert "0011_collections.sql" in applied
    assert snapshot(db) == before
    with db.connect() as conn:
        collections = conn.execute(
            "SELECT object_id, collection FROM artworks ORDER BY object_id"
        ).fetchall()
    key = normalize_uri(str(folder))
    assert collections == [
        {"object_id": "O1", "collection": key},
        {"object_id": "O2", "collection": key},
        {"object_id": "O3", "collection": key},
        {"object_id": "orphan", "collection": "default"},
    ]
    # broken.jpg (sorted first, O0) failed and has no image: its artwork was never written;
    # the three paintings are O1..O3. The current code sees nothing to analyse: only a one-time
    # metadata sync (the previous release stored no metadata hash).
    settings = settings_for(folder, manifest=str(manifest), database_url=empty_database_url)
    counts, missing = plan_only(settings, say=lambda *_: None)
    assert counts["new"] == 1 and counts["metadata"] == 3 and missing == 0
