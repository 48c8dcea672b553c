"""Listing a collection: image files under a URI, and the optional metadata manifest.

Only references travel: the driver lists URIs and sizes; bytes are read by the decode workers.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec
from fsspec.implementations.local import LocalFileSystem

from archive_analyzer.errors import SourceError
from archive_analyzer.metadata import (
    SERVICE_COLUMNS,
    ManifestMapping,
    canonical_rows,
    mapping_path,
    mapping_snippet,
    sidecar_mapping,
)

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif"})


@dataclass(frozen=True)
class SourceItem:
    uri: str
    size: int | None
    object_id: str
    metadata: dict[str, Any] = field(default_factory=dict)
    # size + ETag/mtime as listed: lets planning spot changed files without reading them.
    fingerprint: str | None = None
    # object_id is the file's path, not a manifest's word: two images with one such id in a
    # collection are a conflict, while a manifest may name several images (views) of one object.
    derived_id: bool = False


def normalize_uri(uri: str) -> str:
    """Local paths become absolute file:// URIs; remote URIs lose a trailing slash."""
    if uri.startswith("file://"):
        uri = uri.removeprefix("file://")
    elif "://" in uri:
        return uri.rstrip("/")
    # Not Path.as_uri(): fsspec does not unquote %20, and people read these URIs in SQL.
    return "file://" + str(Path(uri).expanduser().resolve())


def _full_uri(protocol: str, path: str) -> str:
    if protocol == "file":
        return "file://" + path
    return f"{protocol}://{path}"


def listing_fingerprint(info: dict[str, Any]) -> str:
    """Size plus the store's version marker (ETag, generation or mtime) from a listing."""
    for key in ("ETag", "etag", "generation", "mtime", "LastModified", "updated", "last_modified"):
        if info.get(key) is not None:
            return f"{info.get('size')}:{info[key]}"
    return f"{info.get('size')}:"


def is_local(fs: fsspec.AbstractFileSystem) -> bool:
    """This machine's filesystem, whatever the URI said (a path, file://, local://)."""
    return isinstance(fs, LocalFileSystem)


def local_path(uri: str) -> str | None:
    """The path of a URI on this machine's filesystem; None for object stores and HTTP."""
    try:
        fs, path = fsspec.core.url_to_fs(uri)
    except (ValueError, ImportError):  # a protocol fsspec does not know is not local
        return None
    return path if is_local(fs) else None


def refuse_escaping_link(path: str, root: str) -> None:
    """A symlink in a local source must stay inside it: workers read what the link names."""
    target, real_root = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath([target, real_root]) != real_root:
        raise SourceError(f"{path} links to {target}, outside the source {root}; refused")


PAGE = 5_000  # listed images per page: what the driver holds of a listing at once


def list_images(source: str) -> list[SourceItem]:
    """Every image file below `source`, recursively, sorted by URI."""
    return sorted((i for page in image_pages(source) for i in page), key=lambda i: i.uri)


def image_pages(source: str, page_size: int = PAGE) -> Iterator[list[SourceItem]]:
    """The image files below `source`, a page at a time: a local folder by a scandir walk, a
    bucket or other store one prefix ("folder") at a time, never the whole listing at once."""
    uri = normalize_uri(source)
    protocol = uri.split("://", 1)[0]
    try:
        fs, root = fsspec.core.url_to_fs(uri)
        if not fs.exists(root):
            raise SourceError(f"source {source} does not exist")
        single = not fs.isdir(root)
        entries = [(root, fs.info(root))] if single else _entries(fs, root)
        page: list[SourceItem] = []
        for path, info in entries:
            item = _image_item(fs, protocol, root.rstrip("/"), path, info)
            if item is not None:
                page.append(item)
            if len(page) >= page_size:
                yield page
                page = []
        if page:
            yield page
    except SourceError:
        raise
    except Exception as exc:  # fsspec backends raise their own types; name the source.
        raise SourceError(f"cannot list {source}: {type(exc).__name__}: {exc}") from exc


def _entries(fs: fsspec.AbstractFileSystem, root: str) -> Iterator[tuple[str, dict]]:
    if is_local(fs):
        yield from _local_entries(root, set())
        return
    for folder, _, files in fs.walk(root, detail=True):
        for name, info in sorted(files.items()):
            yield info.get("name") or f"{folder.rstrip('/')}/{name}", info


def _local_entries(folder: str, seen: set[str]) -> Iterator[tuple[str, dict]]:
    """Files under a local folder, each folder once. A linked file is listed (and later checked
    to stay inside the source); a linked folder is not walked, as fsspec's find does not."""
    real = os.path.realpath(folder)
    if real in seen:
        return
    seen.add(real)
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _local_entries(entry.path, seen)
        elif entry.is_file():
            stat = entry.stat()  # the link's target, as the workers will read it
            yield entry.path, {"size": stat.st_size, "mtime": stat.st_mtime}


def _image_item(fs, protocol: str, root_path: str, path: str, info: dict) -> SourceItem | None:
    if PurePosixPath(path).suffix.lower() not in IMAGE_EXTENSIONS:
        return None
    if is_local(fs):  # a linked file, or a file under a linked folder
        refuse_escaping_link(path, root_path)
    relative = path[len(root_path) :].lstrip("/") or PurePosixPath(path).name
    object_id = str(PurePosixPath(relative).with_suffix(""))
    fingerprint = listing_fingerprint(info)
    return SourceItem(_full_uri(protocol, path), info.get("size"), object_id, {}, fingerprint, True)


