"""0020: the search entries' HNSW graph built denser and searched wider (issue #16, recall@10
>= 0.95 at a million; the figures are bench.halfvec's), on catalogs that existed before it."""

from __future__ import annotations

from archive_analyzer.db.database import Database
from archive_analyzer.db.indexes import drop_deferrable_indexes, rebuild_deferred
from archive_analyzer.db.migrate import migrate
from archive_analyzer.settings import load_settings
from bench.database import start_run
from tests.conftest import migrate_before

GRAPH = "WITH (m='16', ef_construction='128')"
INDEX = "SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entries_embedding_idx'"


def _migrate_before_0020(db: Database, tmp_path, monkeypatch) -> None:
    migrate_before(db, 20, tmp_path, monkeypatch)


def _index(db: Database) -> str | None:
    with db.connect() as conn:
        row = conn.execute(INDEX).fetchone()
    return row["indexdef"] if row else None


def test_a_catalog_from_before_0020_gets_the_denser_graph_and_the_wider_search(
    empty_database_url, tmp_path, monkeypatch
):
    db = Database(empty_database_url)
    _migrate_before_0020(db, tmp_path, monkeypatch)
    assert "ef_construction" not in _index(db)
    assert [m.version for m in migrate(db)][0] == 20
    assert _index(db).endswith(GRAPH)
    with db.connect() as conn:
        config = conn.execute(
            "SELECT proconfig FROM pg_proc WHERE proname = 'catalog_search_semantic'"
        ).fetchone()["proconfig"]
    assert "hnsw.ef_search=400" in config


def test_an_index_a_bulk_run_has_dropped_is_rebuilt_with_the_denser_graph(
    empty_database_url, tmp_path, monkeypatch
):
    db = Database(empty_database_url)
    _migrate_before_0020(db, tmp_path, monkeypatch)
    run_id = start_run(db, "bulk, under way while the catalog is upgraded")
    drop_deferrable_indexes(db, run_id, db.fetch_all("deferrable_indexes"))
    migrate(db)
    assert _index(db) is None  # the run that dropped it builds it, not the migration
    with db.connect() as conn:
        conn.execute("UPDATE runs SET status = 'succeeded' WHERE id = %s", (run_id,))
    rebuild_deferred(db, load_settings(None))
    assert _index(db).endswith(GRAPH)
