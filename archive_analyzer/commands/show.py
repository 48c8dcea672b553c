"""`archive-analyzer show OBJECT`: one object in the terminal: metadata, the analysis
catalogers see (a correction labelled as one), aspects, terms with AAT ids, palette swatches,
visual features, and the history of analyses and reviews."""

from __future__ import annotations

import argparse

from archive_analyzer.catalog.reviews import review_history
from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.commands.review import history_lines
from archive_analyzer.commands.search import use_color
from archive_analyzer.db.database import Database
from archive_analyzer.errors import NotFoundError
from archive_analyzer.settings import load_settings

FEATURES = (
    ("brightness", "mean L*, 0 dark .. 100 light"),
    ("contrast", "std of L*"),
    ("saturation", "0 grey .. 1 vivid"),
    ("colourfulness", "Hasler-Suesstrunk; > 60 very colourful"),
    ("warmth", "-1 cool .. +1 warm"),
)


def register(subparsers) -> None:
    parser = subparsers.add_parser("show", help="one object: analysis, terms, palette, history")
    parser.add_argument("object_id")
    parser.set_defaults(func=run)


def swatch(hex_code: str, color: bool) -> str:
    """A truecolor block on a terminal; the hex code alone elsewhere."""
    if not color:
        return hex_code
    r, g, b = (int(hex_code[i : i + 2], 16) for i in (1, 3, 5))
    return f"\x1b[48;2;{r};{g};{b}m      \x1b[0m {hex_code}"


def analysis_lines(row: dict) -> list[str]:
    status = row["review_status"]
    label = {
        "corrected": f"CORRECTED by {row['reviewer'] or 'a cataloger'}",
        "needs_review": "CORRECTION of an earlier analysis; the new one NEEDS REVIEW",
        "rejected": "REJECTED: hidden from the catalog",
    }.get(status, status)
    model = (
        f"{row['model_name']} ({row['model_version']})"
        if row["model_name"]
        else row["model_version"]
    )
    lines = [f"analysis {row['analysis_id']}  {model}  {label}", f"  {row['text']}"]
    if row["is_corrected"]:
        lines.append(f"  model's text: {row['model_text']}")
    return lines


def structure_lines(row: dict) -> list[str]:
    vocabulary = load_vocabulary()
    lines = ["aspects:"]
    for aspect, sentences in (row["aspects"] or {}).items():
        lines += [f"  {aspect}: {s}" for s in sentences]
    lines.append("terms:")
    for name in row["terms"] or []:
        term = vocabulary.term(name)
        aat = f"AAT {term.aat}" if term and term.aat else "no AAT id"
        lines.append(f"  {name} ({aat})")
    return lines


def feature_lines(row: dict, palette: list[dict], color: bool) -> list[str]:
    lines = ["palette:"]
    lines += [
        f"  {swatch(p['hex'], color)}  {p['share'] * 100:4.0f}%  {p['css_name']}" for p in palette
    ]
    lines.append("visual features:")
    for name, meaning in FEATURES:
        if row[name] is not None:
            lines.append(f"  {name:<14}{row[name]:8.2f}   {meaning}")
    return lines


def object_lines(db: Database, object_id: str, color: bool) -> list[str]:
    rows = db.fetch_all("show_object", {"object_id": object_id})
    if not rows:
        raise NotFoundError(f"no analysed object {object_id!r}")
    first = rows[0]
    lines = [f"{first['object_id']}  {first['title'] or ''}"]
    for key in ("artist", "date_text", "medium", "collection", "uri"):
        lines.append(f"  {key:<11}{first[key] or ''}")
    for row in rows:
        palette = db.fetch_all("show_palette", {"sha256": row["sha256"], "object_id": object_id})
        lines += ["", *analysis_lines(row), *structure_lines(row)]
        lines += feature_lines(row, palette, color)
    lines += [
        "",
        "history:",
        *("  " + line for line in history_lines(review_history(db, object_id))),
    ]
    return lines


def run(args: argparse.Namespace) -> int:
    db = Database.from_settings(load_settings(args.config))
    print("\n".join(object_lines(db, args.object_id, use_color())))
    return 0
