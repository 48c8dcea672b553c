"""Museum metadata from a manifest row onto the artwork's columns.

Manifests arrive as museums export them. A mapping names which export column holds each field
(built in: the Tate collection export and the NGA open-data `objects` table, detected by their
columns; or a user's own mapping, a JSON file next to the manifest). Known fields become typed
columns; every original column is still kept verbatim in the metadata JSON, so no catalogue
information is lost. Date texts ("c.1837", "1829, exhibited 1831", "1840-5", "late 18th C")
become a year range; the original text is kept in date_text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive_analyzer.errors import SourceError

FIELDS = ("object_id", "image_uri", "title", "artist", "date_text", "medium")
# Columns holding a IIIF Image API base URL instead of an image file (NGA's `iiifurl`).
SERVICE_COLUMNS = ("iiif_service", "iiif_image_service", "iiifurl")

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "artist": ("artist", "artist_name", "all_artists", "attribution", "maker"),
    "date_text": ("date", "date_text", "datetext", "year", "year_source", "displaydate"),
    "medium": ("medium", "materials", "medium_display", "material_statement"),
}


@dataclass(frozen=True)
class ManifestMapping:
    """Which export column holds each field; `detect` columns identify the export."""

    name: str
    columns: dict[str, str]
    detect: tuple[str, ...] = field(default=())

    def matches(self, header: set[str]) -> bool:
        return bool(self.detect) and set(self.detect) <= header


TATE = ManifestMapping(
    "tate",
    {
        "object_id": "acno",
        "image_uri": "thumbnailUrl",
        "title": "title",
        "artist": "all_artists",
        "date_text": "dateText",
        "medium": "medium",
    },
    detect=("acno", "all_artists", "dateText"),
)
NGA = ManifestMapping(
    "nga",
    {
        "object_id": "accessionnum",
        "image_uri": "iiifthumburl",
        "title": "title",
        "artist": "attribution",
        "date_text": "displaydate",
        "medium": "medium",
    },
    detect=("accessionnum", "displaydate", "attribution"),
)
# National Gallery of Art's van Gogh Worldwide object details (shared/data/metadata).
NGA_VGWW = ManifestMapping(
    "nga_vgww",
    {
        "object_id": "Accession_no",
        "image_uri": "Digital_image_URL",
        "title": "Title",
        "artist": "Artist",
        "date_text": "Date_description",
        "medium": "Material_statement",
    },
    detect=("Accession_no", "Date_description", "Material_statement"),
)
BUILT_IN = (TATE, NGA, NGA_VGWW)


def user_mapping(path: Path) -> ManifestMapping:
    """A JSON object {"title": "Object Title", "artist": "Maker", ...} of field -> column."""
    try:
        columns = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read manifest mapping {path}: {exc}") from exc
    return mapping_from(columns, f"mapping {path}", path.stem)


def mapping_from(columns: Any, where: str, name: str) -> ManifestMapping:
    """field -> column as given in a mapping file or a collections file; unknown fields refused."""
    unknown = set(columns) - set(FIELDS) if isinstance(columns, dict) else {"(not an object)"}
    if unknown:
        raise SourceError(f"{where}: unknown fields {sorted(unknown)}; use {FIELDS}")
    return ManifestMapping(name, {k: str(v) for k, v in columns.items()})


def mapping_path(manifest: str) -> Path | None:
    """Where a local manifest's mapping goes: `<manifest>.mapping.json` beside it."""
    path = manifest.removeprefix("file://")
    if "://" in path:
        return None
    return Path(path).with_name(Path(path).name + ".mapping.json")


def sidecar_mapping(manifest: str) -> ManifestMapping | None:
    """`<manifest>.mapping.json` next to a local manifest, if the user wrote one."""
    sidecar = mapping_path(manifest)
    return user_mapping(sidecar) if sidecar is not None and sidecar.is_file() else None


