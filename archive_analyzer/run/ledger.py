"""The account of a run: every listed image ends analysed, failed or skipped, exactly once.

The ledger lives in the database (`run_ledger`, one row per listed URI, opened from the plan by
run/staging.py); the driver adds every status row that comes back, one query per batch. At the
end a query checks listed = analysed + failed + skipped and names the URIs that never came
back (a lost block, a bug) or came back twice, so a run that silently dropped images is marked
failed, not succeeded. The driver's memory does not grow with the collection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from archive_analyzer.db.database import Database

# The runs table keeps at most this many URIs per list; the count is always exact.
MAX_LISTED_URIS = 1000


@dataclass(frozen=True)
class Accounting:
    listed: int
    analysed: int
    failed: int
    skipped: int
    unaccounted: list[str] = field(default_factory=list)  # the first MAX_LISTED_URIS
    duplicated: list[str] = field(default_factory=list)
    unaccounted_count: int = 0
    duplicated_count: int = 0

    @property
    def balanced(self) -> bool:
        total = self.analysed + self.failed + self.skipped
        wrong = self.unaccounted_count or self.duplicated_count
        return total == self.listed and not wrong

    def counts(self) -> dict[str, object]:
        """What is stored on the run (runs.counts) next to the runner's own counts."""
        return {
            "listed": self.listed,
            "balanced": self.balanced,
            "unaccounted_count": self.unaccounted_count,
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
            parts.append(f"{self.unaccounted_count} unaccounted for: {shown}")
        if self.duplicated:
            parts.append(
                f"{self.duplicated_count} reported twice: {', '.join(self.duplicated[:10])}"
            )
        return "; ".join(parts)


class Ledger:
    """A run's rows in `run_ledger`: outcomes are counted there, batch by batch, so the driver
    holds no URI of the run; `close` asks the database whether the books balance."""

    def __init__(self, db: Database, run_id: int) -> None:
        self.db, self.run_id = db, run_id

    def record(self, uris: Iterable[str], statuses: Iterable[str]) -> None:
        pairs = list(zip(uris, statuses, strict=True))
        params = {
            "run_id": self.run_id,
            "uris": [str(uri) for uri, _ in pairs],
            "outcomes": [str(status) for _, status in pairs],
        }
        self.db.execute("ledger_record", params)

    def reopen(self, uris: Iterable[str]) -> None:
        """Forget these URIs' outcomes: they go through the stages again in this run (a reused
        twin left without an analysis), and are counted by what comes back then."""
        self.db.execute("ledger_reopen", {"run_id": self.run_id, "uris": [str(u) for u in uris]})

    def close(self, analysed: int, failed: int, skipped: int) -> Accounting:
        params = {"run_id": self.run_id, "limit": MAX_LISTED_URIS}
        totals = self.db.fetch_one("ledger_totals", params)
        unaccounted = duplicated = []
        if totals["unaccounted"]:
            unaccounted = [r["uri"] for r in self.db.fetch_all("ledger_unaccounted", params)]
        if totals["duplicated"]:
            duplicated = [r["uri"] for r in self.db.fetch_all("ledger_duplicated", params)]
        account = Accounting(
            totals["listed"],
            analysed,
            failed,
            skipped,
            unaccounted,
            duplicated,
            totals["unaccounted"],
            totals["duplicated"],
        )
        if account.balanced:  # its counts stay on the run; a million rows a night need not
            self.db.execute("ledger_prune", {"run_id": self.run_id})
        return account
