"""The artworks an export writes, read from the `export_artworks` view with search's filters.

The view holds the text catalogers see (see sql/migrations/0008_export.sql), so every format
follows a later change of what that text is (a cataloger's correction) without code changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import sha256
from pathlib import PurePosixPath
from typing import Any

from archive_analyzer.catalog.search import Filters as SearchFilters
from archive_analyzer.db.database import Database
from archive_analyzer.db.queries import query

TINY_MODEL = "tiny-llava (random weights, demo only)"


@dataclass(frozen=True)
class Filters(SearchFilters):
    """Search's filters, and how many artworks to write at most."""

    limit: int | None = None


def artworks(db: Database, filters: Filters) -> Iterator[dict[str, Any]]:
    """Rows streamed through a server-side cursor: an export of a million works fits memory."""
    with db.connect() as conn, conn.cursor(name="export_artworks") as cur:
        cur.itersize = 500
        cur.execute(query("export_artworks"), vars(filters))
        yield from cur


def model_name(row: dict[str, Any]) -> str:
    location = row.get("model_location")
    return PurePosixPath(location.rstrip("/")).name if location else TINY_MODEL


def slug(object_id: str) -> str:
    """A file name for an object id (often a URL): readable part plus a hash against clashes."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", object_id).strip("_.")[-80:]
    return f"{readable}-{sha256(object_id.encode()).hexdigest()[:8]}"


def top_colours(row: dict[str, Any], count: int = 5) -> list[dict[str, Any]]:
    return list(row.get("palette") or [])[:count]
