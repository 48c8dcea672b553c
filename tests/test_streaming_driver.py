"""The streaming driver (issue #17): listing, planning and the ledger go through the database
a page at a time, so the driver's memory per image does not grow with the collection."""

from __future__ import annotations

import shutil
import tracemalloc
from collections.abc import Iterator

from archive_analyzer.metadata import metadata_hash
from archive_analyzer.run.ledger import Ledger
from archive_analyzer.run.plan import plan_listing
from archive_analyzer.run.references import ledger_chunks
from archive_analyzer.run.staging import StagedListing
from archive_analyzer.sources import SourceItem
from tests.conftest import EXAMPLES, count

VERSIONS = ("model-v1", "prompt-v1")
ROOT = "file:///archive"


def synthetic(n: int, page: int = 5_000) -> Iterator[list[SourceItem]]:
    """Listed images with a realistic manifest row each, produced a page at a time."""
    for start in range(0, n, page):
        yield [_item(k) for k in range(start, min(n, start + page))]


def _item(k: int) -> SourceItem:
    metadata = {"title": f"Study {k} of light on water", "artist": "Anonymous", "date": "1890"}
    return SourceItem(f"{ROOT}/{k:07d}.jpg", 1000, f"{k:07d}", metadata, f"1000:{k}", True)


def seed_unchanged(db, n: int) -> None:
    """n images already analysed by VERSIONS, with the listing's fingerprints and metadata."""
    with db.connect() as conn, conn.cursor() as cur:
        run_id = cur.execute(
            "INSERT INTO runs (collection, source_uri, model_version, prompt_version, status)"
            " VALUES ('c', %s, %s, %s, 'succeeded') RETURNING id",
            (ROOT, *VERSIONS),
        ).fetchone()["id"]
        with cur.copy("COPY images (uri, sha256, fingerprint, metadata_hash) FROM STDIN") as copy:
            for page in synthetic(n):
                for item in page:
                    row_hash = metadata_hash(item.object_id, item.metadata)
                    copy.write_row((item.uri, f"sha-{item.object_id}", item.fingerprint, row_hash))
        cur.execute(
            "INSERT INTO analyses (image_sha256, model_version, prompt_version, prompt_name,"
            " text, run_id) SELECT sha256, %s, %s, 'p', 'text', %s FROM images",
            (*VERSIONS, run_id),
        )


def new_run(db) -> int:
    with db.connect() as conn:
        return conn.execute(
            "INSERT INTO runs (collection, source_uri, model_version, prompt_version, status)"
            " VALUES ('c', %s, %s, %s, 'running') RETURNING id",
            (ROOT, *VERSIONS),
        ).fetchone()["id"]


def plan_and_account(db, n: int, new: int) -> tuple[dict, object, int]:
    """Stage n + new listed images, plan them, open the ledger, report the new ones back and
    close the books; returns (plan counts, accounting, tracemalloc peak growth in bytes)."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    with StagedListing.open(db) as staged:
        staged.add(synthetic(n + new))
        plan = plan_listing(staged, *VERSIONS, False, "c", "/archive")
        run_id = new_run(db)
        staged.open_ledger(run_id, plan.sent(), [])
    ledger = Ledger(db, run_id)
    for chunk in ledger_chunks(db, run_id):
        rows = chunk()
        ledger.record([r["uri"] for r in rows], ["ok"] * len(rows))
    account = ledger.close(analysed=plan.selected(), failed=0, skipped=n)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return plan.counts(), account, peak


def test_a_large_listing_is_planned_and_accounted_in_the_database(db):
    seed_unchanged(db, 100_000)
    counts, account, peak = plan_and_account(db, 100_000, new=5)
    assert counts == {
        "new": 5,
        "changed": 0,
        "stale": 0,
        "metadata": 0,
        "unchanged": 100_000,
        "conflict": 0,
    }
    assert account.balanced and account.listed == 100_005, account.error()
    assert count(db, "SELECT count(*) FROM run_ledger") == 0  # a balanced run's rows pruned
    # Nothing of every URI is built: the peak is a few pages, not 100k references (~50 MB).
    assert peak < 20 * 2**20, peak


def test_driver_memory_per_image_does_not_grow_with_the_collection(db):
    seed_unchanged(db, 100_000)
    small = plan_and_account(db, 10_000, new=0)[2]
    large = plan_and_account(db, 100_000, new=0)[2]
    slope = (large - small) / 90_000
    assert slope <= 200, f"{slope:.0f} bytes of driver memory per image"


def test_the_books_name_images_lost_or_reported_twice(db):
    with StagedListing.open(db) as staged:
        staged.add(synthetic(4))
        plan = plan_listing(staged, *VERSIONS)
        run_id = new_run(db)
        staged.open_ledger(run_id, plan.sent(), [f"{ROOT}/missing.jpg"])
    ledger = Ledger(db, run_id)
    uris = [f"{ROOT}/{k:07d}.jpg" for k in range(4)]
    ledger.record(uris[:2], ["ok", "failed"])
    ledger.record(uris[3:], ["reused"])
    account = ledger.close(analysed=2, failed=2, skipped=0)
    assert not account.balanced and account.unaccounted == [uris[2]]
    assert uris[2] in account.error() and "listed 5" in account.error()
    assert account.counts()["unaccounted_count"] == 1

    ledger.record([uris[2], uris[2], "file:///stranger.jpg"], ["ok", "ok", "ok"])
    twice = ledger.close(analysed=4, failed=2, skipped=0)
    assert not twice.balanced and twice.duplicated == [uris[2], "file:///stranger.jpg"]


def test_a_real_run_streams_its_references_to_the_local_engine(db, settings_for, tmp_path):
    from archive_analyzer.run.analyze import analyze

    folder = tmp_path / "shoot"
    (folder / "deep" / "er").mkdir(parents=True)
    for n, path in enumerate(sorted(EXAMPLES.glob("*.jpg"))[:3]):
        shutil.copy2(path, (folder / "deep" / "er" if n else folder) / path.name)
    summary = analyze(settings_for(folder), engine="local", progress=False, say=lambda *_: None)
    assert summary.status == "succeeded", summary.error
    assert (summary.analysed + summary.reused, summary.plan["new"]) == (3, 3)
    again = analyze(settings_for(folder), engine="local", progress=False, say=lambda *_: None)
    assert (again.skipped, again.analysed, again.plan["unchanged"]) == (3, 0, 3)
