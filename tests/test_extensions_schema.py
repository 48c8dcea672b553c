"""Extensions in their own schema (0014): psql's \\df lists only the project's functions, every
catalog function works from a plain psql session, the application's own SQL still names
`vector` and pg_trgm's functions, and a database with an analysed run migrates and keeps working.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from archive_analyzer.catalog.embedding import shared_embedder
from archive_analyzer.catalog.search import remember_words, search
from archive_analyzer.cli import main
from archive_analyzer.db.database import Database, session_conninfo
from archive_analyzer.db.migrate import available_migrations, migrate
from archive_analyzer.db.queries import sql_dir
from archive_analyzer.db.roles import READER_PASSWORD_ENV, WRITER_PASSWORD_ENV, create_roles
from archive_analyzer.db.schema import dump_schema, pg_dump_path
from archive_analyzer.run.analyze import analyze
from archive_analyzer.settings import load_settings
from tests.catalog_data import insert_works
from tests.conftest import EXAMPLES

EXTENSIONS_MIGRATION = 14
LEDGER_MIGRATION = 17


def plain(url: str, **kwargs) -> psycopg.Connection:
    """A session as psql opens one: the server's default search_path, no options of ours."""
    return psycopg.connect(url, autocommit=True, row_factory=dict_row, **kwargs)


def test_extensions_live_in_their_schema_and_df_lists_only_the_projects_functions(db):
    with plain(db.url) as conn:
        schemas = conn.execute(
            "SELECT extname, extnamespace::regnamespace::text AS schema FROM pg_extension"
            " WHERE extname IN ('vector', 'pg_trgm')"
        ).fetchall()
        visible = conn.execute(
            "SELECT p.pronamespace::regnamespace::text AS schema, p.proname FROM pg_proc p"
            " WHERE pg_function_is_visible(p.oid)"
            " AND p.pronamespace NOT IN ('pg_catalog'::regnamespace,"
            " 'information_schema'::regnamespace)"
        ).fetchall()
    assert {r["extname"]: r["schema"] for r in schemas} == {
        "vector": "extensions",
        "pg_trgm": "extensions",
    }
    assert {r["schema"] for r in visible} == {"public"}
    assert "catalog_search_text" in {r["proname"] for r in visible}
    psql = Path(pg_dump_path()).with_name("psql")
    if not psql.exists():
        pytest.skip("no psql next to pg_dump")
    listed = subprocess.run(
        [str(psql), "-X", "-A", "-t", "-c", r"\df", db.url],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert len(listed) == len(visible) < 40
    assert all(line.startswith("public|") for line in listed)


@pytest.fixture
def catalog(db, monkeypatch) -> Database:
    insert_works(db, embedder=shared_embedder())
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", db.url)
    return db


def test_catalog_functions_work_without_extensions_on_the_callers_path(catalog):
    remember_words(catalog, "storm at sea")
    calls = [
        "catalog_search_text('storm')",
        "catalog_search_fuzzy('Turnr')",
        "catalog_search_semantic_text('Storm at  SEA')",
        "catalog_search_semantic((SELECT embedding FROM query_embeddings))",
        "catalog_search_similar('T1')",
        "catalog_search_color('navy')",
        "catalog_color_lab('navy')",
    ]
    with plain(catalog.url) as conn:
        assert conn.execute("SHOW search_path").fetchone()["search_path"] == '"$user", public'
        with pytest.raises(psycopg.errors.UndefinedObject):
            conn.execute("SELECT '[1,2]'::vector")
        for call in calls:
            assert conn.execute(f"SELECT * FROM {call}").fetchall(), call
        first = conn.execute("SELECT * FROM catalog_search_semantic_text('storm at sea', 1)")
        assert first.fetchone()["object_id"] == "T1"
        message = "embed these words first: archive-analyzer embed 'a quiet harbour'"
        with pytest.raises(psycopg.errors.NoDataFound, match=message):
            conn.execute("SELECT * FROM catalog_search_semantic_text('a quiet harbour')")


def test_application_connections_name_the_extensions_through_their_search_path(catalog):
    with catalog.connect() as conn:
        assert conn.execute("SHOW search_path").fetchone()["search_path"] == "public,extensions"
        row = conn.execute("SELECT '[3,4]'::vector AS v, similarity('storm', 'storms') AS s")
        assert row.fetchone()["s"] > 0.5
    # sql/queries/search.sql casts %(embedding)s::vector; the sink COPies into a vector column.
    assert search(catalog, "semantic", "a storm at sea", 1)[0]["object_id"] == "T1"
    assert search(catalog, "fuzzy", "Turnr")[0]["artist"] == "Joseph Mallord William Turner"
    # A search_path the URL sets itself is kept; other options are kept beside ours.
    own = session_conninfo(catalog.url + "&options=-c%20search_path%3Dmine")
    assert "search_path=mine" in own and "extensions" not in own
    both = psycopg.conninfo.conninfo_to_dict(
        session_conninfo(catalog.url + "&options=-c%20statement_timeout%3D5s")
    )
    assert both["options"] == "-c statement_timeout=5s -c search_path=public,extensions"


def test_the_writer_role_gets_extensions_on_its_path_and_people_do_not(db, monkeypatch):
    suffix = uuid.uuid4().hex[:8]
    writer, reader, cataloger = f"xw_{suffix}", f"xr_{suffix}", f"xc_{suffix}"
    monkeypatch.setenv(WRITER_PASSWORD_ENV, "writer pw")
    monkeypatch.setenv(READER_PASSWORD_ENV, "reader pw")
    create_roles(db, writer, reader, cataloger)
    try:
        with plain(db.url, user=writer, password="writer pw") as conn:
            assert conn.execute("SHOW search_path").fetchone()["search_path"] == (
                "public, extensions"
            )
            conn.execute("SELECT '[1,2]'::vector")
        with plain(db.url, user=reader, password="reader pw") as conn:
            assert conn.execute("SHOW search_path").fetchone()["search_path"] == ('"$user", public')
    finally:
        with psycopg.connect(db.url, autocommit=True) as conn:
            for role in (writer, reader, cataloger):
                conn.execute(f"DROP OWNED BY {role}")
                conn.execute(f"DROP ROLE {role}")


def test_embed_stores_the_words_once_and_prints_the_sql(catalog, capsys):
    assert main(["embed", "A storm  at sea"]) == 0
    out = capsys.readouterr().out
    assert "SELECT * FROM catalog_search_semantic_text('A storm  at sea');" in out
    assert main(["embed", "a STORM at sea"]) == 0
    assert main(["embed", "Turner's sea"]) == 0
    assert "catalog_search_semantic_text('Turner''s sea')" in capsys.readouterr().out
    with catalog.connect() as conn:
        keys = conn.execute("SELECT query FROM query_embeddings ORDER BY query").fetchall()
    assert [k["query"] for k in keys] == ["a storm at sea", "turner's sea"]
    assert main(["embed", "   "]) == 2
    assert "empty query" in capsys.readouterr().err


def _copy_paintings(folder: Path, names: list[Path]) -> None:
    folder.mkdir(exist_ok=True)
    for path in names:
        shutil.copy(path, folder / path.name)


def _state(db: Database) -> dict:
    with db.connect() as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM catalog_artworks) AS artworks,"
            " (SELECT count(*) FROM analysis_structure WHERE embedding IS NOT NULL) AS embedded,"
            " (SELECT count(*) FROM palette_colors) AS colours"
        ).fetchone()
    # Positional SQL calls: the searches gained parameters and columns later (0015), which
    # this database's older functions do not have.
    with db.connect() as conn:
        first = conn.execute("SELECT min(object_id) AS o FROM catalog_documents").fetchone()["o"]
        rows = conn.execute("SELECT object_id FROM catalog_search_similar(%s, 5)", (first,))
        similar = [r["object_id"] for r in rows.fetchall()]
    return {**counts, "similar": similar}


