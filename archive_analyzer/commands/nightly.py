"""`archive-analyzer nightly [SOURCE ...]`: each collection in turn, incrementally.

With no SOURCE, every collection of the collections file (--collections-file or
ARCHIVE_ANALYZER_COLLECTIONS_FILE), each with its own manifest, mapping and options.
Exit code (the worst collection's): 0 all succeeded, 1 a run failed, 3 a collection found no
images (an empty or unmounted source), 75 a collection was still being analysed.
"""

from __future__ import annotations

import argparse

from archive_analyzer.collections import load_collections
from archive_analyzer.commands import (
    SETTINGS_FLAGS,
    add_settings_flags,
    sigterm_interrupts,
)
from archive_analyzer.errors import ConfigError
from archive_analyzer.run.nightly import nightly
from archive_analyzer.settings import Settings, load_settings


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "nightly",
        help="re-analyse what is new, changed or stale in each SOURCE (or every collection of "
        "the collections file), with a report per run",
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE")
    parser.add_argument("--engine", choices=["ray", "local"], default="ray")
    # Also after the command: `jobs/nightly_reanalysis.py --config FILE SOURCE` has always worked.
    parser.add_argument("--config", default=argparse.SUPPRESS, help="TOML settings file")
    parser.add_argument(
        "--collections-file", help="TOML file of collections (ARCHIVE_ANALYZER_COLLECTIONS_FILE)"
    )
    add_settings_flags(parser)
    parser.set_defaults(func=run)


def collections_from(args: argparse.Namespace) -> list[Settings]:
    """Every collection's settings, all checked before the first one starts."""
    flags = {name: getattr(args, name, None) for name in SETTINGS_FLAGS if name != "source"}
    flags["collections_file"] = args.collections_file
    if args.sources:
        return [load_settings(args.config, source=s, **flags) for s in args.sources]
    base = load_settings(args.config, **flags)
    if base.collections_file is None:
        raise ConfigError(
            "nightly: give SOURCE arguments or a collections file (--collections-file or "
            "ARCHIVE_ANALYZER_COLLECTIONS_FILE)"
        )
    collections = load_collections(base.collections_file)
    names = [base.collection] if base.collection else collections.names
    return [collections.settings(name, args.config, flags) for name in names]


def run(args: argparse.Namespace) -> int:
    collections = collections_from(args)
    with sigterm_interrupts():
        return nightly(collections, engine=args.engine)
