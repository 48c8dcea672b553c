"""Vector search at scale: halfvec or vector (issue #17, item 2: "if recall holds"), and what
ef_search and the graph's options (#16: recall@10 >= 0.95) buy.

`python -m bench.halfvec --rows N` loads N topic-clustered 384-d vectors (the catalog bench's
generator) into a scratch embedded PostgreSQL, then, interleaved and repeated, builds the HNSW
index of the same column as `vector` (what the schema stores) and as `halfvec` (the expression
index a halfvec column would get), with the bulk rebuild's settings. For each it measures the
build time, the index size, and at each ef_search asked (the search functions use 400 since 0020,
with iterative scans) the p50 and p95 query time and recall@10 against exact nearest neighbours
(float32 cosine over every row, in numpy), for fresh query vectors (semantic search) and, under
"stored", for stored vectors with their own row excluded (similar works). `--graph` passes HNSW
options (m, ef_construction) to both builds; the schema's index uses m 16, ef_construction 128.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

import numpy as np
from pgvector.psycopg import register_vector

from bench.catalog_data import embeddings_near_topics, topic_centres
from bench.database import scratch_database
from bench.table import print_json

EF_SEARCH = (200,)
QUERIES = 100
CHUNK = 50_000
OPCLASS = {
    "vector": "embedding extensions.vector_cosine_ops",
    "halfvec": "(embedding::extensions.halfvec(384)) extensions.halfvec_cosine_ops",
}
ORDER = {
    "vector": "embedding <=> %(q)s::extensions.vector",
    "halfvec": "embedding::extensions.halfvec(384) <=> %(q)s::extensions.halfvec(384)",
}


def _load(conn, rows: int, seed: int) -> np.ndarray:
    conn.execute("CREATE TABLE vectors (id bigint PRIMARY KEY, embedding extensions.vector(384))")
    register_vector(conn)
    rng = np.random.default_rng([seed, 1])
    centres = topic_centres(seed)
    chunks = []
    with conn.cursor().copy("COPY vectors (id, embedding) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int8", "vector"])
        for start in range(0, rows, CHUNK):  # binary rows, a chunk at a time: 1M in minutes
            chunk = embeddings_near_topics(rng, centres, min(CHUNK, rows - start))
            for offset, vector in enumerate(chunk):
                copy.write_row((start + offset, vector))
            chunks.append(chunk)
    conn.execute("ANALYZE vectors")
    return np.concatenate(chunks)


def _exact(vectors: np.ndarray, queries: np.ndarray, skip=None) -> list[set[int]]:
    cosine = queries @ vectors.T  # unit vectors: cosine similarity
    if skip is not None:  # a stored work as the query: itself is not its own neighbour
        cosine[np.arange(len(skip)), skip] = -np.inf
    return [set(np.argsort(-row)[:10].tolist()) for row in cosine]


def _build(conn, kind: str, graph: str) -> tuple[float, int]:
    conn.execute("DROP INDEX IF EXISTS vectors_hnsw")
    started = time.perf_counter()
    options = f" WITH ({graph})" if graph else ""
    conn.execute(f"CREATE INDEX vectors_hnsw ON vectors USING hnsw ({OPCLASS[kind]}){options}")
    seconds = time.perf_counter() - started
    size = conn.execute("SELECT pg_relation_size('vectors_hnsw') AS b").fetchone()["b"]
    return seconds, size


def _search(conn, kind: str, ef: int, queries: np.ndarray, exact: list[set[int]], skip=None):
    conn.execute(f"SET hnsw.ef_search = {int(ef)}")
    conn.execute("SET hnsw.iterative_scan = relaxed_order")
    sql = f"SELECT id FROM vectors WHERE id <> %(skip)s ORDER BY {ORDER[kind]} LIMIT 10"
    skips = [-1] * len(queries) if skip is None else skip.tolist()
    times, found = [], []
    for query, truth, own in zip(queries, exact, skips, strict=True):
        started = time.perf_counter()
        ids = {row["id"] for row in conn.execute(sql, {"q": query, "skip": own}).fetchall()}
        times.append(1000 * (time.perf_counter() - started))
        found.append(len(ids & truth) / 10)
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": statistics.quantiles(times, n=20)[-1],
        "recall_at_10": statistics.mean(found),
    }


def measure(
    rows: int,
    repeats: int = 3,
    efs: tuple[int, ...] = EF_SEARCH,
    kinds: tuple[str, ...] = tuple(OPCLASS),
    graph: str = "",
    seed: int = 7,
) -> dict:
    samples: dict[str, dict[str, list]] = {k: {"build_s": [], "bytes": []} for k in kinds}
    with scratch_database() as (db, _home), db.connect() as conn:
        conn.autocommit = True
        conn.execute("SET search_path = public, extensions")
        # Room for the whole graph (~2.2 kB a row), so neither build spills to disk.
        memory_mb = max(64, rows * 4 // 1024)
        conn.execute(f"SET maintenance_work_mem = '{memory_mb}MB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        vectors = _load(conn, rows, seed)
        rng = np.random.default_rng([seed, 2])
        queries = embeddings_near_topics(rng, topic_centres(seed), QUERIES)
        exact = _exact(vectors, queries)
        # "similar" mode: a stored work's vector is the query, the work itself excluded.
        stored = rng.choice(rows, QUERIES, replace=False)
        exact_stored = _exact(vectors, vectors[stored], stored)
        for _ in range(repeats):
            for kind in kinds:  # interleaved: both see the same moments of the machine
                seconds, size = _build(conn, kind, graph)
                samples[kind]["build_s"].append(seconds)
                samples[kind]["bytes"].append(size)
                if "search" not in samples[kind]:
                    samples[kind]["search"] = {
                        ef: {
                            **_search(conn, kind, ef, queries, exact),
                            "stored": _search(
                                conn, kind, ef, vectors[stored], exact_stored, stored
                            ),
                        }
                        for ef in efs
                    }
    found = _summary(samples)
    return {"rows": rows, "repeats": repeats, "queries": QUERIES, "graph": graph, **found}


def _summary(samples: dict) -> dict:
    out = {}
    for kind, found in samples.items():
        builds = found["build_s"]
        out[kind] = {
            "build_s": {
                "min": min(builds),
                "median": statistics.median(builds),
                "max": max(builds),
            },
            "index_mb": found["bytes"][0] / 2**20,
            "by_ef_search": found["search"],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.halfvec")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ef", default="200", help="ef_search values, comma-separated")
    parser.add_argument("--kinds", default="vector,halfvec", help="of: vector, halfvec")
    parser.add_argument(
        "--graph", default="", help='HNSW options, e.g. "m = 24, ef_construction = 128"'
    )
    parser.add_argument("--json")
    args = parser.parse_args()
    efs = tuple(int(value) for value in args.ef.split(","))
    kinds = tuple(args.kinds.split(","))
    if not re.fullmatch(r"[a-z_]+ *= *\d+( *, *[a-z_]+ *= *\d+)*|", args.graph):
        parser.error(f"--graph {args.graph!r}: expected name = number, comma-separated")
    figures = measure(args.rows, args.repeats, efs, kinds, args.graph)
    print_json(figures, args.json)


if __name__ == "__main__":
    main()
