"""`evaluate` scores what `analyze` would write, stores it per model version, compares two."""

import pytest

from archive_analyzer.cli import main
from archive_analyzer.evaluate.metrics import score_texts
from archive_analyzer.evaluate.runner import evaluate_model
from archive_analyzer.model.loader import inspect_model
from archive_analyzer.model.tiny import write_tiny_model
from archive_analyzer.run.analyze import analyze
from archive_analyzer.train.data import read_conversations
from tests.conftest import count
from tests.test_train_data import write_pairs


@pytest.fixture
def cli_db(database_url, monkeypatch):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    return database_url


def test_generations_are_the_analyze_paths_and_scores_are_stored(
    db, tmp_path, tiny_model, settings_for
):
    data = write_pairs(tmp_path / "test")
    test = read_conversations(data)
    result = evaluate_model(db, str(tiny_model), data, tmp_path / "cache", max_new_tokens=8)
    # The same images through `analyze` with the same question give the same paragraphs.
    settings = settings_for(tmp_path / "test", custom_prompt=test.examples[0].query)
    analyze(settings, engine="local", progress=False)
    with db.connect() as conn:
        analysed = {
            row["uri"].removeprefix("file://"): row["text"]
            for row in conn.execute(
                "SELECT i.uri, a.text FROM analyses a JOIN images i ON i.sha256 = a.image_sha256"
            ).fetchall()
        }
    assert result.hypotheses == [analysed[e.image] for e in test.examples]
    with db.connect() as conn:
        row = conn.execute("SELECT * FROM evaluations").fetchone()
    expected = score_texts([[e.answer] for e in test.examples], result.hypotheses)
    assert row["model_version"] == inspect_model(str(tiny_model)).version
    assert row["examples"] == 4 and row["dataset_sha256"] == test.sha256
    assert row["bleu4"] == pytest.approx(expected.bleu4)
    assert row["cider"] == pytest.approx(expected.cider)


def test_evaluate_twice_then_compare_two_versions(cli_db, db, tmp_path, tiny_model, capsys):
    data = write_pairs(tmp_path / "test")
    other = write_tiny_model(tmp_path / "other", seed=7)
    for model in (tiny_model, other, tiny_model):  # the rerun replaces, never duplicates
        args = ["evaluate", "--model", str(model), "--data", data, "--max-new-tokens", "4"]
        assert main(args) == 0
    assert count(db, "SELECT count(*) FROM evaluations") == 2
    capsys.readouterr()
    a, b = inspect_model(str(tiny_model)).version, inspect_model(str(other)).version
    assert main(["evaluate", "compare", a, str(other)]) == 0
    printed = capsys.readouterr().out
    assert f"A: tiny-random-llava ({a})" in printed and f"({b})" in printed
    for metric in ("bleu4", "gleu", "meteor", "rouge_l", "cider"):
        assert metric in printed


def test_compare_needs_an_evaluation_first(cli_db, capsys):
    assert main(["evaluate", "compare", "nope", "nada"]) == 2
    assert "no evaluation of nope" in capsys.readouterr().err