# Words in a column name that suggest a field, for the mapping a person is shown to edit.
_HINTS = {
    "object_id": ("accession", "acno", "inventory", "number", "id", "object_id", "object"),
    "image_uri": ("image", "url", "uri", "file", "path", "thumbnail", "picture"),
}


def _guess(name: str, columns: list[str]) -> str | None:
    hints = _HINTS.get(name) or FIELD_ALIASES.get(name, ())
    lowered = [c.lower().replace(" ", "_") for c in columns]
    for hint in hints:
        for column, low in zip(columns, lowered, strict=True):
            # Short hints ("id") only as the whole name: "width" is no identifier.
            if hint == low or (len(hint) > 3 and hint in low):
                return column
    return None


def mapping_snippet(columns: list[str]) -> str:
    """A `<manifest>.mapping.json` for these columns: best guesses, placeholders otherwise."""
    mapping = {name: _guess(name, columns) or f"<column with the {name}>" for name in FIELDS}
    return json.dumps(mapping, indent=2, ensure_ascii=False)


def detect_mapping(header: set[str]) -> ManifestMapping | None:
    return next((m for m in BUILT_IN if m.matches(header)), None)


def canonical_rows(
    rows: list[dict[str, Any]], mapping: ManifestMapping | None = None
) -> list[dict[str, Any]]:
    """Rows with the canonical fields (image_uri, object_id, title, ...) filled from the mapping.

    Original columns stay; a canonical field the row already has is not overwritten. A mapped
    column that is blank gives a blank field: the manifest says the value is empty, which is
    not the same as a column it does not have.
    """
    if not rows:
        return rows
    mapping = mapping or detect_mapping(set(rows[0]))
    if mapping is None:
        return rows
    result = []
    for row in rows:
        extra = {
            name: blank_to_none(row[column])
            for name, column in mapping.columns.items()
            if column in row and not row.get(name)
        }
        result.append({**row, **extra})
    return result


def blank_to_none(value: Any) -> Any:
    """An exported blank: empty or whitespace text, or NGA's literal "NULL"."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "NULL")):
        return None
    return value


def artwork_fields(object_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Typed artwork columns from a manifest row, and `mapped_fields`: the fields the row has a
    column for. A mapped blank is None (it clears the column); an unmapped field is None too,
    and left alone by the writers because it is not in `mapped_fields`."""
    lowered = {key.lower(): value for key, value in metadata.items()}
    mapping = detect_mapping(set(metadata))
    fields: dict[str, Any] = {"object_id": object_id}
    mapped = []
    for name, aliases in FIELD_ALIASES.items():
        column = mapping.columns.get(name, "").lower() if mapping else ""
        present = [a for a in ((column, *aliases) if column else aliases) if a in lowered]
        filled = [a for a in present if blank_to_none(lowered[a]) is not None]
        fields[name] = str(lowered[filled[0]]) if filled else None
        if present:
            mapped.append(name)
    fields["year_start"], fields["year_end"] = year_range(fields["date_text"])
    fields["mapped_fields"] = mapped
    return fields


# --- values the database can store -------------------------------------------------------

# Longest value kept, in characters. Identifying fields sit in btree indexes (object_id,
# artist), whose entries hold at most ~2,700 bytes: 500 characters fit even at 4 bytes each.
# Any other value (titles, inscriptions, provenance texts kept in the metadata JSON) up to 64 Ki.
MAX_INDEXED_CHARS = 500
MAX_VALUE_CHARS = 65_536
INDEXED_FIELDS = ("object_id", "artist")


def _text_problem(text: str, limit: int) -> str | None:
    if "\x00" in text:
        return f"contains a NUL character at position {text.index(chr(0))}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"contains a lone surrogate (not valid Unicode) at position {exc.start}"
    if len(text) > limit:
        return f"is {len(text):,} characters long, over the {limit:,} kept"
    return None


