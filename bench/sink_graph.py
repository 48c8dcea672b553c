"""What the denser HNSW graph of 0020 costs the sink (issue #16 against #17's bulk rate).

`python -m bench.sink_graph --rows 10000 --repeats 5` writes the same synthetic blocks through
the bulk-mode sink (index rebuild included; `--mode live`: indexes kept up row by row) into
fresh catalogs whose search_entries embedding index is defined either as 0020 has it (m 16,
ef_construction 128) or with pgvector's defaults (m 16, ef_construction 64, the schema before
0020), interleaved, and prints the median rows/s of each with min and max, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics

from bench.database import scratch_database
from bench.scale import _blocks, _timed_sink
from bench.table import print_json

GRAPHS = {"efc128": "m = 16, ef_construction = 128", "efc64": "m = 16, ef_construction = 64"}


def _define_index(db, graph: str) -> None:
    with db.connect() as conn:
        conn.execute("DROP INDEX search_entries_embedding_idx")
        conn.execute(
            "CREATE INDEX search_entries_embedding_idx ON search_entries"
            f" USING hnsw (embedding extensions.vector_cosine_ops) WITH ({graph})"
        )


def measure(rows: int, repeats: int, mode: str = "bulk") -> dict:
    blocks = _blocks(rows)
    samples: dict[str, list[float]] = {name: [] for name in GRAPHS}
    for _ in range(repeats):
        for name, graph in GRAPHS.items():  # interleaved: both see the same machine
            with scratch_database() as (db, _home):
                _define_index(db, graph)
                samples[name].append(_timed_sink(db.url, blocks, mode))
    out: dict = {
        name: {"median": statistics.median(v), "min": min(v), "max": max(v)}
        for name, v in samples.items()
    }
    out["ratio_efc128_to_efc64"] = out["efc128"]["median"] / out["efc64"]["median"]
    out["rows"], out["repeats"], out["index_mode"] = rows, repeats, mode
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sink_graph")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--mode", choices=["bulk", "live"], default="bulk")
    parser.add_argument("--json")
    args = parser.parse_args()
    print_json(measure(args.rows, args.repeats, args.mode), args.json)


if __name__ == "__main__":
    main()
