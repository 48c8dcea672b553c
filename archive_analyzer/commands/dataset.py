"""`archive-analyzer dataset export OUT` and `dataset review ANALYSIS_ID`: catalogers' verdicts
become training pairs in LLaVA's conversation format."""

from __future__ import annotations

import argparse

from archive_analyzer.db.open import open_database
from archive_analyzer.errors import ConfigError
from archive_analyzer.settings import load_settings
from archive_analyzer.train.export import export_dataset, record_review


def register(subparsers) -> None:
    parser = subparsers.add_parser("dataset", help="training data from reviewed analyses")
    actions = parser.add_subparsers(dest="dataset_action", required=True)
    export = actions.add_parser("export", help="approved and corrected analyses -> JSON")
    export.add_argument("out", help="output .json (local or s3://...)")
    export.set_defaults(func=run_export)
    review = actions.add_parser("review", help="approve, correct or reject an analysis")
    review.add_argument("analysis_id", type=int)
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
    db = open_database(load_settings(args.config))
    if args.correct is not None and not args.correct.strip():
        raise ConfigError("--correct needs the corrected text")
    verdict = "approved" if args.approve else "rejected" if args.reject else "corrected"
    record_review(db, args.analysis_id, verdict, args.correct, args.reviewer, args.note)
    print(f"analysis {args.analysis_id}: {verdict}")
    return 0
