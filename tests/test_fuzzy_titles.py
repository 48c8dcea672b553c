"""0021: fuzzy title search reads titles nearest first from a GiST trigram index and stops
after the page; the page must still be the page of every match ranked (ties by object id)."""

from __future__ import annotations

import pytest

from archive_analyzer.catalog.search import search
from tests.catalog_data import insert_works

QUERY = "Light Gentle"

EVERY_MATCH_RANKED = """
SELECT m.object_id FROM (
    SELECT e.object_id, e.collection, e.uri,
           greatest(word_similarity(%(q)s, e.title), word_similarity(%(q)s, e.artist)) AS score
    FROM search_entries e) m
WHERE m.score >= 0.5
ORDER BY m.score DESC, m.object_id, m.collection, m.uri
OFFSET %(offset)s LIMIT %(limit)s
"""


def tied_titles(count: int = 48) -> list[tuple]:
    """Many titles tied at similarity 1 with the query, written in an order unlike their object
    ids (a scan in index or heap order meets them shuffled), among nearer and farther ones."""
    works = []
    for n in range(count):
        title = {0: f"Gentle Light {n}", 1: f"Gentle Lights {n}", 2: f"Light Gentile {n}"}[n % 3]
        object_id = f"G{(n * 29) % count:03d}"
        works.append(
            (
                object_id,
                title,
                f"Painter {n % 5}",
                "1800",
                (1800, 1800),
                "Oil on canvas",
                "A gentle light falls on the wall.",
                ["#e0e0e0"],
            )
        )
    return works


@pytest.fixture
def titled(db):
    insert_works(db, works=tied_titles())
    return db


@pytest.mark.parametrize("index_only", [False, True], ids=["planner's-choice", "gist-knn"])
@pytest.mark.parametrize("offset", [0, 10, 40])
def test_fuzzy_pages_are_the_pages_of_every_match_ranked(titled, index_only, offset):
    with titled.connect() as conn:
        expected = [
            r["object_id"]
            for r in conn.execute(EVERY_MATCH_RANKED, {"q": QUERY, "offset": offset, "limit": 10})
        ]
        if index_only:  # the plan a million rows get: titles nearest first from the GiST index
            conn.execute("SET enable_seqscan = off")
            conn.execute("SET enable_bitmapscan = off")
        found = conn.execute(
            "SELECT object_id, score FROM catalog_search_fuzzy(%s, 10, p_offset => %s)",
            (QUERY, offset),
        ).fetchall()
    assert [r["object_id"] for r in found] == expected
    assert len(expected) == (10 if offset < 40 else 8)
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True)


def test_the_title_index_returns_titles_nearest_first(titled):
    with titled.connect() as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        plan = "\n".join(
            r["QUERY PLAN"]
            for r in conn.execute(
                "EXPLAIN SELECT object_id FROM search_entries WHERE %(q)s <%% title "
                "ORDER BY %(q)s <<-> title, object_id LIMIT 10",
                {"q": QUERY},
            )
        )
    assert "search_entries_title_trgm_idx" in plan and "Order By" in plan


def test_fuzzy_search_through_the_api_finds_the_tied_titles_first(titled):
    found = search(titled, "fuzzy", QUERY, limit=5)
    assert [r["title"].rsplit(" ", 1)[0] for r in found] == ["Gentle Light"] * 5
    assert [r["object_id"] for r in found] == sorted(r["object_id"] for r in found)
