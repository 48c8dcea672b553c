"""0022: colour search takes its candidates from the palette colours nearest by colour and
share together, so a painting mostly near the colour is not crowded out by hundreds with a
touch of exactly it; each candidate is scored from its whole palette."""

from __future__ import annotations

import pytest

from archive_analyzer.catalog.search import search
from archive_analyzer.db.database import Database
from archive_analyzer.db.indexes import drop_deferrable_indexes
from archive_analyzer.db.migrate import migrate
from bench.database import start_run
from tests.catalog_data import insert_works
from tests.conftest import migrate_before
from tests.test_search_index import many_works

BLUE = "#1f3a93"
TOUCHES = 320  # more than the 300 candidate rows: nearest by colour alone, all are touches

EVERY_PALETTE_ROW_SCORED = """
SELECT m.object_id, m.score FROM (
    SELECT e.object_id, e.collection, e.uri,
           sum(p.share * (1 - (p.lab <-> catalog_color_lab(%(c)s)) / 25)) AS score
    FROM palette_colors p JOIN search_entries e ON e.sha256 = p.image_sha256
    WHERE p.share >= 0.05 AND p.lab <-> catalog_color_lab(%(c)s) <= 25
    GROUP BY e.object_id, e.collection, e.uri) m
ORDER BY m.score DESC, m.object_id, m.collection, m.uri
LIMIT 10
"""


def _work(object_id: str, hexes: list[str]) -> tuple:
    return (object_id, object_id, "A", "1800", (1800, 1800), "Oil", "Colour.", hexes)


def test_a_painting_mostly_near_the_colour_beats_hundreds_with_a_touch_of_it(db):
    # Half the picture a blue 2.5 from the query; the others a fifth of exactly the query.
    works = [_work("MOSTLY", ["#2a3f9a", "#ffffff"])]
    works += [_work(f"T{n:03d}", ["#ffffff", "#eeeeee", BLUE]) for n in range(TOUCHES)]
    insert_works(db, works=works)
    found = search(db, "color", BLUE, limit=3)
    assert [r["object_id"] for r in found] == ["MOSTLY", "T000", "T001"]
    assert found[0]["score"] > found[1]["score"] == pytest.approx(0.2, abs=1e-6)
    assert 1 < found[0]["distance"] < 7 and found[1]["distance"] < 0.01


@pytest.mark.parametrize("colour", ["#e0e0e0", BLUE, "#202020"])
def test_colour_top_ten_is_the_top_ten_of_every_palette_row_scored(db, colour):
    insert_works(db, works=many_works())
    with db.connect() as conn:
        expected = conn.execute(EVERY_PALETTE_ROW_SCORED, {"c": colour}).fetchall()
        conn.execute("SET enable_seqscan = off")  # the plan a million rows get
        found = conn.execute(
            "SELECT object_id, score FROM catalog_search_color(%s, 10)", (colour,)
        ).fetchall()
    assert [r["object_id"] for r in found] == [r["object_id"] for r in expected]
    assert [r["score"] for r in found] == pytest.approx([r["score"] for r in expected])


def _indexes(db: Database) -> dict[str, str]:
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'palette_colors'"
        ).fetchall()
    return {r["indexname"]: r["indexdef"] for r in rows}


def test_a_catalog_from_before_0022_gets_the_colour_and_share_index(
    empty_database_url, tmp_path, monkeypatch
):
    db = Database(empty_database_url)
    migrate_before(db, 22, tmp_path, monkeypatch)
    insert_works(db, works=many_works(12))
    assert "palette_colors_lab_idx" in _indexes(db)
    assert [m.version for m in migrate(db)] == [22]
    indexes = _indexes(db)
    assert "palette_colors_lab_idx" not in indexes
    assert "catalog_color_key(l, a, b, share)" in indexes["palette_colors_key_idx"]
    assert len(search(db, "color", "#e0e0e0", limit=20)) == 12


def test_a_colour_index_a_bulk_run_has_dropped_is_rebuilt_as_the_new_one(
    empty_database_url, tmp_path, monkeypatch
):
    db = Database(empty_database_url)
    migrate_before(db, 22, tmp_path, monkeypatch)
    run_id = start_run(db, "bulk, under way while the catalog is upgraded")
    drop_deferrable_indexes(db, run_id, db.fetch_all("deferrable_indexes"))
    migrate(db)
    assert "palette_colors_key_idx" not in _indexes(db)  # the run builds it when it ends
    with db.connect() as conn:
        deferred = conn.execute(
            "SELECT definition FROM deferred_indexes WHERE index_name = 'palette_colors_key_idx'"
        ).fetchone()
    assert "catalog_color_key(l, a, b, share)" in deferred["definition"]


def test_the_key_index_returns_palette_colours_nearest_by_colour_and_share(db):
    insert_works(db, works=many_works(12))
    with db.connect() as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r["QUERY PLAN"]
            for r in conn.execute(
                "EXPLAIN SELECT image_sha256 FROM palette_colors p "
                "ORDER BY catalog_color_key(p.l, p.a, p.b, p.share)::extensions.vector(4) "
                "<-> (catalog_color_lab(%s)::real[] || ARRAY[0::real])::extensions.vector(4) "
                "LIMIT 300",
                (BLUE,),
            )
        )
    assert "palette_colors_key_idx" in plan