@pytest.mark.timeout(600)
def test_a_database_with_an_analysed_run_migrates_and_keeps_working(
    empty_database_url, tiny_model, tmp_path, monkeypatch
):
    before = tmp_path / "sql"
    shutil.copytree(sql_dir(), before)
    for later in (before / "migrations").glob("*.sql"):
        # The ledger (0017) stays: today's driver needs it, and it touches no extension.
        if EXTENSIONS_MIGRATION <= int(later.name[:4]) != LEDGER_MIGRATION:
            later.unlink()
    monkeypatch.setenv("ARCHIVE_ANALYZER_SQL_DIR", str(before))
    db = Database(empty_database_url)
    migrate(db)
    paintings = sorted(EXAMPLES.glob("*.jpg"))
    folder = tmp_path / "paintings"
    _copy_paintings(folder, paintings[:3])
    values = {"database_url": empty_database_url, "model": str(tiny_model), "max_new_tokens": 8}
    settings = load_settings(None, source=str(folder), **values)
    assert analyze(settings, engine="local", progress=False).analysed == 3
    with plain(db.url) as conn:
        public = conn.execute("SELECT extnamespace::regnamespace::text AS s FROM pg_extension"
                              " WHERE extname = 'vector'").fetchone()["s"]  # fmt: skip
    assert public == "public"
    analysed = _state(db)

    monkeypatch.delenv("ARCHIVE_ANALYZER_SQL_DIR")
    applied = [m.name for m in migrate(db)]
    later = [m.name for m in available_migrations() if m.version >= EXTENSIONS_MIGRATION]
    assert applied == [name for name in later if int(name[:4]) != LEDGER_MIGRATION]
    assert _state(db) == analysed
    assert dump_schema(db.url) == (sql_dir() / "schema.sql").read_text()
    # The next run writes vectors and palettes into the moved types.
    _copy_paintings(folder, paintings[3:5])
    analyze(settings, engine="local", progress=False)
    assert _state(db)["embedded"] == 5
