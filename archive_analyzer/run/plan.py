"""Planning: which listed images need the model, decided before any inference.

Each listed image is classified against the database from its listing fingerprint (size plus
ETag or mtime), without reading its bytes:

- new: no image row for this URI yet (or only a recorded failure);
- changed: the URI's fingerprint differs from the stored one (re-shot or replaced bytes);
- stale: same fingerprint, but its content has no current analysis from this model and prompt
  version (a new model or prompt);
- metadata: same image, up to date, but its manifest row changed (a corrected title, a blanked
  field): the run writes the artwork's fields without reading the image or calling the model;
- unchanged: same fingerprint and a current analysis from this model and prompt version;
- conflict: its object id is its file path, and another image of the collection holds that id
  (a second `IMG_0001` of another source under the same collection name, `x.jpg` beside
  `x.png`): recorded as an `object_id_conflict` failure, never merged into that artwork.

A run sends new + changed + stale through the pipeline (everything but conflicts with
`force`), syncs the metadata class, and neither reads nor writes unchanged images. `--plan`
also hashes the few files whose fingerprint changed, so a touched but identical file counts as
unchanged there; during a run the Reuse stage makes the same discovery after decoding and skips
the model for it.

The listing is staged in the database (run/staging.py) and classified there by set-based
queries (sql/queries/ledger.sql), so planning a million images holds no URI in the driver.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import fsspec

from archive_analyzer.run.staging import StagedListing
from archive_analyzer.sources import normalize_uri

PLAN_CLASSES = ("new", "changed", "stale", "metadata", "unchanged", "conflict")
NOT_ANALYSED = ("metadata", "unchanged", "conflict")


@dataclass(frozen=True)
class Plan:
    """How many staged images fall in each class; the classes themselves stay staged."""

    found: dict[str, int]

    def counts(self) -> dict[str, int]:
        return {name: self.found.get(name, 0) for name in PLAN_CLASSES}

    @staticmethod
    def sent(force: bool = False) -> tuple[str, ...]:
        """The classes a run sends through the stages: all but conflicts with force, else
        new/changed/stale."""
        skip = ("conflict",) if force else NOT_ANALYSED
        return tuple(name for name in PLAN_CLASSES if name not in skip)

    def selected(self, force: bool = False) -> int:
        return sum(self.counts()[name] for name in self.sent(force))

    @property
    def conflicts(self) -> int:
        return self.counts()["conflict"]

    @staticmethod
    def synced(force: bool = False) -> tuple[str, ...]:
        """The classes whose artwork is written without the model (force analyses them)."""
        return () if force else ("metadata",)


def forget_cached_listings(source: str) -> None:
    """Drop what this process's filesystem object remembers about the source.

    fsspec keeps one filesystem object per store and process, with the listings and object
    details (ETag) it has seen. A process that plans or reads a collection twice (a
    long-lived driver, the local engine) would otherwise plan from, or open an object with,
    yesterday's details; s3fs then refuses a re-uploaded object as "no longer exists".
    """
    try:
        fs, _ = fsspec.core.url_to_fs(normalize_uri(source))
    except Exception:  # an unusable source: the listing that follows reports it, by name
        return
    fs.invalidate_cache()


def content_hash(uri: str) -> str:
    digest = hashlib.sha256()
    with fsspec.open(uri, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _same_bytes(row: dict) -> bool:
    """Hash one file whose fingerprint moved: same bytes are not a change."""
    try:
        return content_hash(row["uri"]) == row["known_sha"]
    except OSError:
        return False  # unreadable now: changed, and the run will record why


def plan_listing(
    staged: StagedListing,
    model_version: str,
    prompt_version: str,
    verify: bool = False,
    collection: str = "default",
    source: str | None = None,
) -> Plan:
    """Classify every staged image; with verify, hash the ones whose fingerprint changed."""
    versions = {"model_version": model_version, "prompt_version": prompt_version}
    staged.execute("listing_classify", versions)
    if verify:
        _verify_changes(staged, versions)
    staged.execute("listing_conflicts_within")
    if source:
        held = {"collection": collection, "root": normalize_uri(source)}
        staged.execute("listing_conflicts_held", held)
    return Plan({row["class"]: row["n"] for row in staged.rows("listing_counts")})


def _verify_changes(staged: StagedListing, versions: dict) -> None:
    """A touched but identical file is classified as if its fingerprint had not moved."""
    for row in staged.rows("listing_to_confirm"):
        if _same_bytes(row):
            staged.execute("listing_reclassify", {**versions, "uri": row["uri"]})
