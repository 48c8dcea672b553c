"""`archive-analyzer dataset export OUT`: catalogers' verdicts become training pairs in LLaVA's
conversation format. `dataset review` is `archive-analyzer review` under its older name."""

from __future__ import annotations

import argparse

from archive_analyzer.commands.review import review_one, verdict_of
from archive_analyzer.db.database import Database
from archive_analyzer.runner import open_database
from archive_analyzer.settings import load_settings
from archive_analyzer.train.export import export_dataset


def register(subparsers) -> None:
    parser = subparsers.add_parser("dataset", help="training data from reviewed analyses")
    actions = parser.add_subparsers(dest="dataset_action", required=True)
    export = actions.add_parser("export", help="approved and corrected analyses -> JSON")
    export.add_argument("out", help="output .json (local or s3://...)")
    export.set_defaults(func=run_export)
    review = actions.add_parser(
        "review", help="the same as `archive-analyzer review` (object id or analysis id)"
    )
    review.add_argument("target", metavar="OBJECT|ANALYSIS_ID")
    review.add_argument("--collection", help="the object's collection")
    verdict = review.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true")
    verdict.add_argument("--correct", metavar="TEXT", help="the corrected analysis")
    verdict.add_argument("--reject", action="store_true")
    review.add_argument("--reviewer")
    review.add_argument("--note")
    review.set_defaults(func=run_review)


def run_export(args: argparse.Namespace) -> int:
    db = open_database(load_settings(args.config))
    examples = export_dataset(db, args.out)
    print(f"wrote {len(examples)} training pairs to {args.out}")
    return 0


def run_review(args: argparse.Namespace) -> int:
    db = Database.from_settings(load_settings(args.config))
    return review_one(db, args.target, verdict_of(args), args)