def read_manifest(uri: str, mapping: ManifestMapping | None = None) -> list[dict[str, Any]]:
    """Rows of a CSV or JSONL manifest; each row needs image_uri. `mapping` (a collection's)
    names the export's columns; else a sidecar mapping file, else a detected museum export."""
    try:
        with fsspec.open(normalize_uri(uri), "rb") as handle:
            data = handle.read()
    except Exception as exc:
        raise SourceError(f"cannot read manifest {uri}: {type(exc).__name__}: {exc}") from exc
    text = manifest_text(data, uri)
    if uri.lower().endswith((".jsonl", ".ndjson")):
        rows = _jsonl_rows(text, uri)
    else:
        rows = _csv_rows(text, uri)
    mapping = mapping or sidecar_mapping(uri)
    rows = canonical_rows(rows, mapping)  # museum exports: Tate, NGA, a mapping
    require_image_column(rows, uri, mapping)
    return _with_images(rows, uri)


def manifest_text(data: bytes, uri: str) -> str:
    """Manifest bytes as text, as spreadsheets save them: UTF-8 (with or without BOM), UTF-16
    with its BOM (Excel's "Unicode text"), else Windows-1252 (Excel's CSV on Windows)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(data, "utf-16", uri)
    if data.startswith(codecs.BOM_UTF8):
        return _decoded(data, "utf-8-sig", uri)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _decoded(data, "cp1252", uri)
    logger.warning(
        "manifest %s is not UTF-8; read as Windows-1252 (cp1252). Check accented names, or "
        "save it as UTF-8",
        uri,
    )
    return text


def _decoded(data: bytes, encoding: str, uri: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"manifest {uri} line {line}: byte {data[exc.start]:#04x} is not {encoding} text; "
            "save the manifest as UTF-8"
        ) from None


def _jsonl_rows(text: str, uri: str) -> list[dict[str, Any]]:
    rows = []
    # Split on newlines only: str.splitlines also breaks at U+2028 and other characters JSON
    # strings may hold, which shifts every line number after them.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"manifest {uri} line {number} column {exc.colno}: not valid JSON: {exc.msg}"
            ) from None
        if not isinstance(row, dict):
            raise SourceError(f"manifest {uri} line {number}: expected a JSON object")
        rows.append(row)
    return rows


def _csv_rows(text: str, uri: str) -> list[dict[str, Any]]:
    header = text.split("\n", 1)[0]
    # Excel's "Unicode text" separates with tabs, European Excel CSV with semicolons.
    delimiter = max((",", "\t", ";"), key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        raise SourceError(f"manifest {uri} line {reader.line_num}: not valid CSV: {exc}") from None


def require_image_column(
    rows: list[dict[str, Any]], uri: str, mapping: ManifestMapping | None
) -> None:
    """No row names an image: the export's columns are not ours. List them and show the
    mapping file that would fix it, ready to edit."""
    if not rows or any(r.get("image_uri") or any(r.get(c) for c in SERVICE_COLUMNS) for r in rows):
        return
    columns = list(rows[0])
    if "image_uri" in columns or any(c in columns for c in SERVICE_COLUMNS):
        return  # the column is there, only empty: _with_images names the rows
    where = mapping_path(uri)
    target = (
        f"write {where}" if where else "copy the manifest locally and write <manifest>.mapping.json"
    )
    raise SourceError(
        f"manifest {uri} has no image_uri column (and no mapping names one). "
        f"Columns found: {', '.join(columns) or '(none)'}. To map yours, {target}:\n"
        + mapping_snippet(columns)
    )


def _with_images(rows: list[dict[str, Any]], uri: str) -> list[dict[str, Any]]:
    """Rows naming an image; catalogue records without one (Tate has ~400) are named, not run."""
    kept, imageless = [], []
    for number, row in enumerate(rows, start=1):
        if row.get("image_uri") or any(row.get(c) for c in SERVICE_COLUMNS):
            kept.append(row)
        elif row.get("object_id"):
            imageless.append(str(row["object_id"]))
        else:
            raise SourceError(f"manifest {uri} row {number} has no image_uri and no object_id")
    if imageless:
        logger.warning(
            "manifest %s: %d records have no image and are not analysed (first: %s)",
            uri,
            len(imageless),
            ", ".join(imageless[:5]),
        )
    return kept


def resolve_within(image_uri: str, root: str, row_number: int) -> str:
    """A manifest's image_uri as a full URI, refused unless it lies under the source root.

    A manifest is data from outside (an export, a spreadsheet); it must not steer workers to
    read files or buckets the operator did not point the run at, e.g. `../../etc/passwd`.
    """
    if "://" in image_uri or image_uri.startswith(("/", "~")):
        resolved = normalize_uri(image_uri)
    else:
        resolved = f"{root}/{image_uri}"
    scheme, _, path = resolved.partition("://")
    resolved = f"{scheme}://{posixpath.normpath(path)}"
    if not resolved.startswith(root.rstrip("/") + "/"):
        raise SourceError(
            f"manifest row {row_number}: image_uri {image_uri!r} lies outside the source "
            f"{root}; refused"
        )
    return resolved


def attach_manifest(
    items: list[SourceItem], rows: list[dict[str, Any]], source: str
) -> tuple[list[SourceItem], list[str]]:
    """Give listed images their manifest metadata; return the manifest URIs not found."""
    root = normalize_uri(source)
    by_uri: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, start=1):
        by_uri[resolve_within(str(row["image_uri"]), root, number)] = row
    attached = []
    for item in items:
        row = by_uri.pop(item.uri, None)
        if row is None:
            attached.append(item)
            continue
        # Blank values stay: a mapped column left blank clears its field (metadata.py).
        metadata = {k: v for k, v in row.items() if k not in ("image_uri", "object_id")}
        object_id = str(row.get("object_id") or item.object_id)
        derived = not row.get("object_id")
        attached.append(
            SourceItem(item.uri, item.size, object_id, metadata, item.fingerprint, derived)
        )
    return attached, sorted(by_uri)
