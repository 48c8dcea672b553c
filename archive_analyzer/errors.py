"""Errors a user can act on. The CLI prints their message and exits with their code."""


class ArchiveAnalyzerError(Exception):
    """Base for errors that end a command with a clear message instead of a traceback."""

    exit_code = 2


class ConfigError(ArchiveAnalyzerError):
    """A setting is missing or invalid; raised before any work starts."""


class SourceError(ArchiveAnalyzerError):
    """The source URI or manifest cannot be listed or read."""


class EmptySourceError(SourceError):
    """The source lists no images (an unmounted share, a typo) and an empty one was not allowed."""


class ModelError(ArchiveAnalyzerError):
    """A model directory is missing, partial or of the wrong shape."""


class DatabaseError(ArchiveAnalyzerError):
    """The database cannot be reached or is not migrated."""


class MissingExtraError(ArchiveAnalyzerError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed; install it with: pip install 'archive-analyzer[{extra}]'"
        )


class CollectionBusyError(ArchiveAnalyzerError):
    """Another run over the same collection holds its lock; this run did nothing.

    Exit code 75 (EX_TEMPFAIL, "try again later") lets schedulers tell it from a failure.
    """

    exit_code = 75


class LeaseLost(CollectionBusyError):
    """A later run took this run's collection (its lock was lost to a restart or failover, and
    its lease token is no longer current): the run stops as interrupted without writing more."""


class MigrationChangedError(DatabaseError):
    """A migration this database already applied no longer matches its file.

    Released migrations are immutable: a change belongs in a new numbered migration.
    """


class MigrationBusyError(DatabaseError):
    """Another process holds the migration lock past the wait allowed; nothing was applied."""

    exit_code = 75


class NotFoundError(ArchiveAnalyzerError):
    """An object, analysis or run the command names does not exist (or is not analysed)."""
