"""search_entries (0015): exact full-text ranking, facets, paging, colour weighting, titles from
each image's own artwork, and an index that follows artworks and reviews."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from archive_analyzer.catalog.aspects import assign_aspects
from archive_analyzer.catalog.search import Filters, facet_counts, search
from archive_analyzer.catalog.store import store_structure
from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.cli import main
from tests.catalog_data import WORKS, insert_works, palette_features

FILLER = "a quiet room with a table and a chair near the wall"


def many_works(count: int = 60) -> list[tuple]:
    """Works that all say 'light', some more often, some in the title: the best ranked are
    spread over the object ids, so ranking only the first matches found would miss them."""
    works = []
    for n in range(count):
        times = 1 + (n * 7) % 5
        text = ". ".join([f"The light falls {'and light ' * times}on the wall", FILLER]) + "."
        title = f"Light Study {n}" if n % 11 == 3 else f"Interior {n}"
        medium = "Oil on canvas" if n % 3 else "Oil on wood"
        year = 1600 + 7 * n
        hexes = ["#1f3a93", "#e0e0e0", "#202020"] if n % 4 == 0 else ["#e0e0e0", "#202020"]
        works.append(
            (f"W{n:03d}", title, f"Painter {n % 4}", str(year), (year, year), medium, text, hexes)
        )
    return works


@pytest.fixture
def catalog(db):
    insert_works(db, works=many_works())
    return db


def ids(rows) -> list[str]:
    return [r["object_id"] for r in rows]


EVERY_MATCH_RANKED = """
SELECT d.object_id
FROM catalog_documents d,
     LATERAL (SELECT setweight(to_tsvector('english', coalesce(d.title, '') || ' '
                                                      || coalesce(d.artist, '')), 'A')
                     || setweight(to_tsvector('english', array_to_string(d.terms, ' ')), 'B')
                     || setweight(to_tsvector('english', d.text), 'C')
                     || setweight(to_tsvector('english', coalesce(d.medium, '')), 'D') AS doc) w
