"""Museum metadata from a manifest row onto the artwork's columns.

Known columns become typed fields; everything else is kept verbatim in the metadata JSON, so no
catalogue information is lost even when we do not understand it yet.
"""

from __future__ import annotations

import re
from typing import Any

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "artist": ("artist", "artist_name", "all_artists", "attribution", "maker"),
    "date_text": ("date", "date_text", "datetext", "year", "year_source", "displaydate"),
    "medium": ("medium", "materials", "medium_display"),
}

_YEAR = re.compile(r"(?<!\d)(\d{3,4})(?!\d)")


def year_range(date_text: str | None) -> tuple[int | None, int | None]:
    """The span of years a date text names: '1852' -> (1852, 1852); '1830-1845' -> both ends."""
    if not date_text:
        return None, None
    years = [int(y) for y in _YEAR.findall(str(date_text))]
    if not years:
        return None, None
    return min(years), max(years)


def artwork_fields(object_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
    lowered = {key.lower(): value for key, value in metadata.items()}
    fields: dict[str, Any] = {"object_id": object_id}
    for name, aliases in FIELD_ALIASES.items():
        fields[name] = next((str(lowered[a]) for a in aliases if lowered.get(a)), None)
    fields["year_start"], fields["year_end"] = year_range(fields["date_text"])
    return fields
