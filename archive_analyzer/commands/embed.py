"""`archive-analyzer embed WORDS`: store the words' embedding so SQL can search by them.

SQL cannot run the embedding model; catalog_search_semantic_text finds the stored vector by
its words, so a psql user can run semantic search with words once they are embedded.
"""

from __future__ import annotations

import argparse

from archive_analyzer.catalog.search import remember_words
from archive_analyzer.db.database import Database
from archive_analyzer.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "embed", help="embed words for semantic search from SQL (catalog_search_semantic_text)"
    )
    parser.add_argument("words", help="what to search for, e.g. 'a storm at sea'")
    parser.set_defaults(func=run)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run(args: argparse.Namespace) -> int:
    db = Database.from_settings(load_settings(args.config))
    key = remember_words(db, args.words)
    print(f"stored the embedding of {key!r}; in SQL:")
    print(f"SELECT * FROM catalog_search_semantic_text({sql_literal(args.words)});")
    return 0
