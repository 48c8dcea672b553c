"""The catalog inside a real run: Features and Structure stages, stored in the sink's block."""

from __future__ import annotations

import shutil

import pytest

from archive_analyzer.catalog.search import search
from archive_analyzer.run.analyze import analyze
from tests.conftest import EXAMPLES


@pytest.fixture
def four_paintings(tmp_path):
    folder = tmp_path / "paintings"
    folder.mkdir()
    for path in sorted(EXAMPLES.glob("*.jpg"))[:4]:
        shutil.copy(path, folder / path.name)
    return folder


def catalog_counts(db) -> dict:
    with db.connect() as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM analysis_structure) AS structures, "
            "(SELECT count(*) FROM analysis_structure WHERE embedding IS NOT NULL) AS embedded, "
            "(SELECT count(*) FROM image_features) AS features, "
            "(SELECT count(DISTINCT image_sha256) FROM palette_colors) AS palettes"
        ).fetchone()


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_every_analysis_gets_structure_features_and_an_embedding(
    request, engine, db, settings_for, four_paintings
):
    if engine == "ray":
        request.getfixturevalue("ray_cluster")
    summary = analyze(settings_for(four_paintings), engine=engine, progress=False)
    assert summary.analysed == 4
    assert catalog_counts(db) == {"structures": 4, "embedded": 4, "features": 4, "palettes": 4}
    (first,) = db.fetch_all(
        "search_similar",
        {
            "query": search(db, "color", "gray", limit=1)[0]["object_id"],
            "limit": 1,
            "artist": None,
            "year_from": None,
            "year_to": None,
            "medium": None,
            "aspect": None,
            "term": None,
        },
    )
    assert first["score"] is not None


def test_embedding_off_stores_no_vectors(db, settings_for, four_paintings):
    analyze(settings_for(four_paintings, embed=False), engine="local", progress=False)
    assert catalog_counts(db) == {"structures": 4, "embedded": 0, "features": 4, "palettes": 4}
