"""The PostgreSQL Sink (COPY into staging, set-based merges) vs row-by-row inserts.

Both write the same synthetic analysis rows, a block per transaction. The baseline inserts each
row with its own INSERT statement into one plain table; the Sink writes artworks, images,
contents, analyses, structure and measured features (palettes). The baseline therefore does
less work, which only flatters it.
"""

from __future__ import annotations

import hashlib
import json
import time

import numpy as np
from psycopg.types.json import Jsonb

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query
from archive_analyzer.stages.sink import Sink, SinkConfig
from bench.database import scratch_database, start_run
from bench.table import Row, at_least

WORDS = "composition diagonal chiaroscuro palette ochre impasto contour perspective glaze".split()


def measured_features() -> str:
    """One real `features` value (the Features stage on a painting-like square)."""
    from archive_analyzer.stages.features import Features, FeaturesConfig
    from bench.decode import painting

    square = np.asarray(painting(336, 336))[None]
    batch = {"status": ["ok"], "width": [336], "height": [336], "pixels": square}
    return Features(FeaturesConfig())(batch)["features"][0]


def synthetic_block(start: int, size: int, run_tag: str, features: str) -> dict:
    """Columns as the Analyze and Structure stages hand them to the Sink."""
    rng = np.random.default_rng(start)
    numbers = range(start, start + size)
    text = [" ".join(rng.choice(WORDS, 120)) for _ in numbers]
    return {
        "uri": [f"s3://bench/{run_tag}/{n:07d}.jpg" for n in numbers],
        "object_id": [f"B-{n:07d}" for n in numbers],
        "metadata": [
            json.dumps({"title": f"Study {n}", "artist": "Anon.", "date": "1650"}) for n in numbers
        ],
        "fingerprint": [f"{n}:{run_tag}" for n in numbers],
        "sha256": [hashlib.sha256(f"{run_tag}{n}".encode()).hexdigest() for n in numbers],
        "width": [1200] * size,
        "height": [900] * size,
        "bytes": [350_000] * size,
        "status": ["ok"] * size,
        "reason": [""] * size,
        "message": [""] * size,
        "text": text,
        "prompt_tokens": [620] * size,
        "generated_tokens": [180] * size,
        "inference_seconds": [1.5] * size,
        "model_version": ["bench-model"] * size,
        "prompt_version": ["bench-prompt"] * size,
        "prompt_name": ["formal_analysis"] * size,
        "features": [features] * size,
        "aspects": [json.dumps({"composition": t[:200]}) for t in text],
        "terms": [json.dumps(["chiaroscuro", "diagonal"])] * size,
        "embedding": rng.standard_normal((size, 384)).astype(np.float32),
    }


def sink_rows_per_second(db: Database, rows: int, block: int) -> float:
    sink = Sink(SinkConfig(db.url, start_run(db, "bench-sink")))
    features = measured_features()
    blocks = [synthetic_block(n, block, "sink", features) for n in range(0, rows, block)]
    started = time.perf_counter()
    for batch in blocks:
        out = sink(batch)
        assert out["status"] == ["ok"] * len(batch["uri"]), out
    return rows / (time.perf_counter() - started)


def row_by_row_per_second(db: Database, rows: int, block: int) -> float:
    run_id = start_run(db, "bench-rows")
    blocks = [synthetic_block(n, block, "rows", "{}") for n in range(0, rows, block)]
    with db.connect() as conn:
        conn.execute(query("bench_create_row_table"))
        conn.commit()
        started = time.perf_counter()
        for batch in blocks:
            with conn.transaction(), conn.cursor() as cur:
                for index in range(len(batch["uri"])):
                    row = {key: values[index] for key, values in batch.items()}
                    row.update(metadata=Jsonb(json.loads(row["metadata"])), run_id=run_id)
                    cur.execute(query("bench_insert_row"), row)
        return rows / (time.perf_counter() - started)


def run(quick: bool = False) -> list[Row]:
    rows, block = (256, 64) if quick else (2_000, 500)
    with scratch_database() as (db, _home):
        sink = sink_rows_per_second(db, rows, block)
        baseline = row_by_row_per_second(db, rows, block)
    ratio, target, met = at_least(sink / baseline, 10.0)
    return [
        Row(
            f"PostgreSQL sink, {rows} rows in {block}-row blocks",
            f"{sink:,.0f} rows/s",
            f"row-by-row {baseline:,.0f} rows/s",
            ratio,
            target + " and >= 20,000 rows/s",
            met and sink >= 20_000,
        )
    ]
