"""Bad inputs end as failure rows with the right reason, never as crashes (issue 6, part 1).

The generated corpus (tests/corpus.py) holds every case of the issue next to good images; one
real run through Ray, the tiny model and PostgreSQL must account for each file exactly once.
"""

from __future__ import annotations

import json

import pytest

from archive_analyzer.cli import main
from archive_analyzer.errors import SourceError
from archive_analyzer.run.analyze import analyze
from archive_analyzer.sources import attach_manifest, list_images
from tests.conftest import count
from tests.corpus import TEST_MAX_PIXELS, write_corpus


def outcomes(db, root) -> dict[str, str]:
    """{relative path: "ok" or failure reason} for every file the run recorded."""
    prefix = f"file://{root}/"
    with db.connect() as conn:
        ok = conn.execute("SELECT uri FROM images").fetchall()
        failed = conn.execute("SELECT uri, reason FROM failures").fetchall()
    found = {row["uri"].removeprefix(prefix): "ok" for row in ok}
    for row in failed:
        assert row["uri"].removeprefix(prefix) not in found, "an image is both analysed and failed"
        found[row["uri"].removeprefix(prefix)] = row["reason"]
    return found


def test_every_corpus_file_is_accounted_for_with_its_reason(
    ray_cluster, tmp_path, db, settings_for, database_url, monkeypatch, capsys
):
    expected = write_corpus(tmp_path / "archive")
    settings = settings_for(tmp_path / "archive", max_image_pixels=TEST_MAX_PIXELS, batch_size=4)
    summary = analyze(settings, engine="ray", progress=False)

    assert outcomes(db, tmp_path / "archive") == expected
    good = sum(reason == "ok" for reason in expected.values())
    assert (summary.status, summary.seen, summary.analysed) == ("succeeded", len(expected), good)
    with db.connect() as conn:
        run = conn.execute("SELECT status, counts FROM runs").fetchone()
        rotated = conn.execute(
            "SELECT width, height FROM images WHERE uri LIKE %s", ("%exif_rotated.jpg",)
        ).fetchone()
        hashes = conn.execute(
            "SELECT uri, sha256 FROM failures WHERE reason IN ('truncated', 'not_an_image')"
        ).fetchall()
    assert run["status"] == "succeeded"
    assert run["counts"]["listed"] == len(expected) and run["counts"]["balanced"] is True
    # Displayed orientation: 120x80 pixels stored, EXIF says rotate a quarter turn.
    assert (rotated["width"], rotated["height"]) == (80, 120)
    # The same bytes under two names: two images, one analysis of their content.
    assert count(db, "SELECT count(DISTINCT sha256) FROM images WHERE uri LIKE '%%twin_%%'") == 1
    assert count(db, "SELECT count(*) FROM analyses") == good - 1
    # Readable bytes keep their sha256; an empty file has nothing worth hashing.
    assert {row["uri"].endswith("zero_bytes.jpg") for row in hashes if not row["sha256"]} == {True}

    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    assert main(["failures", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    grouped = {reason: len(rows) for reason, rows in report["failures"].items()}
    assert grouped == {
        reason: list(expected.values()).count(reason) for reason in set(expected.values()) - {"ok"}
    }
    assert main(["failures"]) == 0
    text = capsys.readouterr().out
    assert "too_large: 1" in text and "what to do:" in text and "bomb.png" in text
    assert main(["failures", "999"]) == 2
    assert "no run 999" in capsys.readouterr().err


def test_manifest_uris_outside_the_source_are_refused(tmp_path):
    write_corpus(tmp_path / "archive")
    (tmp_path / "secret.jpg").write_bytes(b"not for the workers")
    items = list_images(str(tmp_path / "archive"))
    source = str(tmp_path / "archive")
    inside = [{"image_uri": "good/plain.jpg", "title": "Plain"}]
    attached, missing = attach_manifest(items, inside, source)
    assert missing == [] and any(i.metadata.get("title") == "Plain" for i in attached)
    for escape in ("../secret.jpg", str(tmp_path / "secret.jpg"), "good/../../secret.jpg"):
        with pytest.raises(SourceError, match="outside the source"):
            attach_manifest(items, [{"image_uri": escape}], source)
    with pytest.raises(SourceError, match="outside the source"):
        attach_manifest(items, [{"image_uri": "s3://other-bucket/a.jpg"}], source)


def test_symlinks_leaving_a_local_source_are_refused(tmp_path):
    write_corpus(tmp_path / "archive")
    (tmp_path / "private.jpg").write_bytes(b"outside")
    (tmp_path / "archive" / "good" / "inside_link.jpg").symlink_to(
        tmp_path / "archive/odd/animated.gif"
    )
    assert any(i.uri.endswith("inside_link.jpg") for i in list_images(str(tmp_path / "archive")))
    (tmp_path / "archive" / "good" / "escape.jpg").symlink_to(tmp_path / "private.jpg")
    with pytest.raises(SourceError, match="outside the source"):
        list_images(str(tmp_path / "archive"))
    (tmp_path / "archive" / "good" / "escape.jpg").unlink()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.jpg").write_bytes(b"outside")
    (tmp_path / "archive" / "linked_folder").symlink_to(tmp_path / "elsewhere")
    listed = {i.uri for i in list_images(str(tmp_path / "archive"))}
    assert not any("linked_folder" in uri for uri in listed), "a linked folder was listed"
