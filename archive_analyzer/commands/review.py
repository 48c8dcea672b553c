"""`archive-analyzer review OBJECT --approve | --correct TEXT | --reject`, `review queue`,
`review history OBJECT`: catalogers' verdicts, through archive_analyzer.catalog.reviews."""

from __future__ import annotations

import argparse

from archive_analyzer.catalog.reviews import (
    MAX_QUEUE,
    record_review,
    resolve_target,
    review_history,
    review_queue,
)
from archive_analyzer.commands.search import int_in
from archive_analyzer.db.database import Database
from archive_analyzer.output import table, to_json
from archive_analyzer.settings import load_settings

QUEUE_COLUMNS = ["analysis_id", "object_id", "title", "artist", "model_name", "review_status"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "review",
        help="approve, correct or reject an object's analysis; `review queue`, `review history`",
        description="review OBJECT (an object id; or an analysis id when no object has it) "
        "--approve | --correct TEXT | --reject; review queue [filters]; review history OBJECT",
    )
    parser.add_argument("target", metavar="OBJECT|queue|history")
    parser.add_argument("object", nargs="?", help="for `history`: the object id")
    parser.add_argument("--collection", help="the object's collection (runs' --collection)")
    verdict = parser.add_mutually_exclusive_group()
    verdict.add_argument("--approve", action="store_true", help="the model's text stands")
    verdict.add_argument("--correct", metavar="TEXT", help="the text catalogers see instead")
    verdict.add_argument("--reject", action="store_true", help="hide it until a new analysis")
    parser.add_argument("--note", help="a remark kept with the review")
    parser.add_argument("--reviewer", help="who reviewed (initials, login)")
    queue = parser.add_argument_group("queue filters")
    queue.add_argument("--artist", help="artist contains this text")
    queue.add_argument("--run", type=int, help="analyses written by this run")
    queue.add_argument("--status", choices=("unreviewed", "needs_review"))
    queue.add_argument("--limit", type=int_in(1, MAX_QUEUE, "the limit"), default=50)
    parser.add_argument("--json", action="store_true", help="JSON for scripts")
    parser.set_defaults(func=run)


def verdict_of(args: argparse.Namespace) -> str | None:
    if args.approve:
        return "approved"
    if args.reject:
        return "rejected"
    return "corrected" if args.correct is not None else None


def run(args: argparse.Namespace) -> int:
    db = Database.from_settings(load_settings(args.config))
    if args.target == "queue":
        return _queue(db, args)
    if args.target == "history" and args.object:
        return _history(db, args)
    if args.object:
        raise SystemExit(f"archive-analyzer review: unexpected argument {args.object!r}")
    verdict = verdict_of(args)
    if verdict is None:
        raise SystemExit("archive-analyzer review: give --approve, --correct TEXT or --reject")
    return review_one(db, args.target, verdict, args)


def review_one(db: Database, target: str, verdict: str, args: argparse.Namespace) -> int:
    analysis_id = resolve_target(db, target, getattr(args, "collection", None))
    review = record_review(db, analysis_id, verdict, args.correct, args.note, args.reviewer)
    name = review.object_id or f"analysis {analysis_id}"
    print(f"{name}: {review.verdict} (analysis {analysis_id}, review {review.review_id})")
    return 0


def _queue(db: Database, args: argparse.Namespace) -> int:
    items = review_queue(db, args.artist, args.collection, args.run, args.status, args.limit)
    rows = [vars(item) for item in items]
    print(to_json(rows) if args.json else table(rows, QUEUE_COLUMNS))
    return 0


def _history(db: Database, args: argparse.Namespace) -> int:
    history = review_history(db, args.object)
    if args.json:
        print(to_json({"analyses": [vars(a) for a in history.analyses],
                       "reviews": [vars(r) for r in history.reviews]}))  # fmt: skip
        return 0
    for line in history_lines(history):
        print(line)
    return 0


def history_lines(history) -> list[str]:
    """Analyses and reviews in time order, one line each."""
    events = [(a.created_at, 0, a) for a in history.analyses]
    events += [(r.created_at, 1, r) for r in history.reviews]
    lines = []
    for at, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
        stamp = at.strftime("%Y-%m-%d %H:%M")
        if kind == 0:
            current = "current" if item.is_current else "history"
            lines.append(f"{stamp}  analysis {item.analysis_id}  {item.model_version}  {current}")
        else:
            who = f" by {item.reviewer}" if item.reviewer else ""
            note = f"  note: {item.note}" if item.note else ""
            lines.append(f"{stamp}  review {item.review_id}  analysis {item.analysis_id}  "
                         f"{item.verdict}{who}{note}")  # fmt: skip
            if item.corrected_text:
                lines.append(f"                  correction: {item.corrected_text}")
    return lines
