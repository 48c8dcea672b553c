"""Bulk-load the synthetic catalog into the base tables, as an import of a whole archive would.

What makes 1M rows fit in minutes on two cores: rows generated with numpy a chunk at a time;
COPY into the tables themselves (text format built as one string per chunk, binary for the
embeddings), with ids chosen here so no lookup joins are needed; every non-unique index
dropped for the load and built once afterwards with the memory and workers an index build
wants; triggers off while a chunk is written, and the search index (search_entries, 0015)
refreshed once per chunk by the function its own triggers call.
"""

from __future__ import annotations

import struct
import time

import numpy as np
from pgvector.psycopg import register_vector
from psycopg import sql

from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query
from bench.catalog_data import PALETTE, Chunk, chunk
from bench.database import start_run

COLLECTION = "bench"
CHUNK_ROWS = 50_000
# Index builds after the load: room for a 1M-row HNSW graph in memory, and both cores (the
# leader and one worker).
BUILD_SETTINGS = {"maintenance_work_mem": "3GB", "max_parallel_maintenance_workers": "1"}


def load(db: Database, rows: int, seed: int = 7, log=print) -> dict[str, float]:
    """Load `rows` works; return the seconds spent loading, building indexes and analysing."""
    started = time.perf_counter()
    with db.connect() as conn:
        register_vector(conn)
        run_id = start_run(db, COLLECTION)
        indexes = conn.execute(query("bench_secondary_indexes")).fetchall()
        for index in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index["name"])))
        conn.execute(query("bench_create_structure_staging"))
        conn.commit()
        phases = {"generate_s": 0.0, "structure_s": 0.0, "search_index_s": 0.0}
        for start in range(0, rows, CHUNK_ROWS):
            began = time.perf_counter()
            rows_chunk = chunk(seed, start, min(rows, start + CHUNK_ROWS))
            phases["generate_s"] += time.perf_counter() - began
            _load_chunk(conn, rows_chunk, run_id, phases)
            conn.commit()
            log(
                f"bench.catalog: loaded {min(rows, start + CHUNK_ROWS):,} rows "
                f"({time.perf_counter() - started:.0f} s)"
            )
        conn.execute(query("bench_set_sequences"))
        loaded = time.perf_counter()
        for name, value in BUILD_SETTINGS.items():
            conn.execute("SELECT set_config(%s, %s, false)", (name, value))
        for index in indexes:
            conn.execute(index["definition"])
            conn.commit()
            log(f"bench.catalog: built {index['name']} ({time.perf_counter() - started:.0f} s)")
        built = time.perf_counter()
    with db.connect(autocommit=True) as conn:
        # Visibility map and statistics, as autovacuum would leave them on a live catalog.
        conn.execute("VACUUM ANALYZE")
    done = time.perf_counter()
    return {
        **phases,
        "load_s": loaded - started,
        "index_s": built - loaded,
        "vacuum_s": done - built,
    }


def _copy_text(cur, name: str, lines: list[str]) -> None:
    """One COPY of tab-separated lines (generated text holds no tab, newline or backslash)."""
    with cur.copy(query(name)) as copy:
        copy.write("\n".join(lines) + "\n")


def _load_chunk(conn, rows: Chunk, run_id: int, phases: dict[str, float]) -> None:
    first, last = rows.start + 1, rows.start + rows.count
    span = {"first": first, "last": last}
    shas = [rows.sha(i) for i in range(rows.count)]
    with conn.cursor() as cur:
        _copy_text(cur, "bench_copy_artworks", _artwork_lines(rows, run_id))
        # Every row below points at rows written just before it (foreign keys hold by
        # construction), and the only per-row trigger, the structure row's document, changes
        # only corrected texts (none here): triggers are off for the rest of the chunk, and the
        # search index (0015) is refreshed once for the chunk's images at the end, through the
        # function its statement triggers call.
        cur.execute("SET LOCAL session_replication_role = replica")
        _copy_text(cur, "bench_copy_images", _image_lines(first, shas, run_id))
        cur.execute(query("bench_fill_contents"), span)
        _copy_text(cur, "bench_copy_analyses", _analysis_lines(first, shas, rows, run_id))
        began = time.perf_counter()
        with cur.copy(query("bench_copy_structure")) as copy:
            copy.write(_structure_binary(range(first, last + 1), rows))
        cur.execute(query("bench_merge_structure"))
        phases["structure_s"] += time.perf_counter() - began
        cur.execute(query("bench_fill_features"), span)
        _copy_text(cur, "bench_copy_palette", _palette_lines(shas, rows))
        began = time.perf_counter()
        cur.execute(query("bench_refresh_search"), span)
        phases["search_index_s"] += time.perf_counter() - began


