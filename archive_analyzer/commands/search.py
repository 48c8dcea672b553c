"""`archive-analyzer search`: full text, fuzzy artist/title, semantic, similar, colour; filters."""

from __future__ import annotations

import argparse
import os
import re
import sys

from archive_analyzer.catalog.search import MAX_LIMIT, MAX_OFFSET, Filters, facet_counts, search
from archive_analyzer.catalog.vocabulary import ASPECTS
from archive_analyzer.commands import needs_schema, reading_database
from archive_analyzer.db.database import Database
from archive_analyzer.output import table, to_json
from archive_analyzer.settings import load_settings

COLUMNS = ["object_id", "title", "artist", "date_text", "medium", "score", "detail", "uri"]
FACET_COLUMNS = ["facet", "value", "count"]
OTHER_MODES = ("fuzzy", "semantic", "similar", "color")
# ts_headline marks matched words <b>...</b>: bold on a terminal, plain text elsewhere.
_HIGHLIGHT = re.compile(r"<b>(.*?)</b>", re.DOTALL)
BOLD, RESET = "\x1b[1m", "\x1b[0m"
# Years as museums date works (BCE negative); outside this, a typo, and PostgreSQL's integer
# would overflow before the search could say so.
YEARS = (-10_000, 10_000)


def int_in(low: int, high: int, what: str):
    """An argparse type: an integer in low..high, else a message naming the range."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            message = f"{what} must be a whole number, got {text!r}"
            raise argparse.ArgumentTypeError(message) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be {low}..{high}, got {value}")
        return value

    return parse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "search",
        help="search analyses: full text (default), --fuzzy, --semantic, --similar, --color",
    )
    parser.add_argument("text", nargs="?", help='words, "quoted phrases", -excluded, or')
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--fuzzy", metavar="NAME", help="artist or title, typos allowed")
    modes.add_argument("--semantic", metavar="TEXT", help="meaning, not words (embedding kNN)")
    modes.add_argument("--similar", metavar="OBJECT_ID", help="works like this artwork")
    modes.add_argument("--color", metavar="COLOUR", help="'#1f3a93' or a CSS name ('navy')")
    parser.add_argument("--artist", help="artist contains this text")
    year = int_in(*YEARS, "a year")
    parser.add_argument("--year-from", type=year, help="made in or after this year")
    parser.add_argument("--year-to", type=year, help="made in or before this year")
    parser.add_argument("--medium", help="medium contains this text ('oil', 'canvas')")
    parser.add_argument("--aspect", choices=ASPECTS, help="analysis discusses this aspect")
    parser.add_argument("--term", help="analysis uses this vocabulary term ('chiaroscuro')")
    parser.add_argument("--limit", type=int_in(1, MAX_LIMIT, "the limit"), default=10)
    pages = parser.add_mutually_exclusive_group()
    pages.add_argument("--page", type=int_in(1, 100_000, "the page"), help="page N of --limit")
    pages.add_argument("--offset", type=int_in(0, MAX_OFFSET, "the offset"), default=0)
    parser.add_argument(
        "--facets",
        action="store_true",
        help="counts per artist, decade, medium, aspect and term of every match, not results",
    )
    parser.add_argument("--json", action="store_true", help="JSON for scripts")
    parser.set_defaults(func=run)


def search_fulltext(db: Database, text: str, limit: int) -> list[dict]:
    return search(db, "text", text, limit)


def use_color(stream=None) -> bool:
    """ANSI styling only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR")


def plain(detail: str | None) -> str | None:
    return None if detail is None else _HIGHLIGHT.sub(r"\1", detail)


def render(found: list[dict]) -> str:
    """The results table: highlights as bold on a terminal, as plain words elsewhere."""
    rendered = table([{**row, "detail": plain(row["detail"])} for row in found], COLUMNS)
    return bold_matches(rendered, found, "detail") if found and use_color() else rendered


def bold_matches(rendered: str, rows: list[dict], column: str) -> str:
    """Embolden each row's matched words inside its cell, after the table is laid out (escape
    codes would otherwise count as width, and truncation could cut one in half)."""
    lines = rendered.split("\n")
    widths = [len(rule) for rule in lines[1].split("  ")]
    index = COLUMNS.index(column)
    start = sum(widths[:index]) + 2 * index
    end = start + widths[index]
    for number, row in enumerate(rows, start=2):
        words = {m.group(1) for m in _HIGHLIGHT.finditer(row.get(column) or "")}
        if not words:
            continue
        pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in sorted(words)))
        line = lines[number]
        cell = pattern.sub(lambda m: f"{BOLD}{m.group(0)}{RESET}", line[start:end])
        lines[number] = line[:start] + cell + line[end:]
    return "\n".join(lines)


def print_facets(db: Database, mode: str, query: str | None, filters: Filters, args) -> int:
    """Facets count full-text matches: words (or only filters), not the other modes."""
    if mode != "text":
        raise SystemExit(f"archive-analyzer search: --facets counts word matches, not --{mode}")
    counts = facet_counts(db, query, filters, args.limit)
    rows = [{"facet": f, **row} for f, values in counts.items() for row in values]
    print(to_json(counts) if args.json else table(rows, FACET_COLUMNS))
    return 0


def chosen_mode(args: argparse.Namespace) -> tuple[str, str]:
    for mode in OTHER_MODES:
        if getattr(args, mode):
            if args.text:
                # Words beside a mode option were silently dropped; say so instead.
                raise SystemExit(
                    f"archive-analyzer search: give words ({args.text!r}) or --{mode}, not "
                    "both; narrow a search with --artist, --medium, --term, --aspect, --year-*"
                )
            return mode, getattr(args, mode)
    if not args.text:
        raise SystemExit("archive-analyzer search: give TEXT or one of the mode options")
    return "text", args.text


@needs_schema
def run(args: argparse.Namespace) -> int:
    db = reading_database(load_settings(args.config))
    # --facets alone counts every work under the filters.
    bare = args.facets and not args.text and not any(getattr(args, m) for m in OTHER_MODES)
    mode, query = ("text", None) if bare else chosen_mode(args)
    filters = Filters(
        args.artist, args.year_from, args.year_to, args.medium, args.aspect, args.term
    )
    if args.facets:
        return print_facets(db, mode, query, filters, args)
    offset = (args.page - 1) * args.limit if args.page else args.offset
    if offset > MAX_OFFSET:
        raise SystemExit(f"archive-analyzer search: page too deep (offset {offset} > {MAX_OFFSET})")
    found = search(db, mode, query, args.limit, filters, offset)
    if args.json:
        print(to_json(found))
        return 0
    print(render(found))
    return 0
