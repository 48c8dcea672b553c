"""`python -m bench`: run every measurement in this process and print one table of ratios.

`--quick` runs each at toy sizes (seconds, for the smoke test: rows appear, figures mean
nothing); `--only decode sink` picks sections. A section that fails prints its error as a row and
makes the exit status 1, so the other figures still come out.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable

from bench.table import Row, render

CATALOG_ROWS = {True: 2_000, False: 20_000}
CATALOG_QUERIES = {True: 2, False: 40}  # timed per mode and client


def model_rows(quick: bool) -> list[Row]:
    from bench import model_stage

    return model_stage.run(quick)


def decode_rows(quick: bool) -> list[Row]:
    from bench import decode

    return decode.run(quick)


def sink_rows(quick: bool) -> list[Row]:
    from bench import sink

    return sink.run(quick)


def pipeline_rows(quick: bool) -> list[Row]:
    from bench import pipeline

    return pipeline.run(quick)


def catalog_rows(quick: bool) -> list[Row]:
    try:
        from bench import catalog
    except ImportError as exc:
        return [Row("search latency", f"not measured: bench/catalog.py is absent ({exc})", "")]
    rows = CATALOG_ROWS[quick]
    target = f"p95 < {catalog.TARGET_P95_MS:g} ms, x4 < {catalog.TARGET_P95_CLIENTS_MS:g} ms"
    return [
        Row(
            f"search {result['mode']} ({rows:,} analyses)",
            f"p95 {result['p95_ms']:.1f} ms, x4 {result['p95_ms_4_clients']:.1f} ms, "
            f"top10 {result['top10_overlap']:.2f}",
            f"p50 {result['p50_ms']:.1f} ms",
            None,
            target,
            result["met"],
        )
        for result in catalog.run(rows, CATALOG_QUERIES[quick])
    ]


def scale_rows(quick: bool) -> list[Row]:
    from bench import scale_report

    return scale_report.run(quick, JSON_PATH.get("scale"))


# Where a section that writes its figures as JSON puts them (`--json FILE`).
JSON_PATH: dict[str, str] = {}

SECTIONS: dict[str, Callable[[bool], list[Row]]] = {
    "model": model_rows,
    "decode": decode_rows,
    "sink": sink_rows,
    "pipeline": pipeline_rows,
    "catalog": catalog_rows,
    "scale": scale_rows,
}


def run_section(name: str, quick: bool) -> tuple[list[Row], bool]:
    started = time.perf_counter()
    try:
        rows = SECTIONS[name](quick)
    except Exception as exc:  # one broken section must not hide the others' figures
        traceback.print_exc(file=sys.stderr)
        return [Row(name, f"FAILED: {type(exc).__name__}: {exc}"[:160], "")], False
    print(f"bench: {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return rows, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="toy sizes: rows, not figures")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="sections to run")
    parser.add_argument("--json", help="with --only scale: also write its figures to this file")
    args = parser.parse_args(argv)
    if args.json:
        JSON_PATH["scale"] = args.json
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    rows, healthy = [], True
    # scale (tens of minutes: 100k listed images, 5 repeats of each pipeline) runs when named.
    for name in args.only or [name for name in SECTIONS if name != "scale"]:
        section_rows, ok = run_section(name, args.quick)
        rows += section_rows
        healthy &= ok
    print(f"\nbench on {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(render(rows))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