def _artwork_lines(rows: Chunk, run_id: int) -> list[str]:
    fields = zip(
        rows.titles, rows.artists, rows.years.tolist(), rows.spans.tolist(), rows.media, strict=True
    )
    return [
        f"{rows.start + i + 1}\t{COLLECTION}\tB{rows.start + i}\t{title}\t{artist}\tc.{y}\t{y}"
        f"\t{y + span}\t{medium}\t{{title,artist,date_text,medium}}\t{run_id}"
        for i, (title, artist, y, span, medium) in enumerate(fields)
    ]


def _image_lines(first: int, shas: list[str], run_id: int) -> list[str]:
    return [
        f"{n}\tfile:///bench/B{n - 1}.jpg\t{sha}\t1200\t900\t250000\t{n}\t{run_id}\t\\N"
        for n, sha in enumerate(shas, first)
    ]


def _analysis_lines(first: int, shas: list[str], rows: Chunk, run_id: int) -> list[str]:
    return [
        f"{n}\t{sha}\tbench\tbench\tformal_analysis\t{text}\t600\t{len(text) // 5}\t{run_id}"
        for n, (sha, text) in enumerate(zip(shas, rows.texts, strict=True), first)
    ]


def _palette_lines(shas: list[str], rows: Chunk) -> list[str]:
    fields = zip(rows.shares.tolist(), rows.hexes, rows.css_names, rows.lab.tolist(), strict=True)
    return [
        f"{shas[i // PALETTE]}\t{i % PALETTE + 1}\t{share:.5f}\t{hx}\t{css}"
        f"\t{lab[0]:.3f}\t{lab[1]:.3f}\t{lab[2]:.3f}"
        for i, (share, hx, css, lab) in enumerate(fields)
    ]


def _structure_binary(ids: range, rows: Chunk) -> bytes:
    """COPY BINARY of (analysis_id, terms text[], embedding vector): the 384 floats go as
    bytes, not as text to be parsed (the bulk of a row)."""
    out = [b"PGCOPY\n\xff\r\n\x00", struct.pack("!ii", 0, 0)]
    vectors = rows.embeddings.astype(">f4")
    dims = struct.pack("!ihh", 4 + 4 * vectors.shape[1], vectors.shape[1], 0)
    for n, terms, vector in zip(ids, rows.terms, vectors, strict=True):
        out.append(struct.pack("!hiq", 3, 8, n))
        out.append(_text_array(terms))
        out.append(dims)
        out.append(vector.tobytes())
    out.append(struct.pack("!h", -1))
    return b"".join(out)


TEXT_OID = 25


def _text_array(items: list[str]) -> bytes:
    """One text[] field in PostgreSQL's binary array format (one dimension, no NULLs)."""
    encoded = [item.encode() for item in items]
    body = struct.pack("!iiiii", 1, 0, TEXT_OID, len(encoded), 1) + b"".join(
        struct.pack("!i", len(e)) + e for e in encoded
    )
    return struct.pack("!i", len(body)) + body


def reference_vectors(seed: int, count: int) -> np.ndarray:
    """Query embeddings drawn like the works' (near a topic), not copies of stored ones."""
    from bench.catalog_data import embeddings_near_topics, topic_centres

    rng = np.random.default_rng([seed, 2])
    return embeddings_near_topics(rng, topic_centres(seed), count)
