"""The database a command works on, ready for it: migrated or checked before first use."""

from __future__ import annotations

from archive_analyzer.db.database import Database
from archive_analyzer.db.migrate import migrate, require_current
from archive_analyzer.settings import Settings


def open_database(settings: Settings) -> Database:
    """The configured database; the embedded one is migrated on demand for newcomers.

    A configured server is only checked: migrating production is `db migrate`'s deliberate job.
    """
    db = Database.from_settings(settings)
    if settings.database_url is None:
        migrate(db)
    else:
        require_current(db)
    return db
