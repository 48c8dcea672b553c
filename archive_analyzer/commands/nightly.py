"""`archive-analyzer nightly SOURCE [SOURCE ...]`: each collection in turn, incrementally.

Exit code: 0 all succeeded, 75 a collection was still being analysed, 1 a run failed.
"""

from __future__ import annotations

import argparse

from archive_analyzer.commands import (
    SETTINGS_FLAGS,
    add_settings_flags,
    sigterm_interrupts,
)
from archive_analyzer.run.nightly import nightly
from archive_analyzer.settings import load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "nightly",
        help="re-analyse what is new, changed or stale in each SOURCE, with a report per run",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE")
    parser.add_argument("--engine", choices=["ray", "local"], default="ray")
    # Also after the command: `jobs/nightly_reanalysis.py --config FILE SOURCE` has always worked.
    parser.add_argument("--config", default=argparse.SUPPRESS, help="TOML settings file")
    add_settings_flags(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    flags = {name: getattr(args, name, None) for name in SETTINGS_FLAGS if name != "source"}
    # Every collection's settings are checked before the first one starts.
    collections = [load_settings(args.config, source=s, **flags) for s in args.sources]
    with sigterm_interrupts():
        return nightly(collections, engine=args.engine)
