"""The streaming driver's scale (issue #17): driver memory per image as a slope between 10k
and 100k listed images, and the time to list and plan a synthetic million.

The listing is a generator of SourceItems with a realistic manifest row each, so what is
measured is our staging, planning and ledger code and PostgreSQL, not a filesystem.
"""

from __future__ import annotations

import pickle
import time
import tracemalloc
from collections.abc import Iterator

import psutil

from archive_analyzer.db.database import Database
from archive_analyzer.metadata import metadata_hash
from archive_analyzer.run.ledger import Ledger
from archive_analyzer.run.plan import plan_listing
from archive_analyzer.run.references import ledger_chunks
from archive_analyzer.run.staging import StagedListing
from archive_analyzer.sources import SourceItem
from bench.database import scratch_database, start_run

VERSIONS = ("model-v1", "prompt-v1")
ROOT = "file:///archive"


def synthetic(n: int, page: int = 5_000) -> Iterator[list[SourceItem]]:
    for start in range(0, n, page):
        yield [_item(k) for k in range(start, min(n, start + page))]


def _item(k: int) -> SourceItem:
    metadata = {
        "title": f"Study {k} of light on water",
        "artist": "Anonymous, follower of Claude Monet",
        "date": "c. 1890-1895",
        "medium": "Oil on canvas",
        "credit_line": "Bequeathed by a private collector, 1931",
    }
    return SourceItem(f"{ROOT}/{k // 1000:04d}/{k:07d}.jpg", 10**6, f"{k:07d}", metadata,
                      f"1000000:{k}", True)  # fmt: skip


def _seed(db: Database, n: int) -> None:
    """n images already analysed: a night where nearly everything is unchanged."""
    run_id = start_run(db, "bench")
    with db.connect() as conn, conn.cursor() as cur:
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


def _night(db: Database, n: int) -> dict:
    """Stage, plan, open the ledger, report every sent image back, close the books."""
    tracemalloc.start()
    rss0, base = psutil.Process().memory_info().rss, tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    with StagedListing.open(db) as staged:
        staged.add(synthetic(n))
        staged_at = time.perf_counter()
        plan = plan_listing(staged, *VERSIONS, False, "bench", "/archive")
        run_id = start_run(db, "bench")
        staged.open_ledger(run_id, plan.sent(), [])
    planned_at = time.perf_counter()
    chunks = ledger_chunks(db, run_id)
    ledger = Ledger(db, run_id)
    account = ledger.close(plan.selected(), 0, plan.counts()["unchanged"])
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return {
        "listed": n,
        "plan": plan.counts(),
        "balanced": account.balanced,
        "peak_bytes": peak,
        "rss_growth_bytes": psutil.Process().memory_info().rss - rss0,
        "chunk_bytes": len(pickle.dumps(chunks)),
        "stage_s": staged_at - started,
        "plan_s": planned_at - staged_at,
        "seconds": time.perf_counter() - started,
    }


def driver_bytes_per_image(small: int = 10_000, large: int = 100_000) -> dict:
    """Slopes (bytes per extra image) of the driver's Python peak, its RSS and what it would
    ship to Ray (the read tasks' chunks), between `small` and `large` listed images."""
    with scratch_database() as (db, _):
        _seed(db, large)
        _night(db, small)  # warm: imports, prepared statements, caches
        low, high = _night(db, small), _night(db, large)
    extra = large - small
    return {
        "driver_bytes_per_image": (high["peak_bytes"] - low["peak_bytes"]) / extra,
        "driver_rss_bytes_per_image": (high["rss_growth_bytes"] - low["rss_growth_bytes"]) / extra,
        "object_store_bytes_per_image": (high["chunk_bytes"] - low["chunk_bytes"]) / extra,
        "small": low,
        "large": high,
    }


def listing_planning_seconds(n: int = 1_000_000) -> dict:
    """List (synthetic) and plan n images against a database that already knows them all."""
    with scratch_database() as (db, _):
        _seed(db, n)
        night = _night(db, n)
    return {"listing_planning_seconds": night["seconds"], **night}


if __name__ == "__main__":
    import json
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps({**driver_bytes_per_image(), **listing_planning_seconds(n)}, indent=1))
