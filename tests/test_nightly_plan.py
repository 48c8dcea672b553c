"""Nightly planning and history on the 100 paintings and real PostgreSQL: what each night
analyses, what it leaves alone, and that re-analysis keeps the old analyses as history."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from archive_analyzer.model import prompts
from archive_analyzer.run.analyze import analyze, plan_only
from tests.conftest import EXAMPLES, PAINTINGS, count

QUIET = {"say": lambda *_: None}


@pytest.fixture
def collection(tmp_path):
    """A writable copy of the 100 paintings (the tests re-shoot some of them)."""
    folder = tmp_path / "collection"
    folder.mkdir()
    for path in sorted(PAINTINGS.glob("*.jpg")):
        shutil.copy2(path, folder / path.name)
    return folder


def plan_counts(settings) -> dict[str, int]:
    counts, missing = plan_only(settings, **QUIET)
    assert missing == 0
    return counts


def plan(new=0, changed=0, stale=0, unchanged=0, metadata=0, conflict=0) -> dict[str, int]:
    return {
        "new": new,
        "changed": changed,
        "stale": stale,
        "metadata": metadata,
        "unchanged": unchanged,
        "conflict": conflict,
    }


def run(settings, **options):
    summary = analyze(settings, engine="local", progress=False, **QUIET, **options)
    assert summary.status == "succeeded"
    return summary


def written_rows(db):
    """Every row a run could write, with its timestamps: equal snapshots mean nothing written."""
    with db.connect() as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("artworks", "images", "analyses", "image_contents", "failures")
        }


def reshoot(paths) -> None:
    """New photography of the same objects: different bytes under the same keys."""
    for path in paths:
        with Image.open(path) as image:
            image.convert("RGB").rotate(180).save(path, quality=85)


def test_each_night_analyses_only_what_needs_it(db, settings_for, collection, monkeypatch):
    settings = settings_for(collection)
    assert plan_counts(settings) == plan(new=100)
    first = run(settings)
    assert (first.analysed, first.skipped, first.plan) == (100, 0, plan(new=100))

    assert plan_counts(settings) == plan(unchanged=100)
    before = written_rows(db)
    second = run(settings)
    assert (second.analysed, second.skipped) == (0, 100)
    assert written_rows(db) == before

    reshot = sorted(collection.glob("*.jpg"))[:5]
    reshoot(reshot)
    assert plan_counts(settings) == plan(changed=5, unchanged=95)
    third = run(settings)
    assert (third.analysed, third.skipped) == (5, 95)
    assert count(db, "SELECT count(*) FROM current_image_analyses") == 100

    monkeypatch.setitem(prompts.QUERIES, "formal_analysis", "Describe this painting's form.")
    assert plan_counts(settings) == plan(stale=100)
    fourth = run(settings)
    assert (fourth.analysed, fourth.skipped) == (100, 0)
    new_version = prompts.resolve_prompt("formal_analysis").version
    with db.connect() as conn:
        shown = conn.execute("SELECT prompt_version, uri FROM current_image_analyses").fetchall()
    assert len(shown) == 100 and {row["prompt_version"] for row in shown} == {new_version}
    # The previous prompt's analyses of today's contents are kept, no longer current.
    assert (
        count(
            db,
            "SELECT count(*) FROM analyses a JOIN images i ON i.sha256 = a.image_sha256 "
            "WHERE a.prompt_version <> %s AND NOT a.is_current",
            (new_version,),
        )
        == 100
    )
    assert count(db, "SELECT count(*) FROM analyses") == 205
    assert plan_counts(settings) == plan(unchanged=100)


def test_history_of_a_reshot_artwork_across_prompt_versions(
    db, settings_for, tmp_path, monkeypatch
):
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    settings = settings_for(folder)
    run(settings)
    reshoot([folder / "irinainina_066.jpg"])
    run(settings)
    monkeypatch.setitem(prompts.QUERIES, "formal_analysis", "Describe this painting's form.")
    run(settings)
    history = db.fetch_all("analysis_history", {"object_id": "irinainina_066"})
    # original photo (old prompt), re-shot photo (old prompt, then new prompt)
    assert len(history) == 3
    assert [(row["is_current"], row["is_current_content"]) for row in history] == [
        (True, True),
        (False, True),
        (False, False),
    ]
    assert len({row["sha256"] for row in history}) == 2
    assert len({row["prompt_version"] for row in history}) == 2


def test_same_bytes_under_two_keys_are_analysed_once(db, settings_for, tmp_path):
    folder = tmp_path / "dupes"
    shutil.copytree(EXAMPLES, folder)
    # One copy sorts next to its original (same batch), two far from theirs (later batches).
    for name, copy in [
        ("irinainina_066", "irinainina_066_copy"),
        ("irinainina_071", "zz_copy_a"),
        ("irinainina_087", "zz_copy_b"),
    ]:
        shutil.copy(folder / f"{name}.jpg", folder / f"{copy}.jpg")
    summary = run(settings_for(folder))
    assert (summary.seen, summary.analysed, summary.reused) == (15, 12, 3)
    assert count(db, "SELECT count(*) FROM analyses") == 12
    assert count(db, "SELECT count(*) FROM images") == 15
    assert count(db, "SELECT count(*) FROM current_image_analyses") == 15
    assert (
        count(
            db,
            "SELECT count(DISTINCT a.id) FROM images i "
            "JOIN analyses a ON a.image_sha256 = i.sha256 "
            "WHERE i.uri LIKE %s OR i.uri LIKE %s",
            ("%/irinainina_071.jpg", "%/zz_copy_a.jpg"),
        )
        == 1
    )


def test_force_reanalyses_everything_without_duplicates(db, settings_for):
    settings = settings_for(EXAMPLES)
    run(settings)
    forced = run(settings, force=True)
    assert (forced.analysed, forced.skipped) == (12, 0)
    assert count(db, "SELECT count(*) FROM analyses") == 12
    assert count(db, "SELECT count(*) FROM analyses WHERE run_id = %s", (forced.run_id,)) == 12


def test_planning_an_s3_collection_uses_etags(s3_env, db, settings_for, tmp_path):
    import boto3

    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(Bucket="nightly")
    paths = sorted(EXAMPLES.glob("*.jpg"))
    for path in paths:
        client.upload_file(str(path), "nightly", f"paintings/{path.name}")
    settings = settings_for("s3://nightly/paintings/")
    assert plan_counts(settings) == plan(new=12)
    run(settings)
    assert plan_counts(settings) == plan(unchanged=12)
    reshot = tmp_path / "reshot.jpg"
    shutil.copy(paths[0], reshot)
    reshoot([reshot])
    client.upload_file(str(reshot), "nightly", f"paintings/{paths[0].name}")
    # The same bytes uploaded again: a new upload, but not a change.
    client.upload_file(str(paths[1]), "nightly", f"paintings/{paths[1].name}")
    assert plan_counts(settings) == plan(changed=1, unchanged=11)
    assert run(settings).analysed == 1
