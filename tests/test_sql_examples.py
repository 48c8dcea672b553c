"""Every query in sql/examples.sql runs as the reader, logged in with its password, on a small
analysed catalog (the crafted works, embedded, one corrected), and answers its question."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg.rows import dict_row

from archive_analyzer.catalog.embedding import shared_embedder
from archive_analyzer.catalog.reviews import record_review, resolve_target
from archive_analyzer.catalog.search import remember_words
from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import parse_queries, sql_dir
from archive_analyzer.db.roles import READER_PASSWORD_ENV, create_roles
from tests.catalog_data import WORKS, insert_works
from tests.conftest import TEMPLATE

# The crafted works, Turner's storm under a Tate-like accession number the examples name.
EXAMPLE_WORKS = [("N00530", *WORKS[0][1:]), *WORKS[1:]]
CORRECTION = "A diagonal composition of wind and water; chiaroscuro sets light against cloud."
PASSWORD = "ex4mple reader"


def examples() -> dict[str, str]:
    return parse_queries((sql_dir() / "examples.sql").read_text())


def first(rows: list[dict], column: str):
    return rows[0][column]


def column(rows: list[dict], name: str) -> list:
    return [row[name] for row in rows]


# What each example must answer on the crafted catalog.
EXPECTED = {
    "full_text_search": lambda r: set(column(r, "object_id")) == {"N00530", "R1"},
    "works_by_an_artist": lambda r: (
        column(r, "object_id") == ["N00530", "T2"]
        and r[0]["is_corrected"]
        and r[0]["analysis"] == CORRECTION
    ),
    "review_queue": lambda r: (
        set(column(r, "review_status")) == {"unreviewed"}
        and "N00530" not in column(r, "object_id")
        and len(r) == 4
    ),
    "corrected_analyses": lambda r: (
        column(r, "object_id") == ["N00530"]
        and r[0]["correction"] == CORRECTION
        and "violent storm" in r[0]["model_text"]
    ),
    "navy_works": lambda r: first(r, "object_id") == "M1" and first(r, "distance") == 0,
    "semantic_search_from_words": lambda r: (
        first(r, "object_id") == "N00530" and len(r) == len(WORKS)
    ),
    "history_of_an_object": lambda r: len(r) == 1 and first(r, "verdict") == "corrected",
    "palette_of_a_work": lambda r: (
        column(r, "hex") == ["#1f3a93", "#202020", "#e0e0e0"]
        and column(r, "percent") == [50, 30, 20]
    ),
    "facets_of_a_search": lambda r: (
        {(x["facet"], x["value"]) for x in r}
        >= {("artist", "Joseph Mallord William Turner"), ("decade", "1830s")}
        and {x["facet"] for x in r} == {"artist", "decade", "medium"}
    ),
    "runs_of_the_last_week": lambda r: (
        len(r) == 1
        and (first(r, "analyses"), first(r, "model_name")) == (len(WORKS), "gallerygpt-7b")
    ),
}


@pytest.fixture(scope="module")
def reader_url(pg_admin_url):
    """A catalog of the crafted works, embedded, one corrected, words embedded for SQL; the
    reader's URL (its password in it). Module-wide: the queries only read."""
    name = "ex_" + uuid.uuid4().hex[:10]
    reader = f"ex_reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    url = pg_admin_url.replace("/postgres?", f"/{name}?")
    db = Database(url)
    insert_works(db, embedder=shared_embedder(), works=EXAMPLE_WORKS)
    record_review(db, resolve_target(db, "N00530"), "corrected", CORRECTION, reviewer="km")
    remember_words(db, "A storm at sea")
    with db.connect() as conn:  # the crafted analyses' model, named as a model card names it
        conn.execute("INSERT INTO models (version, name) VALUES ('m1', 'gallerygpt-7b')")
    with pytest.MonkeyPatch.context() as env:
        env.setenv(READER_PASSWORD_ENV, PASSWORD)
        create_roles(db, f"ex_writer_{reader[-8:]}", reader, f"ex_cat_{reader[-8:]}")
    yield psycopg.conninfo.make_conninfo(url, user=reader, password=PASSWORD)
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for role in (reader, f"ex_writer_{reader[-8:]}", f"ex_cat_{reader[-8:]}"):
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_the_file_holds_ten_commented_examples():
    text = (sql_dir() / "examples.sql").read_text()
    found = examples()
    assert set(found) == set(EXPECTED)
    for name, body in found.items():
        assert body.startswith("-- "), f"example {name} does not say what it answers"
        statement = "\n".join(line for line in body.splitlines() if not line.startswith("--"))
        assert statement.strip().endswith(";") and statement.count(";") == 1, name
    assert text.count("-- name: ") == 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_answers_as_the_reader(reader_url, name):
    with psycopg.connect(reader_url, autocommit=True, row_factory=dict_row) as conn:
        assert conn.execute("SHOW search_path").fetchone()["search_path"] == '"$user", public'
        rows = conn.execute(examples()[name]).fetchall()
    assert rows, f"example {name} found nothing"
    assert EXPECTED[name](rows), f"example {name} answered {rows}"