def _walk(name: str, value: Any) -> Iterator[tuple[str, str]]:
    """(field name, text) for every key and string inside a (JSON-like) manifest value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{name}.{key}" if name else str(key), str(key)
            yield from _walk(f"{name}.{key}" if name else str(key), inner)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk(f"{name}[{index}]", inner)
    elif isinstance(value, str):
        yield name, value


def metadata_problem(fields: dict[str, Any]) -> str | None:
    """Why an image's manifest values cannot be stored (NUL, lone surrogate, over-long), or None.

    PostgreSQL text and jsonb hold no NUL, UTF-8 has no lone surrogates, and an over-long value
    would break an index or the search documents: such an image gets a `bad_metadata` failure
    row, the rest of its block is written.
    """
    for name, text in _walk("", fields):
        limit = MAX_INDEXED_CHARS if name.lower() in INDEXED_FIELDS else MAX_VALUE_CHARS
        if problem := _text_problem(text, limit):
            return f"manifest field {ascii(name)[:80]} {problem}"
    return None


def metadata_hash(object_id: str, metadata: dict[str, Any]) -> str:
    """The manifest row as written (its object id and every column): a changed hash while the
    image is the same is corrected metadata, synced without running the model."""
    text = json.dumps([object_id, metadata], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# --- dates -------------------------------------------------------------------------------

# Later events in a work's life: their years bound the making but are not when it was made.
_EVENTS = re.compile(
    r"\b(exhibited|published|engraved|reworked|restored|retouched|repainted|printed|cast)\b"
)
_CLAUSES = re.compile(r",|;|\band\b")
_CENTURY = re.compile(r"\b(early|mid|late)?[\s-]*(\d{1,2})(?:st|nd|rd|th)\s*(?:c\b|century)")
_DECADE = re.compile(r"\b(early|mid|late)?[\s-]*(\d{3})0s\b")
_SPAN = re.compile(r"(?<!\d)(\d{3,4})\s*(?:[-–—/]|to|or)\s*(?:c\.\s*)?(\d{1,4})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(\d{3,4})(?!\d)")
_PART = {"early": (0.0, 1 / 3), "mid": (1 / 3, 2 / 3), "late": (2 / 3, 1.0), None: (0.0, 1.0)}


def _expand(first: str, second: str) -> int:
    """'1840-5' -> 1845, '1840-45' -> 1845: the second year borrows the first's leading digits."""
    return int(first[: len(first) - len(second)] + second)


def _part(start: int, length: int, part: str | None) -> tuple[int, int]:
    lo, hi = _PART[part]
    return start + round(lo * length), start + round(hi * length) - 1


def _clause_range(clause: str) -> tuple[int | None, int | None] | None:
    if match := _CENTURY.search(clause):
        return _part((int(match.group(2)) - 1) * 100, 100, match.group(1))
    if match := _DECADE.search(clause):
        return _part(int(match.group(2)) * 10, 10, match.group(1))
    years: list[int] = []
    for first, second in _SPAN.findall(clause):
        years += [int(first), _expand(first, second)]
    clause = _SPAN.sub(" ", clause)
    years += [int(y) for y in _YEAR.findall(clause)]
    if not years:
        return None
    lo, hi = min(years), max(years)
    if re.search(r"\bbefore\b", clause):
        return None, hi
    if re.search(r"\bafter\b", clause):
        return lo, None
    return lo, hi


def year_range(date_text: str | None) -> tuple[int | None, int | None]:
    """The span of years in which a work was made, from a museum's date text.

    '1852' -> (1852, 1852); 'c.1837' -> (1837, 1837); '1840-5' -> (1840, 1845);
    '1829, exhibited 1831' -> (1829, 1829): exhibition, publication, reworking are later
    events, used only when nothing else is known ('exhibited 1831' -> (1831, 1831)).
    """
    if not date_text:
        return None, None
    made, events = [], []
    for clause in _CLAUSES.split(str(date_text).lower()):
        found = _clause_range(clause)
        if found is not None:
            (events if _EVENTS.search(clause) else made).append(found)
    spans = made or events
    if not spans:
        return None, None
    starts = [s for s, _ in spans if s is not None]
    ends = [e for _, e in spans if e is not None]
    return (min(starts) if starts else None, max(ends) if ends else None)
