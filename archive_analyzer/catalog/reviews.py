"""Catalogers' reviews: approve, correct or reject an object's analysis; the queue; history.

The small API the command line and the web catalogue call. Every query reads views and
inserts into `analysis_reviews` only, so it works logged in as the cataloger role. What a
review does to the catalog (a correction shown and searched, a rejection hidden, corrections
kept over re-analysis) is the database's work (migration 0010), so psql inserts count too.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from archive_analyzer.db.database import Database
from archive_analyzer.errors import ConfigError, NotFoundError

Verdict = Literal["approved", "corrected", "rejected"]
VERDICTS: tuple[str, ...] = ("approved", "corrected", "rejected")
# 'unreviewed': never reviewed; 'needs_review': a new model's analysis of an image whose
# earlier analysis was corrected (the correction still shows).
QueueStatus = Literal["unreviewed", "needs_review"]
MAX_QUEUE = 1000


def _from_row(cls, row: dict):
    return cls(**{f.name: row[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class Review:
    review_id: int
    analysis_id: int
    object_id: str | None
    uri: str | None
    model_version: str
    model_name: str | None
    verdict: str
    corrected_text: str | None
    note: str | None
    reviewer: str | None
    created_at: datetime


@dataclass(frozen=True)
class QueueItem:
    analysis_id: int
    object_id: str | None
    title: str | None
    artist: str | None
    collection: str | None
    uri: str
    model_version: str
    model_name: str | None
    run_id: int | None
    analysed_at: datetime
    review_status: str
    text: str  # what catalogers see now (a carried correction when needs_review)
    model_text: str


@dataclass(frozen=True)
class AnalysisEntry:
    analysis_id: int
    uri: str
    model_version: str
    prompt_name: str
    is_current: bool
    created_at: datetime
    text: str


@dataclass(frozen=True)
class History:
    """An object's analyses and the reviews of them, each oldest first."""

    object_id: str
    analyses: tuple[AnalysisEntry, ...]
    reviews: tuple[Review, ...]


def _as_analysis_id(target: str | int) -> int | None:
    if isinstance(target, int):
        return target
    text = target.strip().removeprefix("#")
    return int(text) if text.isdigit() else None


def resolve_target(db: Database, target: str | int, collection: str | None = None) -> int:
    """The analysis a review is about: an object's current analysis, or an analysis id.

    A string is an object id first; when no object has it and it is a number (or `#N`), it is
    an analysis id. An int is always an analysis id.
    """
    if not isinstance(target, int):
        rows = db.fetch_all(
            "review_object_targets", {"object_id": target, "collection": collection}
        )
        if rows:
            return rows[0]["analysis_id"]
    analysis_id = _as_analysis_id(target)
    if analysis_id is not None and db.fetch_one(
        "review_analysis_exists", {"analysis_id": analysis_id}
    ):
        return analysis_id
    where = f" in collection {collection!r}" if collection else ""
    raise NotFoundError(f"no analysed object or analysis id {str(target)!r}{where}")


def record_review(
    db: Database,
    analysis_id: int,
    verdict: Verdict,
    text: str | None = None,
    note: str | None = None,
    reviewer: str | None = None,
) -> Review:
    """Append a verdict (the newest one counts); a correction needs its text."""
    if verdict not in VERDICTS:
        raise ConfigError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    if verdict == "corrected" and not (text and text.strip()):
        raise ConfigError("a correction needs the corrected text")
    if verdict != "corrected" and text is not None:
        raise ConfigError("only a correction carries text; use a note for remarks")
    if not db.fetch_one("review_analysis_exists", {"analysis_id": analysis_id}):
        raise NotFoundError(f"no analysis with id {analysis_id}")
    params = {
        "analysis_id": analysis_id,
        "verdict": verdict,
        "corrected_text": text.strip() if text else None,
        "reviewer": reviewer,
        "note": note,
    }
    review_id = db.fetch_one("review_insert", params)["id"]
    return _from_row(Review, db.fetch_one("review_by_id", {"review_id": review_id}))


def review_queue(
    db: Database,
    artist: str | None = None,
    collection: str | None = None,
    run_id: int | None = None,
    status: QueueStatus | None = None,
    limit: int = 50,
) -> list[QueueItem]:
    """Current analyses no cataloger has reviewed yet, oldest first."""
    if not 1 <= limit <= MAX_QUEUE:
        raise ConfigError(f"limit must be 1..{MAX_QUEUE}, got {limit}")
    if status is not None and status not in ("unreviewed", "needs_review"):
        raise ConfigError(f"status must be unreviewed or needs_review, got {status!r}")
    params = {
        "artist": artist,
        "collection": collection,
        "run_id": run_id,
        "status": status,
        "limit": limit,
    }
    return [_from_row(QueueItem, row) for row in db.fetch_all("review_queue", params)]


def review_history(db: Database, object_id: str) -> History:
    """Every analysis an object's images have had, and every review of them."""
    analyses = db.fetch_all("review_history_analyses", {"object_id": object_id})
    if not analyses:
        raise NotFoundError(f"no analysed object {object_id!r}")
    ids = sorted({row["analysis_id"] for row in analyses})
    reviews = db.fetch_all("review_history_reviews", {"analysis_ids": ids})
    return History(
        object_id=object_id,
        analyses=tuple(_from_row(AnalysisEntry, row) for row in analyses),
        reviews=tuple(_from_row(Review, row) for row in reviews),
    )


def remember_model(db: Database, version: str, name: str, location: str | None) -> None:
    """Record a model card's name for its version (runs and views show it beside the hash)."""
    db.execute("remember_model", {"version": version, "name": name, "location": location})
