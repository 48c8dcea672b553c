"""Listing over HTTP: IIIF manifests and collections, and manifest rows that name URLs.

The driver fetches only small documents: the manifest (and the collection's manifests) and each
image service's info.json. Fingerprints come from those, so a night with nothing changed
downloads no image; image bytes are read later by the decode workers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import fsspec

from archive_analyzer.errors import ConfigError, SourceError
from archive_analyzer.iiif import image_api, presentation
from archive_analyzer.iiif.http import head_fingerprint, is_http
from archive_analyzer.metadata import SERVICE_COLUMNS, ManifestMapping
from archive_analyzer.sources import (
    PAGE,
    SourceItem,
    attach_manifest,
    image_pages,
    list_images,
    normalize_uri,
    read_manifest,
)
from archive_analyzer.storage import ReadFailed, RetryPolicy, read_bytes

logger = logging.getLogger(__name__)

MAX_DOCUMENTS = 10_000  # manifests followed from one collection tree: a loop guard


def is_iiif_source(source: str) -> bool:
    """An http(s) URL or a .json file: a IIIF manifest or collection, not a folder of files."""
    return is_http(source) or source.lower().endswith(".json")


def load_json(location: str, policy: RetryPolicy) -> dict:
    try:
        if is_http(location):
            data = read_bytes(location, policy)
        else:
            with fsspec.open(normalize_uri(location), "rb") as handle:
                data = handle.read()
        return json.loads(data)
    except (ReadFailed, OSError, ValueError) as exc:
        raise SourceError(f"cannot read IIIF document {location}: {exc}") from exc


def canvases(source: str, policy: RetryPolicy) -> list[presentation.CanvasImage]:
    """Every canvas image under a manifest or (nested) collection, in document order."""
    found: list[presentation.CanvasImage] = []
    queue, seen = [source], set()
    while queue:
        location = queue.pop(0)
        if location in seen:
            continue
        if len(seen) >= MAX_DOCUMENTS:
            raise SourceError(f"{source}: more than {MAX_DOCUMENTS} IIIF documents; refused")
        seen.add(location)
        try:
            document = presentation.parse(load_json(location, policy), location)
        except ValueError as exc:
            raise SourceError(str(exc)) from exc
        found += document.canvases
        queue += document.references
    return found


def _resolve(base: str, version: int, policy: RetryPolicy, size: str) -> tuple[str, str | None]:
    """(image request URL, fingerprint) for an Image API base URL, from its info.json."""
    try:
        info = load_json(image_api.info_url(base), policy)
        service = image_api.parse_info(info, image_api.info_url(base))
    except SourceError as exc:
        logger.warning("%s; the full image will be requested", exc)
        return image_api.fallback_url(base, version), None
    return image_api.image_url(service, size), service.fingerprint


def _item(canvas: presentation.CanvasImage, policy: RetryPolicy, size: str) -> SourceItem:
    if canvas.service:
        uri, fingerprint = _resolve(canvas.service, canvas.service_version, policy, size)
    else:
        uri = str(canvas.image)
        fingerprint = head_fingerprint(uri, policy.per_host) if is_http(uri) else None
    return SourceItem(uri, None, canvas.object_id, canvas.metadata, fingerprint)


def _unique(items: list[SourceItem]) -> list[SourceItem]:
    by_uri: dict[str, SourceItem] = {}
    for item in items:
        if item.uri in by_uri:
            logger.warning("%s is painted on two canvases; analysed once", item.uri)
        by_uri.setdefault(item.uri, item)
    return list(by_uri.values())


def _parallel(function, values: list, policy: RetryPolicy) -> list:
    # The per-host limit inside the client bounds each host; threads only overlap waits.
    with ThreadPoolExecutor(max_workers=max(1, policy.per_host * 2)) as pool:
        return list(pool.map(function, values))


def iiif_items(source: str, policy: RetryPolicy, size: str) -> list[SourceItem]:
    found = canvases(source, policy)
    items = _parallel(lambda canvas: _item(canvas, policy, size), found, policy)
    return _unique(items)


def row_service(row: dict[str, Any]) -> str | None:
    named = next((str(row[c]) for c in SERVICE_COLUMNS if row.get(c)), None)
    uri = str(row.get("image_uri") or "")
    return named or (uri if uri.endswith("/info.json") else None)


def is_remote_row(row: dict[str, Any]) -> bool:
    return bool(row_service(row)) or is_http(str(row.get("image_uri") or ""))


def _row_item(row: dict[str, Any], policy: RetryPolicy, size: str) -> SourceItem:
    service = row_service(row)
    if service:
        uri, fingerprint = _resolve(service, 3, policy, size)
    else:
        uri = str(row["image_uri"])
        fingerprint = head_fingerprint(uri, policy.per_host)
    # Blank values stay: a mapped column left blank clears its field (metadata.py).
    metadata = {k: v for k, v in row.items() if k not in ("image_uri", "object_id")}
    return SourceItem(uri, None, str(row.get("object_id") or uri), metadata, fingerprint)


def remote_items(rows: list[dict[str, Any]], policy: RetryPolicy, size: str) -> list[SourceItem]:
    """Manifest rows naming an http(s) image or a IIIF Image API base URL, fetched politely."""
    return _unique(_parallel(lambda row: _row_item(row, policy, size), rows, policy))


def collect(
    source: str | None,
    manifest: str | None,
    policy: RetryPolicy,
    size: str,
    mapping: ManifestMapping | None = None,
) -> tuple[list[SourceItem], list[str]]:
    """Listed items and the manifest's local URIs not found: IIIF, remote rows, or a folder."""
    if source and is_iiif_source(source):
        if manifest:
            raise ConfigError("a IIIF source carries its own metadata; drop --manifest")
        return iiif_items(source, policy, size), []
    rows = read_manifest(manifest, mapping) if manifest else []
    remote = [row for row in rows if is_remote_row(row)]
    local = [row for row in rows if not is_remote_row(row)]
    fetched = remote_items(remote, policy, size) if remote else []
    if not source:
        if local:
            raise ConfigError(
                f"manifest {manifest}: {len(local)} rows name files by path; give SOURCE, "
                "the folder or bucket they lie under"
            )
        if not fetched:
            raise ConfigError("source: no source given (argument SOURCE or --manifest of URLs)")
        return fetched, []
    listed, missing = attach_manifest(list_images(source), local, source)
    return [*listed, *fetched], missing


def collect_pages(
    source: str | None,
    manifest: str | None,
    policy: RetryPolicy,
    size: str,
    mapping: ManifestMapping | None = None,
) -> tuple[Iterable[list[SourceItem]], list[str]]:
    """`collect` as pages: a folder or bucket without a manifest is listed lazily, a page at a
    time; a manifest's rows are joined to the listing in memory (its size), then paged."""
    if source and not manifest and not is_iiif_source(source):
        return image_pages(source), []
    items, missing = collect(source, manifest, policy, size, mapping)
    return (items[n : n + PAGE] for n in range(0, len(items), PAGE)), missing
