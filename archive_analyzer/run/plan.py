"""Planning: which listed images need the model, decided before any inference.

Each listed image is classified against the database from its listing fingerprint (size plus
ETag or mtime), without reading its bytes:

- new: no image row for this URI yet (or only a recorded failure);
- changed: the URI's fingerprint differs from the stored one (re-shot or replaced bytes);
- stale: same fingerprint, but its content has no current analysis from this model and prompt
  version (a new model or prompt);
- unchanged: same fingerprint and a current analysis from this model and prompt version.

A run sends new + changed + stale through the pipeline (everything with `force`); unchanged
images are neither read nor written. `--plan` also hashes the few files whose fingerprint
changed, so a touched but identical file counts as unchanged there; during a run the Reuse
stage makes the same discovery after decoding and skips the model for it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import fsspec

from archive_analyzer.db.database import Database
from archive_analyzer.sources import SourceItem, normalize_uri

PLAN_CLASSES = ("new", "changed", "stale", "unchanged")


@dataclass(frozen=True)
class Plan:
    classes: dict[str, str]  # uri -> plan class

    def counts(self) -> dict[str, int]:
        found = Counter(self.classes.values())
        return {name: found.get(name, 0) for name in PLAN_CLASSES}

    def selected(self, items: list[SourceItem], force: bool = False) -> list[SourceItem]:
        """The images a run analyses: all with force, otherwise all but the unchanged."""
        if force:
            return list(items)
        return [item for item in items if self.classes[item.uri] != "unchanged"]


@dataclass(frozen=True)
class KnownImage:
    sha256: str
    fingerprint: str | None
    up_to_date: bool


def known_images(
    db: Database, uris: list[str], model_version: str, prompt_version: str
) -> dict[str, KnownImage]:
    params = {"uris": uris, "model_version": model_version, "prompt_version": prompt_version}
    found = db.fetch_all("known_images", params)
    return {
        row["uri"]: KnownImage(row["sha256"], row["fingerprint"], row["up_to_date"])
        for row in found
    }


def classify(item: SourceItem, known: KnownImage | None) -> str:
    if known is None:
        return "new"
    if item.fingerprint is None or item.fingerprint != known.fingerprint:
        return "changed"
    return "unchanged" if known.up_to_date else "stale"


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


def _confirm_change(known: KnownImage, uri: str) -> str:
    """Hash one file whose fingerprint moved: same bytes are not a change."""
    try:
        same = content_hash(uri) == known.sha256
    except OSError:
        return "changed"  # unreadable now: the run will record why
    if not same:
        return "changed"
    return "unchanged" if known.up_to_date else "stale"


def plan_items(
    db: Database,
    items: list[SourceItem],
    model_version: str,
    prompt_version: str,
    verify: bool = False,
) -> Plan:
    """Classify every listed image; with verify, hash the ones whose fingerprint changed."""
    known = known_images(db, [item.uri for item in items], model_version, prompt_version)
    classes = {}
    for item in items:
        found = known.get(item.uri)
        classes[item.uri] = classify(item, found)
        if verify and found is not None and classes[item.uri] == "changed":
            classes[item.uri] = _confirm_change(found, item.uri)
    return Plan(classes)
