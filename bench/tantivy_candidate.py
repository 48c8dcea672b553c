"""An external index as the candidate for #16's slow modes, measured on the same rows.

At a million analyses the catalog's PostgreSQL functions rank every match exactly, and a word
in nearly every analysis costs seconds (bench/RESULTS.md). An inverted index that scores with
block-max WAND finds the exact top k of its own ranking (BM25) without scoring every match.
`python -m bench.tantivy_candidate --rows N` indexes the catalog bench's synthetic rows (same
generator and seed: the same titles, artists, texts, terms, years and media) in tantivy, the
Rust engine on the package index, then measures the modes that miss in PostgreSQL: text,
text+filters (1700-1800, medium 'canvas'), facets (artist, decade, medium, term) and page2,
p50 / p95 on one thread and p95 with 4 threads at once, and for each text query whether the
top 10 equals the top 10 of ranking every match (same engine, limit = every match).

A measurement only: nothing in archive_analyzer uses tantivy. It needs `pip install tantivy`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import tantivy

from bench.catalog_data import chunk
from bench.catalog_modes import TEXTS
from bench.table import print_json

REPEATS = 40
CHUNK = 10_000
# The weights the catalog's document gives its parts (A title and artist, B terms, C text).
BOOSTS = {"title": 1.0, "artist": 1.0, "terms_text": 0.4, "text": 0.2, "medium": 0.1}
FACETS = {"artist": "artist_key", "decade": "decade", "medium": "medium_key", "term": "terms"}


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("row", stored=True, indexed=True, fast=True)
    for name in ("title", "artist", "text", "terms_text", "medium"):
        builder.add_text_field(name, tokenizer_name="en_stem")
    for name in ("artist_key", "medium_key", "terms"):
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
    for name in ("year_start", "year_end", "decade"):
        builder.add_integer_field(name, indexed=True, fast=True)
    return builder.build()


def build(path: str, rows: int, seed: int) -> tantivy.Index:
    index = tantivy.Index(_schema(), path=path)
    writer = index.writer(heap_size=512_000_000, num_threads=2)
    for start in range(0, rows, CHUNK):
        part = chunk(seed, start, min(rows, start + CHUNK))
        for i in range(part.count):
            year = int(part.years[i])
            writer.add_document(
                tantivy.Document(
                    row=start + i,
                    title=part.titles[i],
                    artist=part.artists[i],
                    text=part.texts[i],
                    terms_text=" ".join(part.terms[i]),
                    medium=part.media[i],
                    artist_key=part.artists[i],
                    medium_key=part.media[i],
                    terms=part.terms[i],
                    year_start=year,
                    year_end=year + int(part.spans[i]),
                    decade=year // 10 * 10,
                )
            )
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


def _words(index: tantivy.Index, text: str) -> tantivy.Query:
    return index.parse_query(text, list(BOOSTS), BOOSTS, conjunction_by_default=True)


def _years(schema: tantivy.Schema, field: str, low: int, high: int) -> tantivy.Query:
    return tantivy.Query.range_query(schema, field, tantivy.FieldType.Integer, low, high)


def _filtered(index: tantivy.Index, text: str) -> tantivy.Query:
    schema = index.schema
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, _words(index, text)),
            (tantivy.Occur.Must, _years(schema, "year_end", 1700, 9999)),
            (tantivy.Occur.Must, _years(schema, "year_start", -9999, 1800)),
            (tantivy.Occur.Must, index.parse_query("canvas", ["medium"])),
        ]
    )


def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict:
    spec = {name: {"terms": {"field": field, "size": 10}} for name, field in FACETS.items()}
    return searcher.aggregate(query, spec)


def _calls(index: tantivy.Index) -> dict[str, list]:
    searcher = index.searcher()
    words = [_words(index, t) for t in TEXTS]
    return {
        "text": [partial(searcher.search, q, 10) for q in words],
        "text+filters": [partial(searcher.search, _filtered(index, "light"), 10)],
        "facets": [partial(_facets, searcher, q) for q in words],
        "page2": [partial(searcher.search, q, 10, offset=10) for q in words],
    }


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return 1000 * (time.perf_counter() - started)


def _exact_top10(index: tantivy.Index) -> float:
    """Fraction of text queries whose top 10 equals the top 10 of every match ranked."""
    searcher, same = index.searcher(), []
    for text in TEXTS:
        query = _words(index, text)
        found = searcher.search(query, 10)
        every = searcher.search(query, max(found.count, 10))
        same.append([a for _, a in found.hits] == [a for _, a in every.hits[:10]])
    return sum(same) / len(same)


def matches(index: tantivy.Index) -> dict[str, int]:
    """How many works each text query matches (the work the ranking is spared)."""
    searcher = index.searcher()
    found = {t: searcher.search(_words(index, t), 1).count for t in TEXTS}
    found["light, 1700-1800, canvas"] = searcher.search(_filtered(index, "light"), 1).count
    return found


def measure(index: tantivy.Index) -> dict:
    modes = {}
    for mode, calls in _calls(index).items():
        for call in calls:
            call()  # warm
        one = [_timed(c) for _ in range(REPEATS // len(calls) + 1) for c in calls][:REPEATS]
        with ThreadPoolExecutor(4) as pool:
            four = list(pool.map(_timed, [calls[i % len(calls)] for i in range(4 * REPEATS)]))
        modes[mode] = {
            "p50_ms": statistics.median(one),
            "p95_ms": statistics.quantiles(one, n=20)[-1],
            "p95_ms_4_clients": statistics.quantiles(four, n=20)[-1],
        }
    return modes


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tantivy_candidate")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tantivy-") as path:
        started = time.perf_counter()
        index = build(path, args.rows, args.seed)
        figures = {"rows": args.rows, "build_s": time.perf_counter() - started}
        figures["segments"] = index.searcher().num_segments
        figures["matches"] = matches(index)
        figures["modes"] = measure(index)
        figures["text_top10_equals_every_match_ranked"] = _exact_top10(index)
    print_json(figures, args.json)


if __name__ == "__main__":
    main()
