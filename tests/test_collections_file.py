"""The collections file: each collection's source, manifest, mapping and options, read by the
nightly job and `analyze --collection NAME`; the nightly exit code says when one failed or
found nothing. Real PostgreSQL, the tiny model, the local engine."""

from __future__ import annotations

import shutil

import pytest

from archive_analyzer.cli import main
from archive_analyzer.collections import load_collections
from archive_analyzer.errors import ConfigError
from archive_analyzer.run.nightly import EMPTY
from tests.conftest import PAINTINGS, count


def folder_of(path, numbers):
    path.mkdir()
    for number in numbers:
        shutil.copy(sorted(PAINTINGS.glob("*.jpg"))[number], path / f"{number:03d}.jpg")
    return path


@pytest.fixture
def two_collections(tmp_path):
    """Two folders with their own manifests (one with its own column mapping)."""
    north = folder_of(tmp_path / "north", [10, 11])
    south = folder_of(tmp_path / "south", [12])
    (tmp_path / "north.csv").write_text(
        "object_id,image_uri,title\nN1,010.jpg,Harbour\nN2,011.jpg,Mill\n"
    )
    (tmp_path / "south.csv").write_text("Inv,File,Object Title\nS1,012.jpg,Wheat\n")
    text = f"""
[collections.north]
source = "{north}"
manifest = "{tmp_path / "north.csv"}"
batch_size = 2

[collections.south]
source = "{south}"
manifest = "{tmp_path / "south.csv"}"
mapping = {{ object_id = "Inv", image_uri = "File", title = "Object Title" }}
"""
    path = tmp_path / "collections.toml"
    path.write_text(text)
    return path


def test_nightly_runs_every_collection_with_its_own_manifest(
    db, database_url, tiny_model, two_collections, monkeypatch
):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    monkeypatch.setenv("ARCHIVE_ANALYZER_COLLECTIONS_FILE", str(two_collections))
    flags = ["--engine", "local", "--model", str(tiny_model), "--max-new-tokens", "8"]
    assert main(["nightly", *flags]) == 0
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT collection, object_id, title FROM artworks ORDER BY 2"
        ).fetchall()
    assert rows == [
        {"collection": "north", "object_id": "N1", "title": "Harbour"},
        {"collection": "north", "object_id": "N2", "title": "Mill"},
        {"collection": "south", "object_id": "S1", "title": "Wheat"},
    ]
    assert count(db, "SELECT count(*) FROM failures") == 0
    assert count(db, "SELECT count(*) FROM runs WHERE status = 'succeeded'") == 2

    # analyze --collection NAME reads the same file.
    assert main(["analyze", "--collection", "south", *flags, "--no-progress"]) == 0
    assert count(db, "SELECT count(*) FROM runs WHERE collection = 'south'") == 2


def test_a_collection_that_finds_nothing_makes_the_nightly_job_fail(
    database_url, tiny_model, two_collections, tmp_path, monkeypatch
):
    (tmp_path / "unmounted").mkdir()
    with two_collections.open("a") as handle:
        handle.write(f'\n[collections.empty]\nsource = "{tmp_path / "unmounted"}"\n')
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    monkeypatch.setenv("ARCHIVE_ANALYZER_COLLECTIONS_FILE", str(two_collections))
    flags = ["--engine", "local", "--model", str(tiny_model), "--max-new-tokens", "8"]
    assert main(["nightly", *flags]) == EMPTY != 0


def test_unknown_keys_are_refused_with_file_and_line(tmp_path):
    path = tmp_path / "collections.toml"
    path.write_text('[collections.north]\nsource = "/srv/north"\n\nbatch_sise = 4\n')
    with pytest.raises(ConfigError, match=rf"{path}:4: .*batch_sise"):
        load_collections(path)


def test_an_unknown_collection_name_is_refused(two_collections):
    with pytest.raises(ConfigError, match="no collection 'west'.*north, south"):
        load_collections(two_collections).get("west")
