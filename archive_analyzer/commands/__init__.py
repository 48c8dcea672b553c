"""CLI subcommands. Each module exposes `register(subparsers)` and sets `func` on its parser."""

from __future__ import annotations

import argparse
import functools
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from archive_analyzer.db.database import Database
from archive_analyzer.db.open import open_database
from archive_analyzer.errors import DatabaseError
from archive_analyzer.settings import Settings, load_settings


def add_settings_flags(parser: argparse.ArgumentParser) -> None:
    """Flags that override settings; absent flags leave file and environment values alone."""
    flag = parser.add_argument
    flag("--manifest", help="CSV/JSONL manifest with object_id, image_uri, metadata columns")
    flag("--model", help="model directory or URI (required with a configured database)")
    flag(
        "--demo-model",
        action="store_true",
        default=None,
        help="without --model, use the tiny random-weight demo model even with a configured "
        "database (its text is noise; the embedded database always allows it)",
    )
    flag("--prompt", help="prompt template name (default: formal_analysis)")
    flag("--custom-prompt", help="free-text question used instead of a named prompt")
    flag("--batch-size", type=int)
    flag("--num-actors", type=int, help="model actors (default: one per GPU, or auto on CPU)")
    flag("--gpus-per-actor", type=float)
    flag("--max-new-tokens", type=int)
    flag(
        "--static-kv-cache",
        action=argparse.BooleanOptionalAction,
        help="preallocated KV cache; on GPUs it compiles the decode step (default: on)",
    )
    flag("--ray-address", help="Ray cluster address (default: RAY_ADDRESS or a local Ray)")
    flag("--collection", help="collection name (default: the source URI)")
    flag("--device", choices=["auto", "cpu", "cuda"])
    flag(
        "--iiif-size", help="IIIF image size: max (default, exact pixels) or !w,h, e.g. !2048,2048"
    )
    flag("--http-per-host", type=int, help="HTTP requests in flight to one host (default 4)")
    flag(
        "--allow-empty",
        action="store_true",
        default=None,
        help="a source listing no images succeeds (default: exit 2, no images found)",
    )
    flag(
        "--max-failed-fraction",
        type=float,
        metavar="F",
        help="mark the run failed (exit 1) when more than F (0..1) of the images it tried failed",
    )


SETTINGS_FLAGS = (
    "source",
    "manifest",
    "model",
    "demo_model",
    "prompt",
    "custom_prompt",
    "batch_size",
    "num_actors",
    "gpus_per_actor",
    "max_new_tokens",
    "static_kv_cache",
    "ray_address",
    "collection",
    "device",
    "iiif_size",
    "http_per_host",
    "allow_empty",
    "max_failed_fraction",
)


def settings_from(args: argparse.Namespace) -> Settings:
    flags = {name: getattr(args, name, None) for name in SETTINGS_FLAGS}
    return load_settings(args.config, **flags)


def _sigterm_interrupts(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Kubernetes and schedulers stop a job with SIGTERM: end like Ctrl-C, so the run is
    recorded as interrupted instead of dying with its row still "running"."""
    previous = signal.signal(signal.SIGTERM, _sigterm_interrupts)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def reading_database(settings: Settings) -> Database:
    """The database a read command queries: the embedded one migrated on demand (a newcomer's
    first `search` works); a configured server as it is: a cataloger's read-only role may not
    even read `schema_migrations`, let alone migrate, so `needs_schema` names the fix instead."""
    if settings.database_url is None:
        return open_database(settings)
    return Database.from_settings(settings)


_NOT_MIGRATED = (psycopg.errors.UndefinedFunction, psycopg.errors.UndefinedTable)


def needs_schema(command: Callable[[argparse.Namespace], int]):
    """A read command against an un-migrated server ends in one line naming the fix."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except _NOT_MIGRATED as exc:
            missing = exc.diag.message_primary or type(exc).__name__
            raise DatabaseError(
                f"the database schema is not migrated ({missing}): "
                "run `archive-analyzer db migrate`"
            ) from None

    return run
