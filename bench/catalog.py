"""Catalog search at scale: latency (one client and four), and how much of the exact top 10
each mode returns, over N synthetic analyses.

    python -m bench.catalog --rows 100000 --json figures.json
    python -m bench.catalog --rows 1000000 --keep /tmp/bench-1m     # load once, keep it
    python -m bench.catalog --reuse /tmp/bench-1m --json again.json  # measure it again

Rows come from bench/catalog_data.py, loaded by bench/catalog_load.py; the modes and their
exact answers from bench/catalog_modes.py and sql/queries/bench.sql. Semantic timings are the
database's part: query text embedding (~10 ms) is separate and measured once (--embedding).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from pgvector.psycopg import register_vector

from archive_analyzer.db.database import Database
from archive_analyzer.db.embedded import embedded_url, stop_embedded
from archive_analyzer.db.migrate import migrate
from bench.catalog_load import load
from bench.catalog_modes import MODES, OVERLAP_TARGETS, Call, call_overlap, workloads

QUERIES_PER_MODE = 40
CLIENTS = 4
TARGET_P95_MS = 50.0
TARGET_P95_CLIENTS_MS = 150.0
SEED = 7
META = "bench-catalog.json"


def _timed(conn, calls: list[Call], repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        for call in calls:
            started = time.perf_counter()
            call.run(conn)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def concurrent_timings(db: Database, calls: list[Call], repeats: int) -> list[float]:
    """CLIENTS threads, each on its own connection, all starting together."""
    start = threading.Barrier(CLIENTS)
    results: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            with db.connect(autocommit=True) as conn:
                register_vector(conn)
                rotated = calls[n % len(calls) :] + calls[: n % len(calls)]
                start.wait()
                results[n] = _timed(conn, rotated, repeats)
        except BaseException as exc:  # reported by the caller, not lost in a thread
            start.abort()
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [t for timings in results for t in timings]


def measure_mode(db: Database, conn, mode: str, calls: list[Call], queries: int) -> dict:
    # Each call runs once untimed (a live catalog's cache is warm); that answer is the one
    # compared with the exact answer.
    overlaps = [call_overlap(conn, mode, call, call.run(conn)) for call in calls]
    repeats = max(1, -(-queries // len(calls)))
    single = _timed(conn, calls, repeats)
    together = concurrent_timings(db, calls, repeats)
    p95 = float(np.percentile(single, 95))
    # _timed runs the calls in order, `repeats` times: call i's timings are every len(calls)th.
    medians = [statistics.median(single[i :: len(calls)]) for i in range(len(calls))]
    slowest = int(np.argmax(medians))
    p95_clients = float(np.percentile(together, 95))
    return {
        "p50_ms": statistics.median(single),
        "p95_ms": p95,
        "top10_overlap": statistics.fmean(overlaps),
        "p95_ms_4_clients": p95_clients,
        "queries": len(single),
        "slowest": {"call": calls[slowest].describe(), "p50_ms": medians[slowest]},
        "met": p95 < TARGET_P95_MS
        and p95_clients < TARGET_P95_CLIENTS_MS
        and statistics.fmean(overlaps) >= OVERLAP_TARGETS.get(mode, 0.0),
    }


def measure(
    db: Database, rows: int, seed: int = SEED, queries: int = QUERIES_PER_MODE, log=print
) -> dict[str, dict]:
    """Figures per mode; `queries`: timed queries per mode and client (at least one per call)."""
    with db.connect(autocommit=True) as conn:
        register_vector(conn)
        plan = workloads(conn, rows, seed)
        figures = {}
        for mode in MODES:
            figures[mode] = measure_mode(db, conn, mode, plan[mode], queries)
            log(f"bench.catalog: measured {mode}")
        return figures


@contextlib.contextmanager
def catalog_database(
    rows: int | None, keep: Path | None, reuse: Path | None, log=print
) -> Iterator[tuple[Database, dict]]:
    """A migrated, loaded database and its description ({"rows", "seed", "setup"}): loaded
    into a temporary home (removed after), into `keep` (left there), or found in `reuse`."""
    import tempfile

    with contextlib.ExitStack() as stack:
        home = (
            reuse
            or keep
            or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pg-")))
        )
        if reuse is not None:
            meta = _read_meta(reuse, rows)
        elif keep is not None and keep.exists() and any(keep.iterdir()):
            raise SystemExit(f"--keep {keep}: not empty; measure it again with --reuse {keep}")
        try:
            db = Database(embedded_url(home))
            migrate(db)
            if reuse is None:
                setup = load(db, rows, SEED, log)
                meta = {"rows": rows, "seed": SEED, "setup": setup}
                if keep is not None:
                    (keep / META).write_text(json.dumps(meta, indent=2))
            yield db, meta
        finally:
            stop_embedded(home)


def _read_meta(home: Path, rows: int | None) -> dict:
    path = home / META
    if not path.exists():
        raise SystemExit(f"--reuse {home}: no completed load there ({META} is missing)")
    meta = json.loads(path.read_text())
    if rows is not None and rows != meta["rows"]:
        raise SystemExit(f"--reuse {home} holds {meta['rows']:,} rows, not --rows {rows:,}")
    return meta


def run(rows: int, queries: int = QUERIES_PER_MODE) -> list[dict]:
    """Load `rows` synthetic analyses into a scratch database; figures of every search mode,
    one dict per mode (for `python -m bench`)."""
    with catalog_database(rows, None, None) as (db, meta):
        figures = measure(db, rows, meta["seed"], queries)
    return [{"mode": mode, **values} for mode, values in figures.items()]


def embedding_ms() -> float:
    """What semantic search adds before the database: embedding the query text."""
    from archive_analyzer.catalog.embedding import shared_embedder

    embed = shared_embedder()
    embed(["warm up"])
    started = time.perf_counter()
    for text in ("a storm at sea", "fruit on a table", "a portrait in candlelight"):
        embed([text])
    return (time.perf_counter() - started) * 1000 / 3


def table(rows: int, figures: dict[str, dict]) -> str:
    lines = [
        f"search over {rows:,} analyses (targets: p95 < {TARGET_P95_MS:g} ms, "
        f"< {TARGET_P95_CLIENTS_MS:g} ms with {CLIENTS} clients)",
        f"{'mode':<18} {'p50 ms':>8} {'p95 ms':>8} {'p95 x4':>8} {'top10':>6}  met",
    ]
    for mode, f in figures.items():
        lines.append(
            f"{mode:<18} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} {f['p95_ms_4_clients']:>8.1f} "
            f"{f['top10_overlap']:>6.3f}  {'yes' if f['met'] else 'NO'}"
        )
    lines.append("slowest call per mode (p50 ms):")
    lines += [
        f"  {mode:<18} {f['slowest']['p50_ms']:>8.1f}  {f['slowest']['call']}"
        for mode, f in figures.items()
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.catalog",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rows", type=int, help="analyses to load (default 1,000,000)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--keep", type=Path, help="load into this folder and leave it there")
    where.add_argument("--reuse", type=Path, help="measure a folder --keep loaded, no load")
    parser.add_argument(
        "--queries",
        type=int,
        default=QUERIES_PER_MODE,
        help="timed queries per mode and client (default %(default)s)",
    )
    parser.add_argument(
        "--embedding",
        action="store_true",
        help="also time embedding a query text (semantic mode's first step)",
    )
    args = parser.parse_args(argv)
    if args.rows is not None and args.rows < 1:
        parser.error("--rows must be at least 1")
    rows = args.rows if args.rows or args.reuse else 1_000_000
    with catalog_database(rows, args.keep, args.reuse) as (db, meta):
        figures = measure(db, meta["rows"], meta["seed"], args.queries)
    report = {"rows": meta["rows"], "modes": figures, "setup": meta["setup"]}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print("\n" + table(meta["rows"], figures))
    print("setup seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in meta["setup"].items()))
    if args.embedding:
        print(f"query text embedding (semantic mode, before the database): {embedding_ms():.1f} ms")


if __name__ == "__main__":
    main()
