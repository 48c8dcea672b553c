"""Catalog search latency on synthetic analyses: p50/p95 per search mode.

`python -m bench.catalog --rows 100000` (default 1,000,000, as the issue asks; that takes long
on 2 cores). Rows are realistic in shape: 150-220-word analyses drawn from the art vocabulary
plus common words, 384-d embeddings clustered around topics (as real ones are), 5-colour
palettes, 2,000 artists, dates over five centuries. Indexes are built after the load, as a bulk
import would. Semantic timings are the database's part: query text embedding (~10 ms) is
separate and measured once.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time

import numpy as np
from pgvector.psycopg import register_vector

from archive_analyzer.catalog.colors import lab_to_srgb, nearest_css_names, to_hex
from archive_analyzer.catalog.search import Filters, prepared
from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query

QUERIES_PER_MODE = 40
TARGET_P95_MS = 50.0
COMMON = (
    "the a of and in with its on is by figure light colour painting scene space which are "
    "from into surface foreground background left right small large soft deep warm cool "
    "strong gentle quiet open dark bright red blue green yellow brown white black sky water "
    "tree trees face hand hands dress cloth table wall window road river hill field sea"
).split()
FAMOUS = (
    "Turner Constable Monet Vermeer Rembrandt Hals Chardin Degas Cassatt Morisot Gainsborough "
    "Reynolds Courbet Millet Corot Manet Renoir Sisley Pissarro Cezanne Seurat Signac Whistler "
    "Sargent Homer Eakins Friedrich Goya Velazquez Murillo Zurbaran Titian Tintoretto Canaletto"
).split()
SYLLABLES = "ba ver lin do mar kel so ten ri fa gor hu ste van an del mo ra zu pel".split()
ARTISTS = 2_000  # a large museum: a few thousand painters, each with hundreds of works at 1M
MEDIA = [
    "Oil paint on canvas",
    "Oil on wood",
    "Tempera on panel",
    "Watercolour on paper",
    "Oil on copper",
    "Oil paint on board",
]
STRUCTURE_INDEXES = {
    "analysis_structure_embedding_idx": (
        "CREATE INDEX analysis_structure_embedding_idx ON analysis_structure "
        "USING hnsw (embedding vector_cosine_ops)"
    ),
    "analysis_structure_doc_idx": (
        "CREATE INDEX analysis_structure_doc_idx ON analysis_structure USING gin (search_doc)"
    ),
    "palette_colors_lab_idx": (
        "CREATE INDEX palette_colors_lab_idx ON palette_colors USING hnsw (lab vector_l2_ops) "
        "WITH (m = 8, ef_construction = 32)"
    ),
}


def synthetic_texts(rng: np.random.Generator, count: int) -> tuple[list[str], list[list[str]]]:
    vocabulary = load_vocabulary()
    terms = [t.term for t in vocabulary.terms]
    words = np.array(COMMON)
    texts, used = [], []
    for _ in range(count):
        chosen = list(rng.choice(terms, size=int(rng.integers(3, 9)), replace=False))
        body = rng.choice(words, size=int(rng.integers(150, 220)))
        sentences = [" ".join(chunk) for chunk in np.array_split(body, 10)]
        for i, term in enumerate(chosen):
            sentences[i] += f" with {term}"
        texts.append(". ".join(s.capitalize() for s in sentences) + ".")
        used.append(chosen)
    return texts, used


def synthetic_embeddings(rng: np.random.Generator, count: int) -> np.ndarray:
    centres = rng.normal(size=(200, 384))
    vectors = centres[rng.integers(0, 200, count)] + rng.normal(scale=0.6, size=(count, 384))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def synthetic_palettes(rng: np.random.Generator, count: int) -> list[tuple]:
    lab = np.stack(
        [
            rng.uniform(5, 95, count * 5),
            rng.uniform(-60, 60, count * 5),
            rng.uniform(-60, 60, count * 5),
        ],
        axis=1,
    )
    rgb = lab_to_srgb(lab)
    names = nearest_css_names(lab)
    shares = rng.dirichlet(np.ones(5), count).ravel()
    return [
        (i // 5, i % 5 + 1, float(shares[i]), to_hex(rgb[i]), names[i], *map(float, lab[i]))
        for i in range(count * 5)
    ]


def load(db: Database, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    with db.connect() as conn:
        register_vector(conn)
        # Index builds after the load: enough memory for a 1M-row HNSW graph, and both cores.
        conn.execute("SET maintenance_work_mem = '3GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")
        for name in STRUCTURE_INDEXES:
            conn.execute(f"DROP INDEX {name}")
        for start in range(0, rows, 50_000):
            _load_chunk(conn, rng, start, min(rows, start + 50_000))
            print(
                f"bench.catalog: loaded {min(rows, start + 50_000):,} rows "
                f"({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        for name, statement in STRUCTURE_INDEXES.items():
            conn.execute(statement)
            print(f"bench.catalog: built {name} ({time.perf_counter() - started:.0f} s)")
        conn.execute("ANALYZE")


def artist_names() -> list[str]:
    """2,000 names: the famous painters above and invented ones (no two alike)."""
    invented = [
        f"{a.title()}{b}{c} {d.title()}{e}"
        for a in SYLLABLES
        for b in SYLLABLES
        for c in ("", "n")
        for d in SYLLABLES[:6]
        for e in ("s", "ck")
    ]
    return FAMOUS + invented[: ARTISTS - len(FAMOUS)]


def _load_chunk(conn, rng: np.random.Generator, start: int, end: int) -> None:
    count = end - start
    artists = artist_names()
    texts, terms = synthetic_texts(rng, count)
    vectors = synthetic_embeddings(rng, count)
    shas = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(start, end)]
    years = rng.integers(1400, 1920, count)
    with conn.cursor() as cur:
        with cur.copy(
            "COPY artworks (object_id, title, artist, date_text, year_start, year_end, "
            "medium) FROM STDIN"
        ) as copy:
            for i in range(count):
                artist = artists[(start + i) * 7919 % ARTISTS]
                title = " ".join(rng.choice(COMMON, 3)).title()
                y = int(years[i])
                copy.write_row(
                    (
                        f"B{start + i}",
                        title,
                        artist,
                        f"c.{y}",
                        y,
                        y + int(rng.integers(0, 4)),
                        MEDIA[(start + i) % len(MEDIA)],
                    )
                )
        cur.execute(
            "INSERT INTO images (uri, sha256, artwork_id) SELECT 'file:///bench/' || "
            "object_id || '.jpg', encode(sha256(substr(object_id, 2)::bytea), 'hex'), id "
            "FROM artworks WHERE id > (SELECT coalesce(max(artwork_id), 0) FROM images)"
        )
        with cur.copy(
            "COPY analyses (image_sha256, model_version, prompt_version, prompt_name, "
            "text) FROM STDIN"
        ) as copy:
            for sha, text in zip(shas, texts, strict=True):
                copy.write_row((sha, "bench", "bench", "formal_analysis", text))
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_structure "
            "(sha text, terms text[], embedding vector(384))"
        )
        cur.execute("TRUNCATE bench_structure")
        with cur.copy("COPY bench_structure FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["text", "text[]", "vector"])
            for sha, used, vector in zip(shas, terms, vectors, strict=True):
                copy.write_row((sha, used, vector))
        cur.execute(
            "INSERT INTO analysis_structure (analysis_id, aspects, terms, vocabulary_version, "
            "search_doc, embedding, embedding_model) "
            "SELECT a.id, '{\"other\": []}'::jsonb, s.terms, 'bench', "
            "setweight(to_tsvector('english', aw.title || ' ' || aw.artist), 'A') || "
            "setweight(to_tsvector('english', array_to_string(s.terms, ' ')), 'B') || "
            "setweight(to_tsvector('english', a.text), 'C') || "
            "setweight(to_tsvector('english', aw.medium), 'D'), s.embedding, 'bench' "
            "FROM bench_structure s JOIN analyses a ON a.image_sha256 = s.sha "
            "JOIN images i ON i.sha256 = s.sha JOIN artworks aw ON aw.id = i.artwork_id"
        )
        cur.execute(
            "INSERT INTO image_features SELECT sha, 50, 10, 0.5, 30, 0, '[]' FROM bench_structure"
        )
        with cur.copy(
            "COPY palette_colors (image_sha256, rank, share, hex, css_name, l, a, b) FROM STDIN"
        ) as copy:
            for index, *rest in synthetic_palettes(rng, count):
                copy.write_row((shas[index], *rest))
    conn.commit()


def _timed(conn, name: str, params: dict, repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        conn.execute(query(name), params).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def workloads(db: Database, rng: np.random.Generator) -> dict[str, list[tuple[str, dict]]]:
    """Per mode, (named query, parameters) pairs: what `archive-analyzer search` would run."""
    with db.connect() as conn:
        sample = conn.execute(
            "SELECT d.object_id, d.embedding::text AS embedding FROM catalog_documents d "
            "ORDER BY random() LIMIT %s",
            (QUERIES_PER_MODE,),
        ).fetchall()
    objects = [r["object_id"] for r in sample]
    vectors = [_near(r["embedding"], rng) for r in sample]
    texts = [
        "chiaroscuro",
        "light shadow",
        "diagonal composition -symmetry",
        "warm palette sky",
        '"cast shadow" face',
        "impasto brushwork texture",
    ]
    colours = ["#1f3a93", "navy", "#c08060", "gold", "#2e8b57"]
    later = Filters(year_from=1700, year_to=1800, medium="canvas")
    turner = Filters(artist="Turner", year_from=1800)
    return {
        "text": [prepared("text", q) for q in texts],
        "fuzzy": [prepared("fuzzy", q) for q in ("Turnr", "Claude Monett", "Vermer")],
        "semantic": [_semantic(v) for v in vectors],
        "similar": [prepared("similar", o) for o in objects],
        "color": [prepared("color", c) for c in colours],
        "text+filters": [prepared("text", q, filters=later) for q in texts],
        "semantic+filters": [_semantic(v, turner) for v in vectors],
        "color+term": [prepared("color", c, filters=Filters(term="chiaroscuro")) for c in colours],
    }


def _near(text: str, rng: np.random.Generator) -> str:
    vector = np.array(text.strip("[]").split(","), dtype=np.float64)
    vector += rng.normal(scale=0.02, size=vector.shape)
    return "[" + ",".join(f"{v:.6g}" for v in vector / np.linalg.norm(vector)) + "]"


def _semantic(vector: str, filters: Filters | None = None) -> tuple[str, dict]:
    name, params = prepared("text", "x", filters=filters)
    return "search_semantic", {**params, "embedding": vector}


def measure(db: Database) -> list[dict]:
    """Latency on one open connection, as a service or a psql session has it."""
    rng = np.random.default_rng(11)
    results = []
    with db.connect() as conn:
        for mode, calls in workloads(db, rng).items():
            for name, params in calls:  # warm the cache once per query, as a live catalog is
                conn.execute(query(name), params).fetchall()
            repeats = max(1, QUERIES_PER_MODE // len(calls))
            timings = [t for call in calls for t in _timed(conn, *call, repeats)]
            p95 = float(np.percentile(timings, 95))
            results.append(
                {
                    "mode": mode,
                    "p50_ms": statistics.median(timings),
                    "p95_ms": p95,
                    "queries": len(timings),
                    "met": p95 < TARGET_P95_MS,
                }
            )
    return results


def embedding_ms() -> float:
    """What semantic search adds before the database: embedding the query text."""
    from archive_analyzer.catalog.embedding import shared_embedder

    embed = shared_embedder()
    embed(["warm up"])
    started = time.perf_counter()
    for text in ("a storm at sea", "fruit on a table", "a portrait in candlelight"):
        embed([text])
    return (time.perf_counter() - started) * 1000 / 3


def run(rows: int) -> list[dict]:
    """Load `rows` synthetic analyses into a scratch database; latency of every search mode."""
    from bench.database import scratch_database

    with scratch_database() as (db, _home):
        load(db, rows)
        return measure(db)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.catalog", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    results = run(args.rows)
    print(f"\nquery text embedding (semantic mode, before the database): {embedding_ms():.1f} ms")
    print(f"\nsearch latency over {args.rows:,} analyses (target p95 < {TARGET_P95_MS:g} ms)")
    print(f"{'mode':<18} {'p50 ms':>8} {'p95 ms':>8}  met")
    for r in results:
        print(
            f"{r['mode']:<18} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}  "
            f"{'yes' if r['met'] else 'NO'}"
        )


if __name__ == "__main__":
    main()
