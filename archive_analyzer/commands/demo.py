"""`archive-analyzer demo`: analyse the shipped sample paintings, then search them."""

from __future__ import annotations

import argparse
from pathlib import Path

from archive_analyzer.commands.analyze import format_summary
from archive_analyzer.commands.search import render, search_fulltext
from archive_analyzer.db.database import Database
from archive_analyzer.package_data import package_folder
from archive_analyzer.run.analyze import analyze
from archive_analyzer.settings import load_settings

DEMO_QUERY = "light or colour or composition or brushwork"
# The tiny stand-in model writes noise; 64 tokens of it show the pipeline as well as 512 would.
TINY_MODEL_TOKENS = 64


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="analyse the sample paintings, then search")
    parser.add_argument("--engine", choices=["ray", "local"], default="ray")
    parser.add_argument(
        "--max-new-tokens",
        type=int,
        default=None,
        help="tokens per analysis (default: the setting; 64 with the tiny stand-in model)",
    )
    parser.set_defaults(func=run)


def examples() -> Path:
    """The sample paintings: the demo's data, shipped with the package."""
    return package_folder("examples") / "paintings"


def demo_settings(args: argparse.Namespace):
    flags = {
        "source": str(examples()),
        "manifest": str(examples() / "manifest.csv"),
        "collection": "demo",
        "max_new_tokens": args.max_new_tokens,
    }
    settings = load_settings(args.config, **flags)
    if settings.model is None and "max_new_tokens" not in settings.model_fields_set:
        settings = load_settings(args.config, **{**flags, "max_new_tokens": TINY_MODEL_TOKENS})
    return settings


def run(args: argparse.Namespace) -> int:
    settings = demo_settings(args)
    folder = examples()
    print(f"Analysing the {len(list(folder.glob('*.jpg')))} sample paintings in {folder}")
    summary = analyze(settings, engine=args.engine)
    print(format_summary(summary))
    db = Database.from_settings(settings)
    print(f"\nsearch: {DEMO_QUERY!r}")
    print(render(search_fulltext(db, DEMO_QUERY, 5)))
    print(f'\nQuery it yourself: psql "$({Path(".venv/bin/archive-analyzer")} db url)"')
    print(
        f"Browse it: {Path('.venv/bin/archive-analyzer')} serve, then open http://127.0.0.1:8765/"
    )
    return 0 if summary.status == "succeeded" else 1
