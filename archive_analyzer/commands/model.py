"""`archive-analyzer model tiny DIR` (and, later, `model convert`)."""

from __future__ import annotations

import argparse

from archive_analyzer.model.loader import inspect_model
from archive_analyzer.model.tiny import write_tiny_model


def register(subparsers) -> None:
    parser = subparsers.add_parser("model", help="model tools: tiny, info")
    actions = parser.add_subparsers(dest="model_action", required=True)
    tiny = actions.add_parser("tiny", help="write a tiny random-weight LLaVA (for tests, demos)")
    tiny.add_argument("out", help="output directory")
    tiny.add_argument("--seed", type=int, default=0)
    tiny.set_defaults(func=run_tiny)
    info = actions.add_parser("info", help="show a model directory's version and card")
    info.add_argument("location")
    info.set_defaults(func=run_info)


def run_tiny(args: argparse.Namespace) -> int:
    path = write_tiny_model(args.out, seed=args.seed)
    info = inspect_model(str(path))
    print(f"wrote tiny random-weight LLaVA to {path} (model version {info.version})")
    return 0


def run_info(args: argparse.Namespace) -> int:
    info = inspect_model(args.location)
    print(f"name: {info.name}\nversion: {info.version}\nmeaningful: {info.meaningful}")
    return 0
