"""Museum exports as manifests: Tate and NGA columns, a user's mapping, date texts as years."""

from __future__ import annotations

import csv
import json

import pytest

from archive_analyzer.metadata import artwork_fields, canonical_rows, year_range
from archive_analyzer.sources import read_manifest
from tests.conftest import SHARED_DATA

TATE = SHARED_DATA / "metadata" / "tate_paintings.csv"
NGA_VGWW = SHARED_DATA / "metadata" / "nga_vgww_object_details.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c.1837", (1837, 1837)),
        ("1829, exhibited 1831", (1829, 1829)),
        ("exhibited 1831", (1831, 1831)),
        ("1840–5", (1840, 1845)),
        ("c.1830–40, reworked and exhibited 1845", (1830, 1840)),
        ("1925/1928", (1925, 1928)),
        ("1820s", (1820, 1829)),
        ("late 18th C", (1767, 1799)),
        ("before 1850", (None, 1850)),
        ("1825 or 26", (1825, 1826)),
        ("date not known", (None, None)),
        (None, (None, None)),
    ],
)
def test_date_texts_become_year_ranges(text, expected):
    assert year_range(text) == expected


def test_tate_rows_load_with_their_year_ranges_and_original_text():
    with TATE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    agree = 0
    dated = [row for row in rows if row["startYear"]]
    for row in canonical_rows(rows):
        fields = artwork_fields(row["object_id"], row)
        assert fields["date_text"] == row["dateText"]
        assert fields["artist"] == row["all_artists"] and fields["title"] == row["title"]
        if row["startYear"] and fields["year_start"] == int(row["startYear"]):
            agree += 1
        if fields["year_start"] and fields["year_end"]:
            assert fields["year_start"] <= fields["year_end"]
    # Tate's own startYear disagrees with its dateText in a handful of rows ('c.1856' -> 1844).
    assert agree / len(dated) > 0.99
    landseer = next(r for r in canonical_rows(rows) if r["acno"] == "A00702")
    assert landseer["object_id"] == "A00702" and landseer["image_uri"].endswith("A00702_8.jpg")
    assert year_range(landseer["dateText"]) == (1829, 1829)


def test_nga_export_columns_map_to_artwork_fields():
    with NGA_VGWW.open(encoding="utf-8") as handle:
        rows = canonical_rows(list(csv.DictReader(handle)))
    fields = artwork_fields(rows[2]["object_id"], rows[2])
    assert fields["object_id"] == "1963.10.153"
    assert fields["artist"] == rows[2]["Artist"] == "Anonymous Artist"
    assert fields["medium"] == "oil on canvas"
    assert (fields["year_start"], fields["year_end"]) == (1925, 1928)
    nga_objects = canonical_rows(
        [
            {
                "objectid": "1",
                "accessionnum": "1942.9.97",
                "title": "The Dogana and Santa Maria della Salute, Venice",
                "attribution": "Joseph Mallord William Turner",
                "displaydate": "1843",
                "medium": "oil on canvas",
                "iiifthumburl": "https://x/1.jpg",
            }
        ]
    )
    assert nga_objects[0]["object_id"] == "1942.9.97"
    assert artwork_fields("1942.9.97", nga_objects[0])["year_start"] == 1843


def test_a_users_mapping_next_to_the_manifest_is_applied(tmp_path):
    manifest = tmp_path / "export.csv"
    manifest.write_text("Inv,File,Object Title,Maker,When\nX1,a.jpg,Sunset,A. Painter,c.1890\n")
    (tmp_path / "export.csv.mapping.json").write_text(
        json.dumps(
            {
                "object_id": "Inv",
                "image_uri": "File",
                "title": "Object Title",
                "artist": "Maker",
                "date_text": "When",
            }
        )
    )
    (row,) = read_manifest(str(manifest))
    assert (row["image_uri"], row["object_id"], row["title"]) == ("a.jpg", "X1", "Sunset")
    assert artwork_fields("X1", row)["year_start"] == 1890
