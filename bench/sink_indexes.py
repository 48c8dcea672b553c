"""What the search indexes of 0021 and 0022 cost the sink (issue #16).

`python -m bench.sink_indexes --rows 5000 --repeats 3 --mode live` writes the same synthetic
blocks, each image with its own five-colour palette, through the sink into fresh catalogs whose
title and palette indexes are either as 0021 and 0022 define them (a GiST trigram index on
titles, 256-byte signatures; HNSW on the palette key (L, a, b, 15 x (1 - share))) or as before
(a GIN trigram index; HNSW on the colour alone, same graph), interleaved, and prints the median
rows/s of each with min and max, and their ratio. `--mode bulk` includes the rebuild.
"""

from __future__ import annotations

import argparse
import json
import statistics

import numpy as np

from bench.catalog_data import PALETTE, nearest_css_names
from bench.database import scratch_database
from bench.scale import _blocks, _timed_sink
from bench.sink import measured_features
from bench.table import print_json

BEFORE = (
    "DROP INDEX search_entries_title_trgm_idx",
    "DROP INDEX palette_colors_key_idx",
    "CREATE INDEX search_entries_title_trgm_idx ON search_entries"
    " USING gin (title extensions.gin_trgm_ops)",
    "CREATE INDEX palette_colors_lab_idx ON palette_colors"
    " USING hnsw (lab extensions.vector_l2_ops) WITH (m = 8, ef_construction = 32)",
)
VARIANTS = {"0022": (), "0020": BEFORE}


def _palettes(rows: int, seed: int = 5) -> list[str]:
    """`features` values as the Features stage writes them, each with its own palette."""
    from archive_analyzer.catalog.colors import lab_to_srgb

    base = json.loads(measured_features())
    rng = np.random.default_rng(seed)
    lab = np.stack(
        [
            rng.uniform(5, 95, rows * PALETTE),
            rng.uniform(-60, 60, rows * PALETTE),
            rng.uniform(-60, 60, rows * PALETTE),
        ],
        axis=1,
    )
    shares = -np.sort(-rng.dirichlet(np.ones(PALETTE), rows), axis=1).ravel()
    rgb = lab_to_srgb(lab).astype(int).tolist()
    names = nearest_css_names(lab)
    out = []
    for i in range(rows):
        palette = [
            {
                "hex": "#{:02x}{:02x}{:02x}".format(*rgb[j]),
                "share": float(shares[j]),
                "css_name": names[j],
                "l": float(lab[j, 0]),
                "a": float(lab[j, 1]),
                "b": float(lab[j, 2]),
            }
            for j in range(i * PALETTE, (i + 1) * PALETTE)
        ]
        out.append(json.dumps({**base, "palette": palette}))
    return out


def _blocks_with_palettes(rows: int) -> list[dict]:
    blocks = _blocks(rows)
    features = iter(_palettes(rows))
    for block in blocks:
        block["features"] = [next(features) for _ in block["uri"]]
    return blocks


def measure(rows: int, repeats: int, mode: str) -> dict:
    blocks = _blocks_with_palettes(rows)
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(repeats):
        for name, statements in VARIANTS.items():  # interleaved: both see the same machine
            with scratch_database() as (db, _home):
                with db.connect() as conn:
                    for statement in statements:
                        conn.execute(statement)
                samples[name].append(_timed_sink(db.url, blocks, mode))
    out: dict = {
        name: {"median": statistics.median(v), "min": min(v), "max": max(v)}
        for name, v in samples.items()
    }
    out["ratio_0022_to_0020"] = out["0022"]["median"] / out["0020"]["median"]
    out["rows"], out["repeats"], out["index_mode"] = rows, repeats, mode
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sink_indexes")
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mode", choices=["bulk", "live"], default="live")
    parser.add_argument("--json")
    args = parser.parse_args()
    print_json(measure(args.rows, args.repeats, args.mode), args.json)


if __name__ == "__main__":
    main()
