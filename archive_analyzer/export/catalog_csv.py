"""One CSV row per artwork with the columns catalogers ask for; UTF-8, optionally with a BOM.

Spreadsheet programs (Excel above all) read UTF-8 as a legacy code page unless the file starts
with a byte-order mark; collection-management imports usually want it without.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

from archive_analyzer.export.records import model_name, top_colours

COLUMNS = (
    "object_id",
    "title",
    "artist",
    "date_text",
    "year_start",
    "year_end",
    "medium",
    "analysis",
    "model_name",
    "model_version",
    "prompt_version",
    "run_id",
    "top_colours",
    "terms",
    "image_uri",
)


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    values = {name: row.get(name) for name in COLUMNS}
    values["model_name"] = model_name(row)
    values["top_colours"] = "; ".join(
        f"{c['hex']} {c['css_name']} {round(100 * float(c['share']))}%" for c in top_colours(row)
    )
    values["terms"] = "; ".join(row.get("terms") or ())
    return values


def writer(handle: TextIO) -> csv.DictWriter:
    out = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
    out.writeheader()
    return out
