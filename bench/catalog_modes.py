"""What the catalog benchmark asks in each mode, and how close each answer is to the exact one.

A `Call` is one search as a cataloger would run it (a named query of sql/queries/bench.sql
calling the SQL function) with the plain query that computes its exact answer. Queries are
broad on purpose: words in nearly every analysis ('light'), a broad word with the issue's broad
filters (1700-1800, medium 'canvas'), vectors drawn like the works' rather than copies of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from archive_analyzer.catalog.colors import parse_color
from archive_analyzer.db.queries import query
from bench.catalog_data import embeddings_near_topics, topic_centres

MODES = (
    "text",
    "fuzzy",
    "semantic",
    "similar",
    "color",
    "text+filters",
    "semantic+filters",
    "color+term",
    "facets",
    "page2",
)
# Issue #16's targets for top10_overlap: exact for full text, recall >= 0.95 for vectors.
OVERLAP_TARGETS = {
    **dict.fromkeys(("text", "text+filters", "page2", "facets"), 1.0),
    **dict.fromkeys(("semantic", "similar", "semantic+filters"), 0.95),
}
NO_FILTERS = dict.fromkeys(("artist", "year_from", "year_to", "medium", "aspect", "term"))
BROAD = {**NO_FILTERS, "year_from": 1700, "year_to": 1800, "medium": "canvas"}
TEXTS = (
    "light",  # in nearly every analysis
    "painting light sky",
    "chiaroscuro",
    "warm palette sky",
    '"cast shadow" face',
    "impasto brushwork texture",
    "diagonal composition -symmetry",
    "Turner",  # a painter's name: weight A
)
COLOURS = ("#1f3a93", "navy", "#c08060", "gold", "#2e8b57", "#f0e0c0", "black", "#808080")
FUZZY = ("Turnr", "Claude Monett", "Vermer", "Rembrant", "Gainsboro", "Light Gentle")
VECTORS = 20


@dataclass(frozen=True)
class Call:
    search: str  # named query of the SQL function
    params: dict
    exact: str  # named query of the exact answer
    exact_params: dict = field(default_factory=dict)

    def describe(self) -> str:
        """The call in a few words, for reports: its query (or 'a vector') and filters."""
        what = self.params.get("query", "a vector")
        filters = {k: v for k, v in self.params.items() if k in NO_FILTERS and v is not None}
        offset = self.params.get("offset") or 0
        return (
            f"{what!r}"
            + (f" {filters}" if filters else "")
            + (f" offset {offset}" if offset else "")
        )

    def run(self, conn) -> list[dict]:
        return conn.execute(query(self.search), self.params).fetchall()

    def reference(self, conn) -> list[dict]:
        return conn.execute(query(self.exact), {**self.params, **self.exact_params}).fetchall()


def overlap(returned: list[dict], exact: list[dict], keys: tuple[str, ...]) -> float:
    """Fraction of the exact rows (compared on `keys`) that the search returned; 1.0 when
    both are empty."""
    want = [tuple(row[k] for k in keys) for row in exact]
    if not want:
        return 1.0 if not returned else 0.0
    got = {tuple(row[k] for k in keys) for row in returned}
    return sum(key in got for key in want) / len(want)


RESULT_KEYS = ("collection", "object_id", "uri")
FACET_KEYS = ("facet", "value", "count")


def call_overlap(conn, mode: str, call: Call, returned: list[dict]) -> float:
    keys = FACET_KEYS if mode == "facets" else RESULT_KEYS
    return overlap(returned, call.reference(conn), keys)


def _text(q: str, filters: dict, offset: int = 0) -> Call:
    params = {"query": q, **filters, "offset": offset}
    return Call("bench_search_text", params, "bench_exact_text")


def _semantic(vector: np.ndarray, filters: dict) -> Call:
    params = {"embedding": vector, **filters}
    return Call("bench_search_semantic", params, "bench_exact_semantic", {"exclude": None})


def _similar(conn, object_id: str) -> Call:
    source = conn.execute(query("bench_similar_source"), {"query": object_id}).fetchone()
    exact = {"embedding": source["embedding"], "exclude": source["artwork_id"]}
    return Call(
        "bench_search_similar", {"query": object_id, **NO_FILTERS}, "bench_exact_semantic", exact
    )


def workloads(conn, rows: int, seed: int) -> dict[str, list[Call]]:
    """Per mode, the calls to time and to check against their exact answers."""
    rng = np.random.default_rng([seed, 3])
    vectors = embeddings_near_topics(rng, topic_centres(seed), VECTORS)
    ids = sorted(set(rng.integers(1, rows + 1, VECTORS).tolist()))
    objects = [
        r["object_id"] for r in conn.execute(query("bench_sample_objects"), {"ids": ids}).fetchall()
    ]
    turner = {**NO_FILTERS, "artist": "Turner", "year_from": 1800}
    chiaroscuro = {**NO_FILTERS, "term": "chiaroscuro"}
    return {
        "text": [_text(q, NO_FILTERS) for q in TEXTS],
        "fuzzy": [
            Call("bench_search_fuzzy", {"query": q, **NO_FILTERS}, "bench_exact_fuzzy")
            for q in FUZZY
        ],
        "semantic": [_semantic(v, NO_FILTERS) for v in vectors],
        "similar": [_similar(conn, o) for o in objects],
        "color": [
            Call("bench_search_color", {"query": parse_color(c), **NO_FILTERS}, "bench_exact_color")
            for c in COLOURS
        ],
        "text+filters": [_text(q, BROAD) for q in TEXTS],
        # Half a narrow filter (one painter), half the broad ones: HNSW must dig for those.
        "semantic+filters": [
            _semantic(v, turner if i % 2 else BROAD) for i, v in enumerate(vectors)
        ],
        "color+term": [
            Call(
                "bench_search_color", {"query": parse_color(c), **chiaroscuro}, "bench_exact_color"
            )
            for c in COLOURS
        ],
        "facets": [
            Call("bench_search_facets", {"query": q, **f}, "bench_exact_facets")
            for q in TEXTS[:4]
            for f in (NO_FILTERS, BROAD)
        ],
        "page2": [_text(q, NO_FILTERS, offset=10) for q in TEXTS],
    }
