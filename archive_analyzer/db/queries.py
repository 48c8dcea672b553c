"""Named SQL queries loaded from sql/queries/*.sql (`-- name: query_name` headers).

SQL stays in .sql files with `%(param)s` placeholders, so every query is parameterised and can be
read, reviewed and run from psql on its own.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from archive_analyzer.package_data import package_folder

_HEADER = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


def sql_dir() -> Path:
    """The project's sql/ folder: shipped with the package, or ARCHIVE_ANALYZER_SQL_DIR."""
    override = os.environ.get("ARCHIVE_ANALYZER_SQL_DIR")
    return Path(override) if override else package_folder("sql")


def parse_queries(text: str) -> dict[str, str]:
    parts = _HEADER.split(text)
    names, bodies = parts[1::2], parts[2::2]
    return {name: body.strip() for name, body in zip(names, bodies, strict=True)}


@cache
def queries() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((sql_dir() / "queries").glob("*.sql")):
        for name, body in parse_queries(path.read_text()).items():
            if name in found:
                raise ValueError(f"query {name!r} is defined twice (second in {path.name})")
            found[name] = body
    return found


def query(name: str) -> str:
    try:
        return queries()[name]
    except KeyError:
        raise KeyError(f"no SQL query named {name!r} in {sql_dir() / 'queries'}") from None
