"""Runs no bad row can poison, and guards for cron (issue #13, parts 4, 6 and 7), end to end on
real PostgreSQL with the tiny model and the local engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archive_analyzer.cli import main
from archive_analyzer.run.analyze import analyze
from tests.conftest import PAINTINGS, count

PICTURES = sorted(PAINTINGS.glob("*.jpg"))


def gallery(root: Path, size: int, changes: dict[int, dict] | None = None) -> Path:
    """`size` paintings (image_0.jpg, ...) with a JSONL manifest; `changes` per row index."""
    folder = root / "gallery"
    folder.mkdir()
    rows = []
    for index in range(size):
        name = f"image_{index}.jpg"
        shutil.copy(PICTURES[index], folder / name)
        row = {"image_uri": name, "object_id": f"OBJ-{index}", "title": f"Painting {index}"}
        rows.append({**row, "date": "1850", **(changes or {}).get(index, {})})
    manifest = folder / "manifest.jsonl"
    # json.dumps writes NUL and lone surrogates as \u escapes; reading gives the real characters
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return folder


def run(settings_for, folder: Path, **overrides):
    settings = settings_for(folder, manifest=str(folder / "manifest.jsonl"), **overrides)
    return analyze(settings, engine="local", progress=False)


BAD_TITLES = {
    "nul": "Nocturne \x00 in blue",
    "lone-surrogate": "Nocturne \ud800 in blue",
    "one-megabyte": "N" * 1_000_000,
}


@pytest.mark.parametrize("title", BAD_TITLES.values(), ids=BAD_TITLES.keys())
def test_a_bad_title_fails_its_image_and_the_block_goes_on(title, tmp_path, settings_for, db):
    changes = {3: {"title": title}, 5: {"date": "the spring after the flood"}}
    folder = gallery(tmp_path, 10, changes)
    summary = run(settings_for, folder, batch_size=10)  # the ten images in one block
    assert (summary.status, summary.analysed, summary.failed) == ("succeeded", 9, 1)
    assert summary.failures_by_reason == {"bad_metadata": 1}
    assert count(db, "SELECT count(*) FROM analyses") == 9
    with db.connect() as conn:
        failure = conn.execute("SELECT uri, reason, message FROM failures").fetchone()
        undated = conn.execute(
            "SELECT date_text, year_start, year_end FROM artworks WHERE object_id = 'OBJ-5'"
        ).fetchone()
    assert failure["uri"].endswith("/image_3.jpg") and failure["reason"] == "bad_metadata"
    assert failure["message"].startswith("manifest field 'title' ")
    # an unparseable date is kept as text, its year range empty
    assert undated == {
        "date_text": "the spring after the flood",
        "year_start": None,
        "year_end": None,
    }


def test_a_reused_twin_whose_original_failed_is_analysed_in_the_same_run(
    tmp_path, settings_for, db
):
    # image_4.jpg has image_1.jpg's bytes: in one block, image_4 is "reused" from image_1,
    # whose manifest title cannot be stored, so image_1 fails and its analysis is not written.
    folder = gallery(tmp_path, 4, {1: {"title": "broken \x00 title"}})
    shutil.copy(folder / "image_1.jpg", folder / "image_4.jpg")
    rows = (folder / "manifest.jsonl").read_text()
    twin = {"image_uri": "image_4.jpg", "object_id": "OBJ-4", "title": "The twin"}
    (folder / "manifest.jsonl").write_text(rows + json.dumps(twin) + "\n")
    summary = run(settings_for, folder, batch_size=8)
    assert (summary.status, summary.analysed, summary.reused, summary.failed) == (
        "succeeded", 4, 0, 1,
    )  # fmt: skip
    assert summary.accounting["balanced"] is True
    with db.connect() as conn:
        twin_analysis = conn.execute(
            "SELECT count(*) FROM images i JOIN analyses a ON a.image_sha256 = i.sha256 "
            "AND a.is_current WHERE i.uri LIKE '%%/image_4.jpg'"
        ).fetchone()["count"]
    assert twin_analysis == 1
    assert count(db, "SELECT count(*) FROM analyses") == 4  # one per distinct content


@pytest.fixture
def cli_env(database_url, monkeypatch):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)


def cli_analyze(folder: Path, tiny_model, *flags: str) -> int:
    common = ["--engine=local", "--no-progress", f"--model={tiny_model}", "--max-new-tokens=4"]
    return main(["analyze", str(folder), *common, *flags])


def test_an_empty_source_is_an_error_unless_allowed(tmp_path, tiny_model, cli_env, capsys):
    empty = tmp_path / "unmounted"
    empty.mkdir()
    assert cli_analyze(empty, tiny_model) == 2
    assert f"no images found under {empty}" in capsys.readouterr().err
    assert cli_analyze(empty, tiny_model, "--plan") == 2
    assert cli_analyze(empty, tiny_model, "--allow-empty") == 0
    assert "run 1: succeeded" in capsys.readouterr().out


def test_max_failed_fraction_fails_a_run_with_more_failures(
    tmp_path, tiny_model, cli_env, capsys, db
):
    folder = gallery(tmp_path, 4)
    (folder / "scan_error.jpg").write_bytes(b"<html>502 Bad Gateway</html>")  # 1 of 5 fails
    assert cli_analyze(folder, tiny_model, "--max-failed-fraction", "0.5") == 0
    # the second run tries only the broken file again: 1 of 1 failed
    assert cli_analyze(folder, tiny_model, "--max-failed-fraction=0.1") == 1
    capsys.readouterr()
    assert main(["runs", "show", "latest", "--json"]) == 0
    latest = json.loads(capsys.readouterr().out)
    assert (latest["id"], latest["status"]) == (2, "failed")
    assert "1 of 1 images failed (100.0%), more than max_failed_fraction 0.1" in latest["error"]
    assert main(["runs", "show", "latest"]) == 0
    assert "run 2: FAILED" in capsys.readouterr().out


def test_runs_show_latest_without_runs_says_so(cli_env, capsys):
    assert main(["runs", "show", "latest"]) == 2
    assert "no runs yet" in capsys.readouterr().err


def test_plan_json_for_scripts(tmp_path, tiny_model, cli_env, capsys):
    folder = gallery(tmp_path, 3)
    assert cli_analyze(folder, tiny_model, "--plan", "--json") == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan == {
        "new": 3, "changed": 0, "stale": 0, "metadata": 0, "unchanged": 0, "conflict": 0,
        "missing": 0, "to_analyse": 3,
    }  # fmt: skip
    assert cli_analyze(folder, tiny_model, "--json") == 2  # --json alone is refused
