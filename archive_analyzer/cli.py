"""The `archive-analyzer` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
import warnings

from archive_analyzer import __version__
from archive_analyzer.commands import (
    analyze,
    dataset,
    db,
    demo,
    embed,
    evaluate,
    export,
    failures,
    finetune,
    model,
    nightly,
    review,
    runs,
    search,
    serve,
    show,
)
from archive_analyzer.engine import release_engines
from archive_analyzer.errors import ArchiveAnalyzerError
from archive_analyzer.redact import install_log_redaction, redact

COMMANDS = (
    analyze,
    nightly,
    search,
    embed,
    show,
    review,
    runs,
    db,
    model,
    demo,
    failures,
    finetune,
    evaluate,
    dataset,
    export,
    serve,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-analyzer",
        description="GalleryGPT formal analysis of museum collections into PostgreSQL.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--config", help="TOML settings file (or ARCHIVE_ANALYZER_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def _quiet_libraries() -> None:
    # Library chatter (platformdirs' runtime-dir notice, per-shard progress bars) drowns the
    # one progress bar and summary people read.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    install_log_redaction()  # no credential reaches a log line, whoever logs it
    try:
        return args.func(args)
    except KeyboardInterrupt as exc:
        # Ctrl-C or SIGTERM: one line, the shell's 128 + SIGINT; a run records itself first.
        detail = f": {redact(str(exc))}" if str(exc) else ""
        print(f"archive-analyzer: interrupted{detail}", file=sys.stderr)
        return 130
    except ArchiveAnalyzerError as exc:
        print(f"archive-analyzer: error: {redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        # A library's exception text may quote a password (psycopg quotes a malformed URL):
        # one redacted line, the redacted traceback only when asked for with -v.
        if args.verbose:
            print(redact("".join(traceback.format_exception(exc))), end="", file=sys.stderr)
        message = " ".join(redact(str(exc)).split())
        print(f"archive-analyzer: error: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1
    finally:
        release_engines()  # a local Ray this command started stops with it


if __name__ == "__main__":
    sys.exit(main())
