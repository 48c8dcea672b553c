"""Run an export: read the artworks once, write one format under a folder or object-store URI."""

from __future__ import annotations

import io
import json
import posixpath
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

import fsspec

from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.db.database import Database
from archive_analyzer.errors import SourceError
from archive_analyzer.export import annotations, catalog_csv, linked_art
from archive_analyzer.export.records import Filters, artworks, slug
from archive_analyzer.sources import normalize_uri

FORMATS = ("linked-art", "iiif-annotations", "csv")


@dataclass
class ExportResult:
    written: int = 0
    skipped: int = 0  # iiif-annotations: artworks with no IIIF canvas
    location: str = ""


class Output:
    """Files under a root URI (local folder, s3://, gs://...), created on demand."""

    def __init__(self, out: str) -> None:
        self.root = normalize_uri(out)
        try:
            self.fs, self.path = fsspec.core.url_to_fs(self.root)
            self.fs.makedirs(self.path, exist_ok=True)
        except Exception as exc:  # fsspec backends raise their own types; name the target
            raise SourceError(f"cannot write to {out}: {type(exc).__name__}: {exc}") from exc

        self.folders = {self.path}

    def write(self, name: str, data: bytes) -> None:
        full = f"{self.path}/{name}"
        folder = posixpath.dirname(full)
        if folder not in self.folders:  # object stores need none; local folders do
            self.fs.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        with self.fs.open(full, "wb") as handle:
            handle.write(data)


def _json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def export_linked_art(rows, out: Output, base: str, check: Callable | None) -> ExportResult:
    result, vocabulary = ExportResult(), load_vocabulary()
    for row in rows:
        document = linked_art.artwork(row, base, vocabulary)
        if check is not None:
            check(document)
        out.write(f"object/{slug(row['object_id'])}.json", _json(document))
        result.written += 1
    return result


def export_annotations(rows, out: Output, base: str) -> ExportResult:
    result = ExportResult()
    for row in rows:
        page = annotations.annotation_page(row, base)
        if page is None:
            result.skipped += 1
            continue
        out.write(f"annotations/{annotations.page_name(row)}", _json(page))
        result.written += 1
    return result


def export_csv(rows, out: Output, bom: bool) -> ExportResult:
    result, text = ExportResult(), io.StringIO(newline="")
    table = catalog_csv.writer(text)
    for row in rows:
        table.writerow(catalog_csv.csv_row(row))
        result.written += 1
    out.write("artworks.csv", text.getvalue().encode("utf-8-sig" if bom else "utf-8"))
    return result


def export(
    db: Database,
    fmt: str,
    out: str,
    filters: Filters | None = None,
    base: str | None = None,
    bom: bool = False,
    check: Callable | None = None,
) -> ExportResult:
    """Write `fmt` under `out`; ids of JSON documents start with `base` (default: `out`)."""
    if fmt not in FORMATS:
        raise SourceError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    target = Output(out)
    base = (base or target.root).rstrip("/")
    with closing(artworks(db, filters or Filters())) as rows:  # ends the cursor on errors too
        if fmt == "linked-art":
            result = export_linked_art(rows, target, base, check)
        elif fmt == "iiif-annotations":
            result = export_annotations(rows, target, base)
        else:
            result = export_csv(rows, target, bom)
    result.location = target.root
    return result
