"""Which model a run uses: never random weights by accident, and remote models cached where
the `model_cache` setting says."""

from __future__ import annotations

import importlib.util
import shutil

import boto3
import pytest

from archive_analyzer.cli import main
from archive_analyzer.errors import ConfigError, MissingExtraError
from archive_analyzer.model.loader import model_cache_dir
from archive_analyzer.run.analyze import analyze
from archive_analyzer.run.prepare import model_location
from archive_analyzer.settings import load_settings
from tests.conftest import EXAMPLES, count

QUIET = {"engine": "local", "progress": False, "say": lambda *_: None}


@pytest.fixture
def two_paintings(tmp_path):
    source = tmp_path / "two"
    source.mkdir()
    for path in sorted(EXAMPLES.glob("*.jpg"))[:2]:
        shutil.copy(path, source / path.name)
    return source


# analyze exits 2 (a setting is wrong); nightly reports the collection that could not start
# and goes on to the next, exiting 1 at the end (run/nightly.py's exit codes).
@pytest.mark.parametrize(("command", "code"), [("analyze", 2), ("nightly", 1)])
def test_no_model_against_a_configured_database_is_refused(
    command, code, database_url, db, two_paintings, monkeypatch, capsys
):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    assert main([command, str(two_paintings), "--engine", "local"]) == code
    said = capsys.readouterr()
    said = said.err + said.out  # nightly's report of each collection goes to stdout
    assert "no model configured" in said and "--demo-model" in said
    assert count(db, "SELECT count(*) FROM runs") == 0


def test_demo_model_flag_runs_the_tiny_model_against_a_configured_database(
    database_url, db, two_paintings, monkeypatch, capsys
):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    args = ["analyze", str(two_paintings), "--engine", "local", "--no-progress", "--demo-model"]
    assert main([*args, "--max-new-tokens", "2"]) == 0
    assert "NOTE: no model configured" in capsys.readouterr().out
    assert count(db, "SELECT count(*) FROM current_image_analyses") == 2


def test_demo_model_from_the_environment(database_url, isolated_home, monkeypatch):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DEMO_MODEL", "true")
    settings = load_settings(database_url=database_url)
    assert model_location(settings, say=lambda _: None) == str(
        isolated_home / "models" / "tiny-llava"
    )


def test_the_embedded_database_still_gets_the_demo_model(isolated_home):
    notes = []
    location = model_location(load_settings(), say=notes.append)
    assert location == str(isolated_home / "models" / "tiny-llava")
    assert "NOT meaningful" in notes[0]


def test_a_configured_model_needs_no_flag(database_url, tiny_model):
    settings = load_settings(database_url=database_url, model=str(tiny_model))
    assert model_location(settings) == str(tiny_model)
    with pytest.raises(ConfigError, match="--demo-model"):
        model_location(load_settings(database_url=database_url))


def test_model_cache_defaults_to_home(isolated_home, tmp_path):
    assert model_cache_dir(load_settings()) == isolated_home / "model-cache"
    assert model_cache_dir(load_settings(model_cache=str(tmp_path / "c"))) == tmp_path / "c"


def test_a_remote_model_is_cached_under_model_cache(
    s3_env, tiny_model, settings_for, two_paintings, isolated_home, tmp_path
):
    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(Bucket="models")
    for path in tiny_model.iterdir():
        client.upload_file(str(path), "models", f"tiny/{path.name}")
    cache = tmp_path / "node-cache"
    settings = settings_for(two_paintings, model="s3://models/tiny", model_cache=str(cache))
    summary = analyze(settings, **QUIET)
    assert (summary.analysed, summary.failed) == (2, 0)
    copies = [p for p in cache.iterdir() if p.is_dir()]
    assert len(copies) == 1 and (copies[0] / ".complete").exists()
    assert not (isolated_home / "model-cache").exists()


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed")
def test_a_run_that_raises_is_finished_once_as_failed(db, settings_for, two_paintings):
    settings = settings_for(two_paintings, model_engine="vllm")  # wired after the run starts
    with pytest.raises(MissingExtraError):
        analyze(settings, **QUIET)
    with db.connect() as conn:
        runs = conn.execute("SELECT status, error, counts, finished_at FROM runs").fetchall()
    assert len(runs) == 1 and runs[0]["status"] == "failed"
    assert "MissingExtraError: vllm is not installed" in runs[0]["error"]
    assert runs[0]["counts"]["seen"] == 2 and runs[0]["finished_at"] is not None
