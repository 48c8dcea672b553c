"""A throwaway embedded PostgreSQL for a benchmark: started in a temporary home, migrated,
stopped at the end."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from archive_analyzer.db.database import Database
from archive_analyzer.db.embedded import embedded_url, stop_embedded
from archive_analyzer.db.migrate import migrate


@contextlib.contextmanager
def scratch_database() -> Iterator[tuple[Database, Path]]:
    """(migrated database, its home folder); everything is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
        home = Path(tmp)
        try:
            db = Database(embedded_url(home))
            migrate(db)
            yield db, home
        finally:
            stop_embedded(home)


def start_run(db: Database, collection: str) -> int:
    return db.fetch_one("bench_start_run", {"collection": collection})["id"]
