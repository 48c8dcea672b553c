"""Object identity is (collection, object_id): two shoots' IMG_0001.jpg are two artworks, one
object id in two collections is two artworks, and two images claiming one id inside one
collection is a reported conflict, never a silent merge. Real PostgreSQL, the tiny model."""

from __future__ import annotations

import shutil

from archive_analyzer.catalog.search import search
from archive_analyzer.run.analyze import analyze
from archive_analyzer.sources import normalize_uri
from tests.conftest import PAINTINGS, count

QUIET = {"say": lambda *_: None}


def run(settings):
    summary = analyze(settings, engine="local", progress=False, **QUIET)
    assert summary.status == "succeeded", summary.error
    return summary


def painting(number: int):
    return sorted(PAINTINGS.glob("*.jpg"))[number]


def shoot(folder, *files):
    """A folder of (name, painting number) files."""
    folder.mkdir(parents=True)
    for name, number in files:
        shutil.copy(painting(number), folder / name)
    return folder


def artworks(db):
    with db.connect() as conn:
        return conn.execute(
            "SELECT collection, object_id, title FROM artworks ORDER BY collection, object_id"
        ).fetchall()


def test_two_shoots_with_img_0001_are_two_artworks_both_searchable(db, settings_for, tmp_path):
    shoot_a = shoot(tmp_path / "shootA", ("IMG_0001.jpg", 0))
    shoot_b = shoot(tmp_path / "shootB", ("IMG_0001.jpg", 1))
    run(settings_for(shoot_a))
    run(settings_for(shoot_b))

    assert artworks(db) == [
        {"collection": normalize_uri(str(shoot_a)), "object_id": "IMG_0001", "title": None},
        {"collection": normalize_uri(str(shoot_b)), "object_id": "IMG_0001", "title": None},
    ]
    assert count(db, "SELECT count(*) FROM catalog_artworks") == 2
    for folder in (shoot_a, shoot_b):
        # Each shoot's own dominant colour finds its IMG_0001, under its own collection.
        found = search(db, "color", dominant_colour(db, normalize_uri(str(folder))), limit=10)
        assert (normalize_uri(str(folder)), normalize_uri(str(folder / "IMG_0001.jpg"))) in {
            (row["collection"], row["uri"]) for row in found
        }


def dominant_colour(db, collection: str) -> str:
    with db.connect() as conn:
        return conn.execute(
            "SELECT p.hex FROM palette_colors p JOIN catalog_documents d "
            "ON d.sha256 = p.image_sha256 WHERE d.collection = %s ORDER BY p.share DESC LIMIT 1",
            (collection,),
        ).fetchone()["hex"]


def test_one_object_id_in_two_collections_is_two_artworks(db, settings_for, tmp_path):
    for name, number, title in (("north", 2, "Harbour at dawn"), ("south", 3, "Wheat field")):
        folder = shoot(tmp_path / name, ("a.jpg", number))
        manifest = tmp_path / f"{name}.csv"
        manifest.write_text(f"object_id,image_uri,title\n0001,a.jpg,{title}\n")
        run(settings_for(folder, manifest=str(manifest), collection=name))

    assert artworks(db) == [
        {"collection": "north", "object_id": "0001", "title": "Harbour at dawn"},
        {"collection": "south", "object_id": "0001", "title": "Wheat field"},
    ]


def test_a_manifest_naming_two_views_of_one_object_stays_one_artwork(db, settings_for, tmp_path):
    folder = shoot(tmp_path / "views", ("front.jpg", 4), ("back.jpg", 5))
    manifest = tmp_path / "views.csv"
    manifest.write_text("object_id,image_uri,title\nX1,front.jpg,Altar\nX1,back.jpg,Altar\n")
    summary = run(settings_for(folder, manifest=str(manifest)))
    assert summary.failed == 0
    assert count(db, "SELECT count(*) FROM artworks") == 1
    assert count(db, "SELECT count(*) FROM images WHERE artwork_id IS NOT NULL") == 2


def failures(db):
    with db.connect() as conn:
        return conn.execute("SELECT uri, reason, message FROM failures ORDER BY uri").fetchall()


def test_two_images_claiming_one_object_id_in_one_collection_are_a_conflict(
    db, settings_for, tmp_path
):
    folder = shoot(tmp_path / "shoot", ("IMG_0001.jpg", 6), ("IMG_0001.png", 7))
    summary = run(settings_for(folder))
    assert (summary.analysed, summary.failed) == (1, 1)
    assert summary.failures_by_reason == {"object_id_conflict": 1}
    (failure,) = failures(db)
    kept = normalize_uri(str(folder / "IMG_0001.jpg"))
    assert failure["uri"] == normalize_uri(str(folder / "IMG_0001.png"))
    assert kept in failure["message"] and "IMG_0001" in failure["message"]
    with db.connect() as conn:
        (row,) = conn.execute("SELECT i.uri FROM images i JOIN artworks a ON a.id = i.artwork_id")
    assert row["uri"] == kept


def test_a_second_source_under_the_same_collection_name_conflicts(db, settings_for, tmp_path):
    shoot_a = shoot(tmp_path / "shootA", ("IMG_0001.jpg", 8))
    shoot_b = shoot(tmp_path / "shootB", ("IMG_0001.jpg", 9))
    run(settings_for(shoot_a, collection="photos"))
    second = run(settings_for(shoot_b, collection="photos"))
    assert second.failures_by_reason == {"object_id_conflict": 1}
    assert count(db, "SELECT count(*) FROM artworks") == 1
    with db.connect() as conn:
        (row,) = conn.execute("SELECT i.uri FROM images i JOIN artworks a ON a.id = i.artwork_id")
    assert row["uri"] == normalize_uri(str(shoot_a / "IMG_0001.jpg"))