WHERE w.doc @@ websearch_to_tsquery('english', %(q)s) AND d.medium ILIKE %(medium)s
ORDER BY ts_rank(w.doc, websearch_to_tsquery('english', %(q)s)) DESC, d.object_id, d.collection
LIMIT %(k)s
"""


@pytest.mark.parametrize("medium", [None, "canvas"])
def test_full_text_top_k_is_the_top_k_of_every_match_ranked(catalog, medium):
    with catalog.connect() as conn:
        rows = conn.execute(
            EVERY_MATCH_RANKED, {"q": "light", "k": 10, "medium": f"%{medium or ''}%"}
        ).fetchall()
    expected = [r["object_id"] for r in rows]
    found = search(catalog, "text", "light", limit=10, filters=Filters(medium=medium))
    assert ids(found) == expected
    assert any(o >= "W030" for o in expected)  # the best are not all early rows
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True) and found[0]["distance"] is None


def test_facets_count_every_match_under_the_filters(catalog):
    with catalog.connect() as conn:
        rows = conn.execute(
            "SELECT artist, year_start, medium, aspects, terms FROM catalog_documents "
            "WHERE year_start >= 1700"
        ).fetchall()
    expected = {
        "artist": Counter(r["artist"] for r in rows),
        "decade": Counter(str(r["year_start"] // 10 * 10) for r in rows),
        "medium": Counter(r["medium"] for r in rows),
        "aspect": Counter(a for r in rows for a in r["aspects"]),
        "term": Counter(t for r in rows for t in r["terms"]),
    }
    counts = facet_counts(catalog, "light", Filters(year_from=1700), top=1000)
    for facet, counter in expected.items():
        assert {r["value"]: r["count"] for r in counts[facet]} == dict(counter), facet
    top = facet_counts(catalog, None, Filters(year_from=1700), top=2)
    assert [r["count"] for r in top["decade"]] == [2, 2] and len(top["artist"]) == 2
    assert facet_counts(catalog, "nothingmatchesthis")["artist"] == []


@pytest.mark.parametrize(
    "mode, query", [("text", "light"), ("fuzzy", "Painter"), ("color", "#e0e0e0")]
)
def test_page_two_continues_page_one(catalog, mode, query):
    first = search(catalog, mode, query, limit=10)
    page1 = search(catalog, mode, query, limit=5)
    page2 = search(catalog, mode, query, limit=5, offset=5)
    assert len(first) == 10
    assert [r["uri"] for r in page1 + page2] == [r["uri"] for r in first]
    assert not {r["uri"] for r in page1} & {r["uri"] for r in page2}


def test_search_command_pages_and_counts_facets(catalog, capsys, monkeypatch):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", catalog.url)
    assert main(["search", "light", "--limit", "3", "--page", "2", "--json"]) == 0
    paged = json.loads(capsys.readouterr().out)
    assert ids(paged) == ids(search(catalog, "text", "light", limit=6))[3:]
    assert main(["search", "light", "--facets", "--medium", "wood", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["medium"] == [{"value": "Oil on wood", "count": 20}]


def test_colour_weighs_closeness_by_share_and_cuts_off_far_colours(db):
    works = [
        # mostly a blue near the query (half the picture), a touch of exactly the query colour
        ("MOSTLY", "Mostly", "A", "1800", (1800, 1800), "Oil", "Blue.", ["#2340a0", "#ffffff"]),
        ("TOUCH", "Touch", "B", "1800", (1800, 1800), "Oil", "White.",
         ["#ffffff", "#eeeeee", "#1f3a93"]),
        ("FAR", "Red", "C", "1800", (1800, 1800), "Oil", "Red.", ["#c02020", "#ffd700"]),
    ]  # fmt: skip
    insert_works(db, works=works)
    found = search(db, "color", "#1f3a93", limit=10)
    assert ids(found) == ["MOSTLY", "TOUCH"]  # FAR is beyond 25
    assert found[0]["score"] > found[1]["score"] > 0
    assert found[1]["distance"] < 0.01 < found[0]["distance"] <= 25
    with db.connect() as conn:
        wide = conn.execute(
            "SELECT object_id FROM catalog_search_color('#1f3a93', 10, p_max_distance => 200)"
        ).fetchall()
    assert "FAR" in [r["object_id"] for r in wide]


def test_two_artworks_with_the_same_bytes_are_each_found_by_their_own_title(db):
    vocabulary = load_vocabulary()
    text = "A harbour scene with boats. Soft light on the water."
    sha = hashlib.sha256(b"shared bytes").hexdigest()
    with db.connect() as conn, conn.cursor() as cur:
        for object_id, title, artist in [
            ("S1", "Harbour at Dawn", "Anna Kessler"),
            ("S2", "Mountain Chapel", "Bruno Vidal"),
        ]:
            artwork = cur.execute(
                "INSERT INTO artworks (object_id, title, artist) VALUES (%s, %s, %s) RETURNING id",
                (object_id, title, artist),
            ).fetchone()["id"]
            cur.execute(
                "INSERT INTO images (uri, sha256, artwork_id) VALUES (%s, %s, %s)",
                (f"file:///shared/{object_id}.jpg", sha, artwork),
            )
        cur.execute(
            "INSERT INTO analyses (image_sha256, model_version, prompt_version, prompt_name, "
            "text) VALUES (%s, 'm1', 'p1', 'formal_analysis', %s)",
            (sha, text),
        )
        item = {
            "uri": "file:///shared/S1.jpg",
            "sha256": sha,
            "model_version": "m1",
            "prompt_version": "p1",
            "aspects": json.dumps(assign_aspects(text, vocabulary)),
            "terms": json.dumps(vocabulary.find_terms(text)),
            "embedding": None,
            "features": json.dumps(palette_features(["#204080"])),
        }
        store_structure(cur, [item])
    assert ids(search(db, "text", "mountain chapel")) == ["S2"]
    assert ids(search(db, "text", "Kessler")) == ["S1"]
    assert ids(search(db, "fuzzy", "Mountain Chapl")) == ["S2"]
    assert set(ids(search(db, "text", "harbour"))) == {"S1", "S2"}


def test_index_follows_a_title_update_and_a_review(db):
    insert_works(db, works=WORKS)
    with db.connect() as conn:
        conn.execute("UPDATE artworks SET title = 'Tempest off Margate' WHERE object_id = 'T1'")
        conn.commit()
    assert ids(search(db, "text", "margate")) == ["T1"]
    assert ids(search(db, "fuzzy", "Tempest of Margate")) == ["T1"]
    assert search(db, "text", "sea") == []  # the old title's words are gone
    with db.connect() as conn:
        analysis = conn.execute(
            "SELECT analysis_id FROM catalog_documents WHERE object_id = 'C1'"
        ).fetchone()["analysis_id"]
        conn.execute(
            "INSERT INTO analysis_reviews (analysis_id, verdict, corrected_text, reviewer) "
            "VALUES (%s, 'corrected', 'Quinces and a pewter jug on a ledge.', 'kim')",
            (analysis,),
        )
        conn.commit()
    assert ids(search(db, "text", "quinces pewter")) == ["C1"]
    assert search(db, "text", "lemons silver") == []
    with db.connect() as conn:
        conn.execute(
            "INSERT INTO analysis_reviews (analysis_id, verdict, reviewer) "
            "VALUES (%s, 'rejected', 'kim')",
            (analysis,),
        )
        conn.commit()
    assert search(db, "text", "quinces") == [] and "C1" not in ids(search(db, "fuzzy", "Chardin"))
