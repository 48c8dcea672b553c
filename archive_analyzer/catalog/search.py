"""Catalog search from Python: one function per mode, all combinable with the same filters.

Every mode is an SQL function (0015_search_index.sql), so psql users get the same results; this
module only validates input, embeds text queries and resolves colour names. Every mode pages
with an offset in a stable order (score, then object id, collection, uri).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from archive_analyzer.catalog.colors import parse_color
from archive_analyzer.catalog.store import vector_literal
from archive_analyzer.catalog.vocabulary import ASPECTS, load_vocabulary
from archive_analyzer.db.database import Database
from archive_analyzer.errors import ArchiveAnalyzerError

MODES: tuple[str, ...] = ("text", "fuzzy", "semantic", "similar", "color")
MAX_LIMIT = 1000
# Deeper pages than this are a scan of the whole catalogue; narrow the search instead.
MAX_OFFSET = 100_000
FACETS: tuple[str, ...] = ("artist", "decade", "medium", "aspect", "term")


class SearchError(ArchiveAnalyzerError):
    """A search that cannot run as asked (unknown aspect, unknown artwork, bad range...)."""


@dataclass(frozen=True)
class Filters:
    artist: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    medium: str | None = None
    aspect: str | None = None
    term: str | None = None

    def validated(self) -> Filters:
        if self.aspect is not None and self.aspect not in ASPECTS:
            raise SearchError(f"unknown aspect {self.aspect!r}; choose from {', '.join(ASPECTS)}")
        if self.term is not None and load_vocabulary().term(self.term) is None:
            raise SearchError(f"{self.term!r} is not a term of the vocabulary")
        if None not in (self.year_from, self.year_to) and self.year_from > self.year_to:
            raise SearchError(f"year range {self.year_from}-{self.year_to} is empty")
        return self


def _params(query: str, limit: int, filters: Filters, offset: int = 0) -> dict:
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be 1..{MAX_LIMIT}, got {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise SearchError(f"offset must be 0..{MAX_OFFSET}, got {offset}")
    if not query.strip():
        raise SearchError("empty query")
    return {"query": query, "limit": limit, "offset": offset, **asdict(filters.validated())}


def _analysed(db: Database, object_id: str) -> bool:
    return db.fetch_one("catalog_object_exists", {"object_id": object_id})["found"]


def prepared(
    mode: str, query: str, limit: int = 10, filters: Filters | None = None, offset: int = 0
) -> tuple[str, dict]:
    """(named query, parameters) for a search: validated, text embedded, colour resolved."""
    if mode not in MODES:
        raise SearchError(f"unknown search mode {mode!r}; choose from {', '.join(MODES)}")
    params = _params(query, limit, filters or Filters(), offset)
    if any(isinstance(v, str) and "\x00" in v for v in (query, *params.values())):
        # PostgreSQL text cannot hold NUL; say so instead of the driver's DataError.
        raise SearchError("a search cannot contain a NUL character (\\x00)")
    if mode == "semantic":
        from archive_analyzer.catalog.embedding import shared_embedder

        params["embedding"] = vector_literal(shared_embedder()([query])[0])
    if mode == "color":
        params["query"] = parse_color(query)
    return f"search_{'fulltext' if mode == 'text' else mode}", params


def remember_words(db: Database, words: str) -> str:
    """Embed words and store them for catalog_search_semantic_text; return the stored key."""
    from archive_analyzer.catalog.embedding import MODEL_NAME, shared_embedder

    if not words.strip():
        raise SearchError("empty query")
    embedding = vector_literal(shared_embedder()([words])[0])
    params = {"query": words, "embedding": embedding, "model": MODEL_NAME}
    return db.fetch_one("remember_query_embedding", params)["query"]


def search(
    db: Database,
    mode: str,
    query: str,
    limit: int = 10,
    filters: Filters | None = None,
    offset: int = 0,
) -> list[dict]:
    """Rows of collection, object_id, title, artist, date_text, medium, uri, score (higher is
    better in every mode), distance (the raw distance; None for text and fuzzy) and detail;
    best first, from the offset-th on."""
    name, params = prepared(mode, query, limit, filters, offset)
    if mode == "similar" and not _analysed(db, query):
        raise SearchError(f"no analysed artwork with object_id {query!r}")
    return db.fetch_all(name, params)


def facet_counts(
    db: Database, query: str | None, filters: Filters | None = None, top: int = 10
) -> dict[str, list[dict]]:
    """Per facet (artist, decade, medium, aspect, term), the top values with their exact counts
    among every full-text match of the query (None: every work) under the filters."""
    if not 1 <= top <= MAX_LIMIT:
        raise SearchError(f"top must be 1..{MAX_LIMIT}, got {top}")
    if query is not None and not query.strip():
        raise SearchError("empty query")
    if query is not None and "\x00" in query:
        raise SearchError("a search cannot contain a NUL character (\\x00)")
    params = {"query": query, "top": top, **asdict((filters or Filters()).validated())}
    grouped: dict[str, list[dict]] = {facet: [] for facet in FACETS}
    for row in db.fetch_all("search_facets", params):
        grouped[row["facet"]].append({"value": row["value"], "count": row["count"]})
    return grouped
