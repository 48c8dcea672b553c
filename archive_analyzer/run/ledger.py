"""The account of a run: every listed image ends analysed, failed or skipped, exactly once.

The driver feeds the ledger every status row that comes back; at the end the ledger checks
listed = analysed + failed + skipped and names the URIs that never came back (a lost block, a
bug) or came back twice, so a run that silently dropped images is marked failed, not succeeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# The runs table keeps at most this many URIs per list; the count is always exact.
MAX_LISTED_URIS = 1000


@dataclass(frozen=True)
class Accounting:
    listed: int
    analysed: int
    failed: int
    skipped: int
    unaccounted: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        total = self.analysed + self.failed + self.skipped
        return total == self.listed and not self.unaccounted and not self.duplicated

    def counts(self) -> dict[str, object]:
        """What is stored on the run (runs.counts) next to the runner's own counts."""
        return {
            "listed": self.listed,
            "balanced": self.balanced,
            "unaccounted_count": len(self.unaccounted),
            "unaccounted": self.unaccounted[:MAX_LISTED_URIS],
            "duplicated": self.duplicated[:MAX_LISTED_URIS],
        }

    def error(self) -> str | None:
        """The run's error text when the books do not balance; None when they do."""
        if self.balanced:
            return None
        total = self.analysed + self.failed + self.skipped
        parts = [
            f"accounting mismatch: listed {self.listed} != analysed {self.analysed} + "
            f"failed {self.failed} + skipped {self.skipped} (= {total})"
        ]
        if self.unaccounted:
            shown = ", ".join(self.unaccounted[:10])
            parts.append(f"{len(self.unaccounted)} unaccounted for: {shown}")
        if self.duplicated:
            parts.append(
                f"{len(self.duplicated)} reported twice: {', '.join(self.duplicated[:10])}"
            )
        return "; ".join(parts)


class Ledger:
    """Which listed URIs have come back with an outcome."""

    def __init__(self, listed: Iterable[str]) -> None:
        self.listed = list(dict.fromkeys(listed))
        self._expected = set(self.listed)
        self.outcomes: dict[str, str] = {}
        self.duplicated: list[str] = []
        self.strangers: list[str] = []

    def record(self, uris: Iterable[str], statuses: Iterable[str]) -> None:
        for uri, status in zip(uris, statuses, strict=True):
            uri = str(uri)
            if uri not in self._expected:
                self.strangers.append(uri)
            elif uri in self.outcomes:
                self.duplicated.append(uri)
            self.outcomes[uri] = str(status)

    def reopen(self, uris: Iterable[str]) -> None:
        """Forget these URIs' outcomes: they go through the stages again in this run (a reused
        twin left without an analysis), and are counted by what comes back then."""
        for uri in uris:
            self.outcomes.pop(str(uri), None)

    def close(self, analysed: int, failed: int, skipped: int) -> Accounting:
        unaccounted = [uri for uri in self.listed if uri not in self.outcomes]
        # A URI nobody listed counts like a duplicate: the books cannot be trusted.
        return Accounting(
            len(self.listed),
            analysed,
            failed,
            skipped,
            unaccounted,
            self.duplicated + self.strangers,
        )
