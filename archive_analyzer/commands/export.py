"""`archive-analyzer export --format linked-art|iiif-annotations|csv --out DIR_OR_URI`."""

from __future__ import annotations

import argparse

from archive_analyzer.db.open import open_database
from archive_analyzer.export.records import Filters
from archive_analyzer.export.write import FORMATS, export
from archive_analyzer.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="write analyses as Linked Art, IIIF annotations or catalogue CSV"
    )
    parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
    parser.add_argument("--out", required=True, help="folder or object-store URI to write under")
    parser.add_argument(
        "--base-url",
        help="where the files will be published; JSON ids start with it (default: --out)",
    )
    parser.add_argument("--bom", action="store_true", help="csv: start with a UTF-8 BOM (Excel)")
    parser.add_argument(
        "--validate",
        action="store_true",
        help="linked-art: expand every document with the Linked Art context (pyld) first",
    )
    parser.add_argument("--artist")
    parser.add_argument("--year-from", type=int)
    parser.add_argument("--year-to", type=int)
    parser.add_argument("--medium")
    parser.add_argument("--aspect")
    parser.add_argument("--term")
    parser.add_argument("--limit", type=int, help="at most this many artworks")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db = open_database(load_settings(args.config))
    filters = Filters(
        args.artist, args.year_from, args.year_to, args.medium, args.aspect, args.term, args.limit
    )
    check = None
    if args.validate:
        from archive_analyzer.export.jsonld import expand

        check = expand
    result = export(db, args.fmt, args.out, filters, args.base_url, args.bom, check)
    skipped = f", {result.skipped} without a IIIF canvas skipped" if result.skipped else ""
    print(f"export {args.fmt}: {result.written} files/rows under {result.location}{skipped}")
    return 0
