"""Manifests as spreadsheets save them, exact line numbers, the mapping to write; links swapped
after listing; permanent HTTP errors from an object store are not retried."""

from __future__ import annotations

import csv
import io
import json
import logging
import os

import boto3
import numpy as np
import pytest
from PIL import Image

from archive_analyzer.errors import SourceError
from archive_analyzer.retry import RetryPolicy
from archive_analyzer.sources import list_images, read_manifest
from archive_analyzer.stages.contract import MESSAGE, STATUS, URI, Status
from archive_analyzer.stages.decode import Decode, DecodeConfig
from archive_analyzer.storage import ReadFailed, read_bytes
from tests.conftest import SHARED_DATA

TATE = SHARED_DATA / "metadata" / "tate_paintings.csv"


def tate_rows_with_accents(count: int = 4) -> tuple[list[str], list[dict]]:
    with TATE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [next(reader) for _ in range(count)]
    accented = ["Étude à Montmartre", "Café de la Paix", "Señora Núñez", "Über den Dächern"]
    for row, title in zip(rows, accented, strict=False):
        row["title"] = title
    return list(reader.fieldnames), rows


def write_csv(path, fields, rows, encoding, delimiter=","):
    text = io.StringIO()
    writer = csv.DictWriter(text, fields, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))


@pytest.mark.parametrize(
    ("encoding", "delimiter", "warns"),
    [
        ("utf-8", ",", False),
        ("utf-8-sig", ",", False),
        ("utf-16", "\t", False),  # Excel "Unicode text": UTF-16 LE with BOM, tab-separated
        ("utf-16-be", ",", False),
        ("cp1252", ",", True),  # Excel "CSV" on Windows
    ],
)
def test_manifest_encodings(tmp_path, caplog, encoding, delimiter, warns):
    fields, rows = tate_rows_with_accents()
    path = tmp_path / "tate.csv"
    if encoding == "utf-16-be":
        # A BOM-marked big-endian file, as some Mac exports write it.
        text = io.StringIO()
        csv.DictWriter(text, fields, lineterminator="\n").writeheader()
        csv.DictWriter(text, fields, lineterminator="\n").writerows(rows)
        path.write_bytes(b"\xfe\xff" + text.getvalue().encode("utf-16-be"))
    else:
        write_csv(path, fields, rows, encoding, delimiter)
    with caplog.at_level(logging.WARNING, logger="archive_analyzer.sources"):
        found = read_manifest(str(path))
    assert [r["title"] for r in found] == [r["title"] for r in rows]
    assert found[0]["object_id"] == rows[0]["acno"]
    warned = [r.getMessage() for r in caplog.records if "cp1252" in r.getMessage()]
    assert bool(warned) == warns
    if warns:
        assert str(path) in warned[0]


def test_undecodable_manifest_names_its_line(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b"image_uri,title\na.jpg,ok\nb.jpg,bad \x81 byte\n")
    with pytest.raises(SourceError, match=r"m.csv line 3: byte 0x81"):
        read_manifest(str(path))


def test_missing_column_lists_columns_and_the_mapping_to_write(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Inventory Number,Object Title,Width,Picture File\nA1,Dusk,3,a.jpg\n")
    with pytest.raises(SourceError) as caught:
        read_manifest(str(path))
    message = str(caught.value)
    assert "Columns found: Inventory Number, Object Title, Width, Picture File" in message
    assert f"write {path}.mapping.json" in message
    snippet = json.loads(message[message.index("{") :])
    assert snippet["image_uri"] == "Picture File"
    assert snippet["object_id"] == "Inventory Number"
    assert snippet["title"] == "Object Title"
    # The snippet, written as shown, is a working mapping.
    (tmp_path / "export.csv.mapping.json").write_text(json.dumps(snippet))
    (row,) = read_manifest(str(path))
    assert (row["image_uri"], row["object_id"], row["title"]) == ("a.jpg", "A1", "Dusk")


def test_jsonl_error_has_the_file_line_number(tmp_path):
    path = tmp_path / "m.jsonl"
    lines = [
        json.dumps({"image_uri": "a.jpg", "title": "a\u2028b"}, ensure_ascii=False),
        "",
        "   ",
        json.dumps({"image_uri": "b.jpg"}),
        '{"image_uri": "c.jpg",}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"m.jsonl line 5 column \d+: not valid JSON"):
        read_manifest(str(path))


def jpeg(path) -> None:
    Image.fromarray(np.full((64, 64, 3), 120, np.uint8)).save(path)


@pytest.mark.parametrize("scheme", ["", "file://", "local://"])
def test_escaping_link_refused_at_listing_whatever_the_scheme(tmp_path, scheme):
    source, outside = tmp_path / "source", tmp_path / "secret.jpg"
    source.mkdir()
    jpeg(outside)
    (source / "a.jpg").symlink_to(outside)
    with pytest.raises(SourceError, match="outside the source"):
        list_images(f"{scheme}{source}")


def test_file_swapped_for_a_link_after_listing_is_refused_by_decode(tmp_path):
    source, outside = tmp_path / "source", tmp_path / "secret.jpg"
    source.mkdir()
    jpeg(source / "a.jpg")
    jpeg(source / "b.jpg")
    jpeg(outside)
    items = list_images(str(source))
    os.remove(source / "a.jpg")
    (source / "a.jpg").symlink_to(outside)
    decode = Decode(DecodeConfig(source_root=f"file://{source}"))
    out = decode({URI: np.array([item.uri for item in items], dtype=object)})
    assert list(out[STATUS]) == [Status.FAILED, Status.OK]
    assert "outside the source" in out[MESSAGE][0] and "checked when read" in out[MESSAGE][0]


@pytest.fixture
def bucket(s3_env) -> str:
    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(Bucket="permanent")
    client.put_object(Bucket="permanent", Key="a.jpg", Body=b"bytes")
    return "permanent"


@pytest.mark.parametrize(
    ("key", "status"),
    [("a.jpg?versionId=not-a-version", 400), ("missing.jpg", 404)],
)
def test_permanent_http_errors_are_not_retried(bucket, key, status):
    slept: list[float] = []
    with pytest.raises(ReadFailed) as caught:
        read_bytes(f"s3://{bucket}/{key}", RetryPolicy(attempts=5), sleep=slept.append)
    assert caught.value.attempts == 1 and slept == [] and caught.value.final
    if status == 400:
        assert "HTTP 400" in str(caught.value)


def test_transient_errors_are_still_retried(s3_env):
    # A port nobody listens on: connection refused, worth retrying.
    slept: list[float] = []
    with pytest.raises(ReadFailed) as caught:
        read_bytes("http://127.0.0.1:9/x.jpg", RetryPolicy(attempts=3), sleep=slept.append)
    assert caught.value.attempts == 3 and len(slept) == 2 and not caught.value.final
