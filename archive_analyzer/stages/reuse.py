"""Reuse: skip the model for content that already has an analysis from this model and prompt.

Runs after Decode, when each image's sha256 is known. Planning works from listing fingerprints
and cannot see content, so this is where the same bytes under a second key, a touched but
identical file, or a re-photographed object that went back to old bytes are caught: such rows
get status "reused", the model skips them, and the Sink links the image to the existing
analysis. Within one batch, only the first image of each content is analysed. With `force`,
the database is not consulted and everything except in-batch duplicates is analysed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive_analyzer.db.queries import query
from archive_analyzer.stages import Batch
from archive_analyzer.stages.connection import StageConnection
from archive_analyzer.stages.contract import SHA256, STATUS, Stage, Status


@dataclass(frozen=True)
class ReuseConfig:
    database_url: str
    model_version: str
    prompt_version: str
    force: bool = False


class Reuse(Stage):
    needs = (STATUS, SHA256)  # and it turns some "ok" statuses into "reused"

    def __init__(self, config: ReuseConfig) -> None:
        self.config = config
        self.db = StageConnection(config.database_url, autocommit=True)

    def __call__(self, batch: Batch) -> Batch:
        out: Batch = dict(batch)
        statuses = list(batch[STATUS])
        shas = [str(sha) if sha is not None else None for sha in batch[SHA256]]
        known = self._analysed(
            {sha for sha, status in zip(shas, statuses, strict=True) if status == Status.OK}
        )
        first_of: set[str] = set()
        for index, (sha, status) in enumerate(zip(shas, statuses, strict=True)):
            if status != Status.OK:
                continue
            if sha in known or sha in first_of:
                statuses[index] = Status.REUSED
            first_of.add(sha)
        out[STATUS] = statuses
        return out

    def _analysed(self, shas: set[str]) -> set[str]:
        if self.config.force or not shas:
            return set()
        params = {
            "shas": sorted(shas),
            "model_version": self.config.model_version,
            "prompt_version": self.config.prompt_version,
        }
        found = self.db.run(lambda db: db.execute(query("analysed_contents"), params).fetchall())
        return {row[0] for row in found}
