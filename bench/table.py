"""One row per claim: what was measured, against what, the ratio, the target, met or not."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    measure: str
    result: str
    baseline: str
    ratio: float | None = None
    target: str = ""
    met: bool | None = None


def at_least(ratio: float, minimum: float) -> tuple[float, str, bool]:
    """(ratio, target text, met) for a 'higher is better' ratio."""
    return ratio, f">= {minimum:g}", ratio >= minimum


def at_most(ratio: float, maximum: float) -> tuple[float, str, bool]:
    return ratio, f"<= {maximum:g}", ratio <= maximum


def _cell(row: Row) -> list[str]:
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
    met = {True: "yes", False: "NO", None: ""}[row.met]
    return [row.measure, row.result, row.baseline, ratio, row.target, met]


HEADER = ["measurement", "result", "baseline", "ratio", "target", "met"]


def render(rows: list[Row]) -> str:
    """A plain-text table (also valid Markdown) that reads well in a terminal and in RESULTS.md."""
    cells = [HEADER] + [_cell(row) for row in rows]
    widths = [max(len(line[col]) for line in cells) for col in range(len(HEADER))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def print_json(figures: dict, path: str | None) -> None:
    """Print a bench's figures as JSON, and write them to `path` too when one is given."""
    text = json.dumps(figures, indent=1)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    print(text)
