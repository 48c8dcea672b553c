"""What the pages show: a search with its facets, and one artwork with its analysis and history.

Searches are the same functions as `archive-analyzer search` (catalog/search.py); this module
turns a page's query string into one, and shapes rows for the templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive_analyzer.catalog.aspects import OTHER, assign_aspects, split_sentences
from archive_analyzer.catalog.reviews import review_history
from archive_analyzer.catalog.search import MAX_LIMIT, MODES, Filters, SearchError, search
from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.db.database import Database

AAT_PAGE = "http://vocab.getty.edu/page/aat/{}"
YEARS = (-10_000, 10_000)
# Text and fuzzy searches match a bounded set of works: facets count up to this many of them.
# Semantic, similar and colour searches rank the whole catalogue, so facets count what is shown.
FACET_WINDOW = MAX_LIMIT
MATCHING_MODES = ("text", "fuzzy")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
FILTER_FIELDS = ("artist", "year_from", "year_to", "medium", "aspect", "term")


@dataclass(frozen=True)
class SearchRequest:
    mode: str = "text"
    query: str = ""
    filters: Filters = field(default_factory=Filters)

    @property
    def empty(self) -> bool:
        return not self.query.strip()


def _year(text: str | None, what: str) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        value = int(text)
    except ValueError:
        raise SearchError(f"{what} must be a whole number, got {text!r}") from None
    if not YEARS[0] <= value <= YEARS[1]:
        raise SearchError(f"{what} must be {YEARS[0]}..{YEARS[1]}, got {value}")
    return value


def _text(args, name: str) -> str | None:
    value = (args.get(name) or "").strip()
    return value or None


def parse_request(args) -> SearchRequest:
    """A page's query string -> a search; SearchError names the field that is wrong."""
    mode = args.get("mode") or "text"
    if mode not in MODES:
        raise SearchError(f"unknown search mode {mode!r}; choose from {', '.join(MODES)}")
    filters = Filters(
        artist=_text(args, "artist"),
        year_from=_year(args.get("year_from"), "'made in or after'"),
        year_to=_year(args.get("year_to"), "'made in or before'"),
        medium=_text(args, "medium"),
        aspect=_text(args, "aspect"),
        term=_text(args, "term"),
    )
    return SearchRequest(mode, (args.get("q") or "").strip(), filters.validated())


@dataclass(frozen=True)
class SearchPage:
    results: list[dict]
    facets: dict[str, list[dict]]
    counted: int  # how many works the facets count


def run_search(db: Database, request: SearchRequest, page_size: int) -> SearchPage:
    window = FACET_WINDOW if request.mode in MATCHING_MODES else page_size
    hits = search(db, request.mode, request.query, window, request.filters)
    ids = list(dict.fromkeys(row["object_id"] for row in hits if row["object_id"]))
    return SearchPage(hits[:page_size], facets(db, ids), len(ids))


def facets(db: Database, object_ids: list[str]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {"artist": [], "decade": [], "medium": []}
    if not object_ids:
        return grouped
    for row in db.fetch_all("web_facets", {"object_ids": object_ids}):
        grouped[row["facet"]].append(row)
    return grouped


def annotated_sentences(text: str, stored: dict | None) -> list[tuple[str, list[str]]]:
    """(sentence, aspects) in reading order. Aspects come from the stored structure; a sentence
    it does not hold (the text was corrected after structuring) is assigned afresh."""
    by_sentence: dict[str, list[str]] = {}
    for aspect, sentences in (stored or {}).items():
        for sentence in sentences:
            by_sentence.setdefault(sentence, []).append(aspect)
    vocabulary = load_vocabulary()
    annotated = []
    for sentence in split_sentences(text or ""):
        aspects = by_sentence.get(sentence) or list(assign_aspects(sentence, vocabulary))
        annotated.append((sentence, [a for a in aspects if a != OTHER]))
    return annotated


def linked_terms(terms: list[str] | None) -> list[dict]:
    vocabulary = load_vocabulary()
    linked = []
    for name in terms or []:
        term = vocabulary.term(name)
        aat = term.aat if term else None
        linked.append(
            {
                "term": name,
                "aspect": term.aspect if term else None,
                "aat_url": AAT_PAGE.format(aat) if aat else None,
            }
        )
    return linked


def swatches(palette: list[dict] | None) -> list[dict]:
    """Palette colours safe to paint: a colour that is not #rrggbb is left out, not drawn."""
    return [
        {**colour, "hex": colour["hex"].lower()}
        for colour in palette or []
        if isinstance(colour.get("hex"), str) and _HEX.fullmatch(colour["hex"])
    ]


def object_page(db: Database, object_id: str) -> dict | None:
    """An artwork as its page shows it; a rejected analysis' work too (hidden from search)."""
    params = {"object_id": object_id}
    work = db.fetch_one("web_object", params) or db.fetch_one("web_rejected_object", params)
    if work is None:
        return None
    history = review_history(db, object_id)
    return {
        **work,
        "sentences": annotated_sentences(work["analysis"], work["aspects"]),
        # A correction's own terms: the stored ones were found in the model's text.
        "linked_terms": linked_terms(
            load_vocabulary().find_terms(work["analysis"] or "")
            if work["is_corrected"]
            else work["terms"]
        ),
        "swatches": swatches(work["palette"]),
        "analyses": sorted(history.analyses, key=lambda a: a.created_at, reverse=True),
        "reviews": sorted(history.reviews, key=lambda r: r.created_at, reverse=True),
    }
