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
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import fsspec

from archive_analyzer.db.database import Database
from archive_analyzer.metadata import metadata_hash
from archive_analyzer.sources import SourceItem, normalize_uri

PLAN_CLASSES = ("new", "changed", "stale", "metadata", "unchanged", "conflict")
NOT_ANALYSED = ("metadata", "unchanged", "conflict")


@dataclass(frozen=True)
class Plan:
    classes: dict[str, str]  # uri -> plan class
    conflicts: dict[str, str] = field(default_factory=dict)  # uri -> what holds its object id

    def counts(self) -> dict[str, int]:
        found = Counter(self.classes.values())
        return {name: found.get(name, 0) for name in PLAN_CLASSES}

    def selected(self, items: list[SourceItem], force: bool = False) -> list[SourceItem]:
        """The images a run analyses: all but conflicts with force, else new/changed/stale."""
        skip = ("conflict",) if force else NOT_ANALYSED
        return [item for item in items if self.classes[item.uri] not in skip]

    def synced(self, items: list[SourceItem], force: bool = False) -> list[SourceItem]:
        """The images whose artwork is written without the model (force analyses them)."""
        return [] if force else [i for i in items if self.classes[i.uri] == "metadata"]


@dataclass(frozen=True)
class KnownImage:
    sha256: str
    fingerprint: str | None
    up_to_date: bool
    metadata_hash: str | None = None  # None: written before hashes were kept


def known_images(
    db: Database, uris: list[str], model_version: str, prompt_version: str
) -> dict[str, KnownImage]:
    params = {"uris": uris, "model_version": model_version, "prompt_version": prompt_version}
    found = db.fetch_all("known_images", params)
    return {
        row["uri"]: KnownImage(
            row["sha256"], row["fingerprint"], row["up_to_date"], row["metadata_hash"]
        )
        for row in found
    }


def classify(item: SourceItem, known: KnownImage | None) -> str:
    if known is None:
        return "new"
    if item.fingerprint is None or item.fingerprint != known.fingerprint:
        return "changed"
    return same_bytes(item, known)


def same_bytes(item: SourceItem, known: KnownImage) -> str:
    """The class of an image whose bytes did not change: its analysis, then its manifest row."""
    if not known.up_to_date:
        return "stale"
    if known.metadata_hash != metadata_hash(item.object_id, item.metadata):
        return "metadata"
    return "unchanged"


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


def _confirm_change(known: KnownImage, item: SourceItem) -> str:
    """Hash one file whose fingerprint moved: same bytes are not a change."""
    try:
        same = content_hash(item.uri) == known.sha256
    except OSError:
        return "changed"  # unreadable now: the run will record why
    return same_bytes(item, known) if same else "changed"


def plan_items(
    db: Database,
    items: list[SourceItem],
    model_version: str,
    prompt_version: str,
    verify: bool = False,
    collection: str = "default",
    source: str | None = None,
) -> Plan:
    """Classify every listed image; with verify, hash the ones whose fingerprint changed."""
    known = known_images(db, [item.uri for item in items], model_version, prompt_version)
    classes = {}
    for item in items:
        found = known.get(item.uri)
        classes[item.uri] = classify(item, found)
        if verify and found is not None and classes[item.uri] == "changed":
            classes[item.uri] = _confirm_change(found, item)
    conflicts = object_id_conflicts(db, items, collection, source)
    classes.update(dict.fromkeys(conflicts, "conflict"))
    return Plan(classes, conflicts)


def object_id_conflicts(
    db: Database, items: list[SourceItem], collection: str, source: str | None
) -> dict[str, str]:
    """uri -> the image holding its object id, for images whose id is only their file path.

    In the listing, a manifest's id wins, then the first URI; in the database, an image of the
    collection's artwork that lies under another source holds it (one under this source is
    the same file re-exported, e.g. x.png replaced by x.jpg).
    """
    holders: dict[str, SourceItem] = {}
    for item in sorted(items, key=lambda i: (i.derived_id, i.uri)):
        holders.setdefault(item.object_id, item)
    conflicts = {
        item.uri: holders[item.object_id].uri
        for item in items
        if item.derived_id and holders[item.object_id] is not item
    }
    derived = [i for i in items if i.derived_id and i.uri not in conflicts]
    if derived and source:
        params = {
            "collection": collection,
            "object_ids": [i.object_id for i in derived],
            "root": normalize_uri(source),
        }
        held = {row["object_id"]: row["uri"] for row in db.fetch_all("held_objects", params)}
        conflicts.update({i.uri: held[i.object_id] for i in derived if i.object_id in held})
    return conflicts
