"""Reviews that count: corrections shown and searched, rejections hidden, corrections kept over
re-analysis, by object id, as the cataloger role (API and command line), never as the reader."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from archive_analyzer.catalog.reviews import (
    record_review,
    resolve_target,
    review_history,
    review_queue,
)
from archive_analyzer.catalog.search import search
from archive_analyzer.cli import main
from archive_analyzer.db.database import Database
from archive_analyzer.db.roles import CATALOGER_PASSWORD_ENV, READER_PASSWORD_ENV, create_roles
from archive_analyzer.errors import NotFoundError
from tests.catalog_data import insert_works

CORRECTION = "A diagonal composition of wind and water drives the eye to the horizon."


@pytest.fixture
def catalog(db, monkeypatch):
    insert_works(db)
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", db.url)
    return db


def artwork(db, object_id: str) -> dict | None:
    with db.connect() as conn:
        return conn.execute(
            "SELECT * FROM catalog_artworks WHERE object_id = %s", (object_id,)
        ).fetchone()


def found(db, words: str) -> list[str]:
    return [r["object_id"] for r in search(db, "text", words)]


def reanalyse(db, object_id: str, model: str, text: str) -> int:
    """What the sink does for a new model version: retire, insert current, write structure."""
    with db.connect() as conn:
        sha = conn.execute(
            "SELECT sha256 FROM catalog_analysis_status WHERE object_id = %s", (object_id,)
        ).fetchone()["sha256"]
        conn.execute("UPDATE analyses SET is_current = false WHERE image_sha256 = %s", (sha,))
        new_id = conn.execute(
            "INSERT INTO analyses (image_sha256, model_version, prompt_version, prompt_name, "
            "text) VALUES (%s, %s, 'p1', 'formal_analysis', %s) RETURNING id",
            (sha, model, text),
        ).fetchone()["id"]
        conn.execute(
            "INSERT INTO analysis_structure (analysis_id, vocabulary_version, search_doc) "
            "VALUES (%s, 'v', to_tsvector('english', %s))",
            (new_id, text),
        )
    return new_id


def test_a_correction_is_what_catalogers_see_and_search(catalog):
    model_text = artwork(catalog, "T1")["analysis"]
    assert found(catalog, "horizon") == []
    review = record_review(catalog, resolve_target(catalog, "T1"), "corrected", CORRECTION,
                           note="sea, not sky", reviewer="km")  # fmt: skip
    assert (review.object_id, review.verdict, review.reviewer) == ("T1", "corrected", "km")
    shown = artwork(catalog, "T1")
    assert shown["analysis"] == CORRECTION and shown["model_text"] == model_text
    assert shown["is_corrected"] and shown["review_status"] == "corrected"
    assert found(catalog, "horizon") == ["T1"]
    assert found(catalog, "violent storm") == []  # the model's words no longer match
    assert "horizon" in search(catalog, "text", "horizon")[0]["detail"]
    # The newest verdict counts: approving the model's text restores it everywhere.
    record_review(catalog, resolve_target(catalog, "T1"), "approved")
    assert artwork(catalog, "T1")["analysis"] == model_text
    assert found(catalog, "horizon") == [] and found(catalog, "violent storm") == ["T1"]


def test_a_rejection_hides_the_analysis_until_a_new_one_exists(catalog):
    record_review(catalog, resolve_target(catalog, "C1"), "rejected", note="another painting")
    assert artwork(catalog, "C1") is None and found(catalog, "lemons") == []
    assert "C1" not in [i.object_id for i in review_queue(catalog)]
    reanalyse(catalog, "C1", "m2", "Lemons on a silver tray in warm light.")
    assert artwork(catalog, "C1")["review_status"] == "unreviewed"
    assert found(catalog, "lemons") == ["C1"]


def test_a_correction_survives_re_analysis_until_reviewed(catalog):
    record_review(catalog, resolve_target(catalog, "T1"), "corrected", CORRECTION)
    new_id = reanalyse(catalog, "T1", "m2", "A calm harbour at dawn.")
    shown = artwork(catalog, "T1")
    assert shown["analysis_id"] == new_id and shown["model_version"] == "m2"
    assert shown["analysis"] == CORRECTION and shown["model_text"] == "A calm harbour at dawn."
    assert shown["review_status"] == "needs_review" and shown["is_corrected"]
    assert found(catalog, "horizon") == ["T1"] and found(catalog, "harbour") == []
    queue = review_queue(catalog, status="needs_review")
    assert [(i.object_id, i.analysis_id, i.text) for i in queue] == [("T1", new_id, CORRECTION)]
    assert resolve_target(catalog, "T1") == new_id
    record_review(catalog, new_id, "approved", reviewer="km")
    assert artwork(catalog, "T1")["analysis"] == "A calm harbour at dawn."
    assert found(catalog, "harbour") == ["T1"] and found(catalog, "horizon") == []
    history = review_history(catalog, "T1")
    assert [a.model_version for a in history.analyses] == ["m1", "m2"]
    assert [r.verdict for r in history.reviews] == ["corrected", "approved"]


def test_queue_filters_and_targets(catalog):
    assert {i.object_id for i in review_queue(catalog, artist="turner")} == {"T1", "T2"}
    assert len(review_queue(catalog, limit=2)) == 2
    assert review_queue(catalog, collection="no such collection") == []
    # insert_works writes artworks with no collection: theirs is "default" (0011).
    assert resolve_target(catalog, "T1", collection="default") == resolve_target(catalog, "T1")
    analysis_id = resolve_target(catalog, "M1")
    assert resolve_target(catalog, str(analysis_id)) == analysis_id
    assert resolve_target(catalog, f"#{analysis_id}") == analysis_id
    for target in ("irinainina_008", "99999"):
        with pytest.raises(NotFoundError, match="no analysed object or analysis id"):
            resolve_target(catalog, target)
    with pytest.raises(NotFoundError):
        resolve_target(catalog, "T1", collection="elsewhere")


def test_review_commands(catalog, capsys):
    assert main(["review", "T2", "--correct", CORRECTION, "--reviewer", "km"]) == 0
    assert "T2: corrected" in capsys.readouterr().out
    assert main(["search", "horizon"]) == 0
    assert "T2" in capsys.readouterr().out
    assert main(["dataset", "review", "R1", "--approve"]) == 0  # the older name delegates
    assert main(["review", "queue", "--artist", "turner"]) == 0
    out = capsys.readouterr().out
    assert "T1" in out and "T2" not in out
    assert main(["review", "history", "T2"]) == 0
    assert "corrected by km" in capsys.readouterr().out
    assert main(["review", "irinainina_008", "--approve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no analysed object or analysis id 'irinainina_008'" in err
    assert main(["review", "T1", "--correct", "  "]) == 2
    assert "corrected text" in capsys.readouterr().err


@pytest.fixture
def people(catalog, pg_admin_url, monkeypatch):
    suffix = uuid.uuid4().hex[:8]
    names = {"writer": f"w_{suffix}", "reader": f"r_{suffix}", "cataloger": f"c_{suffix}"}
    monkeypatch.setenv(READER_PASSWORD_ENV, "reader pw")
    monkeypatch.setenv(CATALOGER_PASSWORD_ENV, "cataloger-pw")
    create_roles(catalog, names["writer"], names["reader"], names["cataloger"])
    urls = {
        kind: catalog.url.replace("postgresql://postgres@", f"postgresql://{names[kind]}:{pw}@")
        for kind, pw in (("reader", "reader%20pw"), ("cataloger", "cataloger-pw"))
    }
    yield urls
    with psycopg.connect(catalog.url, autocommit=True) as conn:
        for role in names.values():
            conn.execute(f"DROP OWNED BY {role}")
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for role in names.values():
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_the_cataloger_reviews_and_the_reader_cannot(catalog, people, monkeypatch, capsys):
    cataloger = Database(people["cataloger"])
    review = record_review(cataloger, resolve_target(cataloger, "T1"), "corrected", CORRECTION)
    assert review.object_id == "T1"
    assert found(catalog, "horizon") == ["T1"]  # the index follows a cataloger's review
    assert [i.object_id for i in review_queue(cataloger)] == ["T2", "C1", "R1", "M1"]
    assert [r.verdict for r in review_history(cataloger, "T1").reviews] == ["corrected"]
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", people["cataloger"])
    assert main(["review", "C1", "--reject", "--note", "not ours"]) == 0
    assert main(["review", "queue"]) == 0 and "C1" not in capsys.readouterr().out.split()
    with psycopg.connect(people["cataloger"], autocommit=True) as conn:  # and from psql
        conn.execute(
            "INSERT INTO analysis_reviews (analysis_id, verdict) SELECT analysis_id, "
            "'approved' FROM catalog_analysis_status WHERE object_id = 'R1'"
        )
        assert (
            conn.execute(
                "SELECT review_status FROM catalog_artworks WHERE object_id = 'R1'"
            ).fetchone()[0]
            == "approved"
        )
    reader = Database(people["reader"])
    assert review_queue(reader)  # reading is fine
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        record_review(reader, resolve_target(reader, "M1"), "approved")
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", people["reader"])
    assert main(["review", "M1", "--approve"]) == 1
    assert "InsufficientPrivilege" in capsys.readouterr().err
