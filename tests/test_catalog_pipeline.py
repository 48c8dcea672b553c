"""The catalog inside a real run: Features and Structure stages, stored in the sink's block."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from archive_analyzer.catalog.colors import parse_color, srgb_to_lab
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
    assert_similar_ranks_by_cosine(db)
    assert_colour_ranks_by_lab_distance(db, "gray")


def stored(db, sql: str) -> list[dict]:
    with db.connect() as conn:
        return conn.execute(sql).fetchall()


def vector(text: str) -> np.ndarray:
    return np.array([float(x) for x in text.strip("[]").split(",")])


def assert_similar_ranks_by_cosine(db) -> None:
    """`similar` = the other works in order of cosine similarity, computed here from the
    stored vectors; its score is that similarity."""
    rows = stored(db, "SELECT object_id, embedding::text AS e FROM catalog_documents")
    vectors = {r["object_id"]: vector(r["e"]) for r in rows}
    source = sorted(vectors)[0]
    unit = {k: v / np.linalg.norm(v) for k, v in vectors.items()}
    expected = sorted(
        ((float(unit[source] @ unit[k]), k) for k in unit if k != source), reverse=True
    )
    found = search(db, "similar", source, limit=10)
    assert [r["object_id"] for r in found] == [k for _, k in expected]
    assert [r["score"] for r in found] == pytest.approx([s for s, _ in expected], abs=1e-5)
    assert found[0]["score"] > found[-1]["score"]  # four paintings: a real ranking


def assert_colour_ranks_by_lab_distance(db, name: str, max_distance: float = 25.0) -> None:
    """`color` = works holding palette colours near the asked one (CIE76 in CIELAB, within
    max_distance), scored by each near colour's share weighted by its closeness; recomputed
    here from the stored palettes and our own sRGB->Lab."""
    hex_code = parse_color(name)
    rgb = np.array([[int(hex_code[i : i + 2], 16) for i in (1, 3, 5)]], dtype=np.float64)
    target = srgb_to_lab(rgb)[0]
    rows = stored(
        db,
        "SELECT d.object_id, p.lab::text AS lab, p.share FROM palette_colors p "
        "JOIN catalog_documents d ON d.sha256 = p.image_sha256 WHERE p.share >= 0.05",
    )
    scores: dict[str, float] = {}
    for row in rows:
        distance = float(np.linalg.norm(vector(row["lab"]) - target))
        if distance <= max_distance:
            weight = float(row["share"]) * (1 - distance / max_distance)
            scores[row["object_id"]] = scores.get(row["object_id"], 0.0) + weight
    expected = sorted(scores, key=lambda k: (-scores[k], k))
    assert expected, f"no stored colour lies within {max_distance} of {name}: a vacuous check"
    found = search(db, "color", name, limit=10)
    assert [r["object_id"] for r in found] == expected
    assert [r["score"] for r in found] == pytest.approx([scores[k] for k in expected], abs=1e-4)


def test_embedding_off_stores_no_vectors(db, settings_for, four_paintings):
    analyze(settings_for(four_paintings, embed=False), engine="local", progress=False)
    assert catalog_counts(db) == {"structures": 4, "embedded": 0, "features": 4, "palettes": 4}
