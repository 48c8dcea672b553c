"""Catalogers' verdicts on analyses become training pairs (`dataset review`, `dataset export`)."""

import pytest

from archive_analyzer.cli import main
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import QUERIES
from archive_analyzer.run.analyze import analyze
from archive_analyzer.train.data import load_square, read_conversations
from tests.conftest import EXAMPLES


@pytest.fixture
def analysed(db, database_url, settings_for, monkeypatch):
    settings = settings_for(EXAMPLES, manifest=str(EXAMPLES / "manifest.csv"))
    analyze(settings, engine="local", progress=False)
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    with db.connect() as conn:
        return conn.execute(
            "SELECT a.id, a.text, aw.object_id FROM analyses a "
            "JOIN images i ON i.sha256 = a.image_sha256 JOIN artworks aw ON aw.id = i.artwork_id "
            "ORDER BY aw.object_id LIMIT 5"
        ).fetchall()


def review(analysis_id, *verdict):
    assert main(["dataset", "review", str(analysis_id), *verdict, "--reviewer", "km"]) == 0


def test_approved_and_corrected_analyses_export_as_pairs(analysed, tmp_path):
    approved, corrected, rejected, changed_mind, unreviewed = analysed
    correction = "Strong diagonals and a muted, earthy palette."
    review(approved["id"], "--approve")
    review(corrected["id"], "--correct", correction)
    review(rejected["id"], "--reject")
    review(changed_mind["id"], "--approve")
    review(changed_mind["id"], "--reject")  # the newest verdict counts
    out = tmp_path / "export" / "train.json"
    assert main(["dataset", "export", str(out)]) == 0
    pairs = read_conversations(str(out)).examples
    assert {p.id for p in pairs} == {
        f"{approved['object_id']}-{approved['id']}",
        f"{corrected['object_id']}-{corrected['id']}",
    }
    by_id = {p.id.rsplit("-", 1)[1]: p for p in pairs}
    assert by_id[str(approved["id"])].answer == approved["text"]
    assert by_id[str(corrected["id"])].answer == correction
    assert all(p.query == QUERIES["formal_analysis"] for p in pairs)
    assert load_square(pairs[0].image, ImageSpec()).shape == (336, 336, 3)


def test_a_correction_needs_text(analysed, capsys):
    assert main(["dataset", "review", str(analysed[0]["id"]), "--correct", " "]) == 2
    assert "corrected text" in capsys.readouterr().err
