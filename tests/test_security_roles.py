"""Least privilege on a real server, as each role logs in: with a password, over TCP.

Its own embedded server (listening on 127.0.0.1, scram-sha-256), migrated, with the roles
`db roles` creates and the crafted catalog; every test here connects as one of those roles.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from archive_analyzer.db.database import Database
from archive_analyzer.db.embedded import embedded_url, stop_embedded
from archive_analyzer.db.migrate import migrate
from archive_analyzer.db.roles import (
    CATALOGER_PASSWORD_ENV,
    READER_PASSWORD_ENV,
    WRITER_PASSWORD_ENV,
    create_roles,
)
from tests.catalog_data import WORKS, insert_works
from tests.conftest import free_port

PASSWORDS = {"writer": "wr1ter pass", "reader": "r%ad:er@pw 1", "cataloger": "cat-al0ger"}
ROLES = {"writer": "sec_writer", "reader": "sec_reader", "cataloger": "sec_cataloger"}
# Every view README.md points catalogers to; the reader may read these and nothing else.
DOCUMENTED_VIEWS = {
    "catalog_artworks", "catalog_aspects", "catalog_palette", "catalog_documents",
    "catalog_colors", "current_image_analyses", "artwork_analysis_history",
    "catalog_analysis_status", "catalog_reviews", "catalog_review_queue",
}  # fmt: skip
LITERAL = ("L1", "Sketch", "Studio 100%_A", "1900", (1900, 1900), "Ink_on paper",
           "A quick sketch in dark line.", ["#101010"])  # fmt: skip


@pytest.fixture(scope="module")
def server():
    home = Path(tempfile.mkdtemp(prefix="aa-pg-tcp-", dir="/tmp"))
    port = free_port()
    try:
        url = embedded_url(home, listen_port=port)
        db = Database(url)
        migrate(db)
        insert_works(db, works=[*WORKS, LITERAL])
        with pytest.MonkeyPatch.context() as env:
            for kind, variable in (
                ("writer", WRITER_PASSWORD_ENV),
                ("reader", READER_PASSWORD_ENV),
                ("cataloger", CATALOGER_PASSWORD_ENV),
            ):
                env.setenv(variable, PASSWORDS[kind])
            lines = create_roles(db, ROLES["writer"], ROLES["reader"], ROLES["cataloger"])
        yield db, port, lines
    finally:
        stop_embedded(home)
        shutil.rmtree(home, ignore_errors=True)


def connect(server, kind: str, password: str | None = None) -> psycopg.Connection:
    db, port, _ = server
    return psycopg.connect(
        host="127.0.0.1",
        port=port,
        dbname=psycopg.conninfo.conninfo_to_dict(db.url)["dbname"],
        user=ROLES[kind],
        password=PASSWORDS[kind] if password is None else password,
        autocommit=True,
        connect_timeout=5,
    )


def test_roles_log_in_with_their_password_only(server):
    _, _, lines = server
    assert all("password set" in line for line in lines), lines
    assert not any(p in "\n".join(lines) for p in PASSWORDS.values())
    for kind in ROLES:
        with connect(server, kind) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == ROLES[kind]
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            connect(server, kind, password="wrong password")
    # The Unix socket asks for it too; only the owner `postgres` is trusted there.
    db = server[0]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(db.url, user=ROLES["reader"], password="wrong").close()
    psycopg.connect(db.url, user=ROLES["reader"], password=PASSWORDS["reader"]).close()


LOCKS = [
    "SELECT pg_try_advisory_lock(1)",
    "SELECT pg_try_advisory_lock(1, 2)",
    "SELECT pg_advisory_lock_shared(7201100001)",
    "SELECT pg_try_advisory_xact_lock(1)",
    "SELECT pg_advisory_unlock_all()",
]


@pytest.mark.parametrize("kind", ["reader", "cataloger"])
def test_people_cannot_take_the_runs_or_migrations_locks(server, kind):
    with connect(server, kind) as conn:
        for statement in LOCKS:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_the_writer_holds_a_collections_lock(server):
    with connect(server, "writer") as conn:
        key = "hashtextextended('archive-analyzer:c', 0)"
        assert conn.execute(f"SELECT pg_try_advisory_lock({key})").fetchone()[0] is True
        assert conn.execute(f"SELECT pg_advisory_unlock({key})").fetchone()[0] is True


def _relations(conn, kinds: str = "rvmp") -> set[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = ANY(%s::char[])",
        (list(kinds),),
    ).fetchall()
    return {r[0] for r in rows}


def _readable(conn, role: str) -> set[str]:
    return {
        name
        for name in _relations(conn)
        if conn.execute(
            "SELECT has_table_privilege(%s, format('public.%%I', %s::text), 'SELECT')",
            (role, name),
        ).fetchone()[0]
    }


@pytest.mark.parametrize("kind", ["reader", "cataloger"])
def test_people_read_exactly_the_documented_views(server, kind):
    db = server[0]
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert all(f"`{view}`" in readme for view in DOCUMENTED_VIEWS)
    with psycopg.connect(db.url, autocommit=True) as owner:
        assert _readable(owner, ROLES[kind]) == DOCUMENTED_VIEWS
    with connect(server, kind) as conn:
        for view in sorted(DOCUMENTED_VIEWS):
            conn.execute(f"SELECT * FROM {view} LIMIT 1").fetchall()
        assert conn.execute("SELECT count(*) FROM current_image_analyses").fetchone()[0] == 6


@pytest.mark.parametrize("kind", ["reader", "cataloger"])
def test_people_write_nowhere_but_reviews(server, kind):
    db = server[0]
    with psycopg.connect(db.url, autocommit=True) as owner:
        tables = _relations(owner, kinds="rp")
    assert "analyses" in tables and "catalog_artworks" not in tables
    with connect(server, kind) as conn:
        for table in sorted(tables - {"analysis_reviews"}):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"INSERT INTO {table} DEFAULT VALUES")
        for statement in (
            "UPDATE analysis_reviews SET note = 'x'",
            "DELETE FROM analysis_reviews",
            "SELECT verdict FROM analysis_reviews",
            "CREATE TABLE public.mine (x int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_the_reader_cannot_add_a_review_and_the_cataloger_can(server):
    review = (
        "INSERT INTO analysis_reviews (analysis_id, verdict, reviewer)"
        " SELECT analysis_id, 'approved', 'km' FROM current_image_analyses"
        " WHERE object_id = 'T1' RETURNING id"
    )
    with connect(server, "reader") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(review)
    with connect(server, "cataloger") as conn:
        assert conn.execute(review).fetchone()[0] > 0


def test_searches_run_as_a_nologin_role_that_reads_only_what_they_read(server):
    db = server[0]
    with psycopg.connect(db.url, autocommit=True) as owner:
        owners = owner.execute(
            "SELECT p.proname, r.rolname, r.rolcanlogin, r.rolsuper FROM pg_proc p"
            " JOIN pg_roles r ON r.oid = p.proowner WHERE p.prosecdef"
            " AND p.pronamespace = 'public'::regnamespace"
        ).fetchall()
        assert {name: role for name, role, *_ in owners} == {
            # ANALYZE of the sink's tables as they grow (0018): MAINTAIN on those, nothing else.
            "sink_refresh_statistics": "archive_statistics_definer",
            "catalog_search_text": "archive_search_definer",
            "catalog_search_fuzzy": "archive_search_definer",
            "catalog_search_semantic": "archive_search_definer",
            "catalog_search_similar": "archive_search_definer",
            "catalog_search_color": "archive_search_definer",
            # Finds the words' stored embedding (0014): people never read query_embeddings.
            "catalog_search_semantic_text": "archive_search_definer",
            # A review re-indexes the reviewed analysis' search document (0010).
            "catalog_review_reindex": "archive_review_definer",
            # Counts per facet of a search (0015).
            "catalog_search_facets": "archive_search_definer",
            # Keep search_entries current from any writer, the review trigger included (0015).
            "search_entries_note_structure": "archive_index_definer",
            "search_entries_note_analyses": "archive_index_definer",
            "search_entries_note_images": "archive_index_definer",
            "search_entries_note_artworks": "archive_index_definer",
        }
        assert {tuple(rest[1:]) for _, *rest in owners} == {(False, False)}
        assert _readable(owner, "archive_search_definer") == {
            "catalog_documents", "catalog_colors", "analysis_structure", "analyses",
            "catalog_artist_names", "palette_colors", "query_embeddings", "search_entries",
        }  # fmt: skip
        assert _readable(owner, "archive_statistics_definer") == set()  # ANALYZE, no SELECT
    with connect(server, "reader") as conn:
        found = conn.execute("SELECT object_id FROM catalog_search_text('storm')").fetchall()
        assert [r[0] for r in found] == ["T1"]


def test_filters_match_percent_and_underscore_literally(server):
    with connect(server, "reader") as conn:

        def artists(call: str, *params) -> set[str]:
            return {r[0] for r in conn.execute(f"SELECT artist FROM {call}", params).fetchall()}

        # A wildcard before: every work.
        assert artists("catalog_search_color('black', 50, p_artist => %s)", "%") == {
            "Studio 100%_A"
        }
        assert artists("catalog_search_color('black', 50, p_artist => %s)", "0_") == set()
        assert artists("catalog_search_color('black', 50, p_artist => %s)", "%_a") == {
            "Studio 100%_A"
        }
        assert artists("catalog_search_color('black', 50, p_medium => %s)", "k_o") == {
            "Studio 100%_A"
        }
        assert artists("catalog_search_color('black', 50, p_medium => %s)", "k_p") == set()
        assert artists("catalog_search_color('black', 50, p_artist => %s)", "\\") == set()


def test_limits_are_clamped_not_overflowed(server):
    with connect(server, "reader") as conn:

        def count(call: str) -> int:
            return len(conn.execute(f"SELECT * FROM {call}").fetchall())

        assert count("catalog_search_color('navy', 500000000, p_max_distance => 500)") == 6
        assert count("catalog_search_color('navy', 2147483647, p_max_distance => 500)") == 6
        found = count("catalog_search_text('light', 50)")
        assert found >= 2
        assert (
            count("catalog_search_text('light', 2147483647, p_candidates => 2147483647)") == found
        )
        assert count("catalog_search_text('light', 50, p_candidates => -5)") >= 1
        for call in ("text('light', -1)", "fuzzy('Turner', -1)", "color('navy', -2147483648)"):
            assert count(f"catalog_search_{call}") == 0


HOSTILE_TEXT = [
    "\x00",  # a real NUL byte: PostgreSQL text cannot hold one
    "a\x00b",
    "%",
    "_",
    "\\",
    "'; DROP TABLE analyses; --",
    "Robert'); DELETE FROM artworks; --",
    '"unclosed phrase',
    "storm & | ! ( :* <->",
    "",
    "   ",
    "Ünïcødé 名画 🎨 \u202e",
    "x" * 10_000,
    "chiaroscuro " * 1_000,
    "$$; SELECT pg_sleep(10); $$",
]
HOSTILE_INTS = [-(2**31), -1, 0, 1, 500_000_000, 2**31 - 1, 2**31, 2**63]
CALLS = [
    "catalog_search_text(%s, 10)",
    "catalog_search_fuzzy(%s, 10)",
    "catalog_search_similar(%s, 10)",
    "catalog_search_color(%s, 10)",
    "catalog_search_text('light', 10, p_artist => %s)",
    "catalog_search_fuzzy('Turner', 10, p_medium => %s)",
    "catalog_search_semantic(%s::extensions.vector, 10)",  # people's path: no extensions
    "catalog_color_lab(%s)",
]
INT_CALLS = [
    "catalog_search_text('light', %s::integer)",
    "catalog_search_text('light', 10, p_candidates => %s::integer)",
    "catalog_search_text('light', 10, p_year_from => %s::integer)",
    "catalog_search_fuzzy('Turner', %s::integer)",
    "catalog_search_similar('T1', %s::integer)",
    "catalog_search_color('navy', %s::integer)",
    "catalog_search_color('navy', 10, p_year_to => %s::integer)",
]
# Clean errors: bad data (22xxx: NUL, out of range, unknown colour, vector syntax) raised
# before or by the function. Anything else (a privilege error, a crash) fails the test.
CLEAN = (psycopg.DataError,)


def _outcome(conn, call: str, value) -> str:
    try:
        conn.execute(f"SELECT * FROM {call}", (value,)).fetchall()
        return "rows"
    except CLEAN as exc:
        return type(exc).__name__


@pytest.fixture(scope="module")
def reader_conn(server):
    with connect(server, "reader") as conn:
        yield conn


@pytest.mark.parametrize("call", CALLS)
def test_hostile_text_gives_rows_or_a_clean_error(server, reader_conn, call):
    before = reader_conn.execute("SELECT count(*) FROM catalog_artworks").fetchone()[0]
    outcomes = {repr(value)[:20]: _outcome(reader_conn, call, value) for value in HOSTILE_TEXT}
    assert outcomes[repr("\x00")] == "DataError"  # refused, not truncated at the NUL
    _still_the_reader_and_intact(server, reader_conn, before)


@pytest.mark.parametrize("call", INT_CALLS)
def test_hostile_integers_give_rows_or_a_clean_error(server, reader_conn, call):
    before = reader_conn.execute("SELECT count(*) FROM catalog_artworks").fetchone()[0]
    outcomes = {value: _outcome(reader_conn, call, value) for value in HOSTILE_INTS}
    assert outcomes[500_000_000] == outcomes[2**31 - 1] == outcomes[-1] == "rows"
    assert outcomes[2**31] == outcomes[2**63] == "NumericValueOutOfRange"
    _still_the_reader_and_intact(server, reader_conn, before)


def _still_the_reader_and_intact(server, conn, before: int) -> None:
    assert conn.execute("SELECT current_user").fetchone()[0] == ROLES["reader"]
    assert conn.execute("SELECT count(*) FROM catalog_artworks").fetchone()[0] == before
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT 1 FROM analyses LIMIT 1")
    with psycopg.connect(server[0].url, autocommit=True) as owner:
        supers = owner.execute("SELECT array_agg(rolname) FROM pg_roles WHERE rolsuper")
        assert supers.fetchone()[0] == ["postgres"]
        assert owner.execute("SELECT count(*) FROM analyses").fetchone()[0] == before
