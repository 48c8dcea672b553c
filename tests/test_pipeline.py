"""The main job end to end on real components: local Ray, embedded PostgreSQL, HTTP S3."""

from pathlib import Path

import boto3

from archive_analyzer.run.analyze import analyze
from tests.conftest import EXAMPLES, PAINTINGS, count


def table_snapshot(db):
    with db.connect() as conn:
        return conn.execute(
            "SELECT i.uri, i.sha256, i.width, i.height, a.text, a.model_version, aw.object_id "
            "FROM images i JOIN analyses a ON a.image_sha256 = i.sha256 "
            "JOIN artworks aw ON aw.id = i.artwork_id ORDER BY i.uri"
        ).fetchall()


def test_all_100_paintings_through_ray(ray_cluster, db, settings_for):
    summary = analyze(settings_for(PAINTINGS), engine="ray", progress=False)
    assert (summary.seen, summary.analysed, summary.failed) == (100, 100, 0)
    assert summary.status == "succeeded"
    assert count(db, "SELECT count(*) FROM analyses WHERE is_current") == 100
    assert count(db, "SELECT count(*) FROM images WHERE width > 0 AND height > 0") == 100
    with db.connect() as conn:
        run = conn.execute("SELECT status, counts, settings FROM runs").fetchone()
    assert run["status"] == "succeeded" and run["counts"]["analysed"] == 100
    assert run["settings"]["database_url"] == "configured"


def rewritten(db) -> list[tuple]:
    """What a re-analysis changes: which run wrote each analysis, and how long it took."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT image_sha256, run_id, inference_seconds FROM analyses ORDER BY image_sha256"
        ).fetchall()
    return [tuple(row.values()) for row in rows]


def test_forced_rerun_rewrites_the_same_rows(ray_cluster, db, settings_for):
    """A second run with --force runs the model on every image again and writes every row
    again; with the same model and prompt the rows are the same, one per image."""
    settings = settings_for(EXAMPLES, manifest=str(EXAMPLES / "manifest.csv"))
    analyze(settings, engine="ray", progress=False)
    first, first_writes = table_snapshot(db), rewritten(db)
    second = analyze(settings, engine="ray", progress=False, force=True)
    assert second.plan["unchanged"] == 12 and second.analysed == 12 and second.skipped == 0
    assert table_snapshot(db) == first
    assert len(first) == 12
    writes = rewritten(db)
    assert {run for _, run, _ in writes} == {second.run_id}
    assert [seconds for *_, seconds in writes] != [seconds for *_, seconds in first_writes]
    for table in ("analyses", "images", "artworks"):
        assert count(db, f"SELECT count(*) FROM {table}") == 12
    assert count(db, "SELECT count(*) FROM runs WHERE status = 'succeeded'") == 2


def test_manifest_metadata_lands_on_artworks(db, settings_for):
    settings = settings_for(EXAMPLES, manifest=str(EXAMPLES / "manifest.csv"))
    analyze(settings, engine="local", progress=False)
    with db.connect() as conn:
        row = conn.execute(
            "SELECT title, artist, year_start, metadata FROM artworks WHERE object_id = %s",
            ("irinainina_066",),
        ).fetchone()
    assert row["title"] == "Lady with an Ermine" and row["artist"] == "Leonardo da Vinci"
    assert row["year_start"] == 1490
    assert row["metadata"]["title_ru"] == "Дама с горностаем"


def test_s3_source_gives_the_same_rows_as_local(
    ray_cluster, s3_env, db, settings_for, database_url, pg_admin_url
):
    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(Bucket="museum")
    for path in sorted(Path(EXAMPLES).glob("*.jpg")):
        client.upload_file(str(path), "museum", f"collection/{path.name}")
    analyze(settings_for("s3://museum/collection"), engine="ray", progress=False)
    remote = table_snapshot(db)
    assert len(remote) == 12
    assert all(row["uri"].startswith("s3://museum/collection/") for row in remote)
    local_settings = settings_for(EXAMPLES)
    analyze(local_settings, engine="local", progress=False)
    local = {r["sha256"]: r for r in table_snapshot(db) if r["uri"].startswith("file://")}
    for row in remote:
        twin = local[row["sha256"]]
        assert (twin["text"], twin["width"], twin["height"], twin["object_id"]) == (
            row["text"],
            row["width"],
            row["height"],
            row["object_id"],
        )
