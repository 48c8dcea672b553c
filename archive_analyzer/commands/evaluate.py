"""`archive-analyzer evaluate --model M --data TEST`, `evaluate compare A B`, `evaluate list`."""

from __future__ import annotations

import argparse

from archive_analyzer.db.open import open_database
from archive_analyzer.errors import ConfigError
from archive_analyzer.evaluate.runner import (
    METRICS,
    evaluate_model,
    latest_evaluation,
    side_by_side,
)
from archive_analyzer.model.loader import model_cache_dir
from archive_analyzer.output import table, to_json
from archive_analyzer.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score a model on a test set (BLEU-4, GLEU, METEOR, ROUGE-L, CIDEr)"
    )
    parser.add_argument(
        "action", nargs="*", help="empty: evaluate; `compare A B`; `list`", metavar="compare A B"
    )
    parser.add_argument("--model", help="model directory or URI to evaluate")
    parser.add_argument("--data", help="test conversations (JSON/JSONL, local or s3://...)")
    parser.add_argument("--image-root", help="folder or URI the image paths are relative to")
    parser.add_argument("--max-new-tokens", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--limit", type=int, default=20, help="rows for `list`")
    parser.add_argument("--json", action="store_true", help="JSON for scripts")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    db = open_database(settings)
    action = args.action[0] if args.action else "run"
    if action == "compare":
        return compare(db, args)
    if action == "list":
        rows = db.fetch_all("recent_evaluations", {"limit": args.limit})
        print(
            to_json(rows)
            if args.json
            else table(rows, ["id", "model_name", "model_version", "dataset", "examples", *METRICS])
        )
        return 0
    if action != "run" or not (args.model and args.data):
        raise ConfigError("use: evaluate --model M --data TEST, evaluate compare A B, or list")
    cache = model_cache_dir(settings)
    result = evaluate_model(
        db,
        args.model,
        args.data,
        cache,
        args.image_root,
        args.max_new_tokens,
        args.batch_size,
        args.device,
    )
    scores = {name: round(value * 100, 2) for name, value in result.scores.as_dict().items()}
    if args.json:
        print(to_json({"model_version": result.model_version, "scores_x100": scores}))
    else:
        print(f"{result.model_name} ({result.model_version}) on {result.examples} examples:")
        print("  " + "  ".join(f"{name} {value:.2f}" for name, value in scores.items()))
    return 0


def compare(db, args: argparse.Namespace) -> int:
    if len(args.action) != 3:
        raise ConfigError("use: evaluate compare A B (model versions, card names or locations)")
    found = []
    for model in args.action[1:]:
        row = latest_evaluation(db, model)
        if row is None:
            raise ConfigError(f"no evaluation of {model}: run evaluate --model {model} first")
        found.append(row)
    left, right = found
    if left["dataset_sha256"] != right["dataset_sha256"]:
        print("WARNING: A and B were evaluated on different test sets")
    print(f"A: {left['model_name']} ({left['model_version']})")
    print(f"B: {right['model_name']} ({right['model_version']})")
    rows = side_by_side(left, right)
    print(to_json(rows) if args.json else table(rows, ["metric", "A", "B", "B - A"]))
    return 0
