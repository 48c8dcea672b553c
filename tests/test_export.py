"""Exports parsed back: Linked Art through pyld with the vendored context, W3C annotations'
required fields, the CSV read back (with and without a BOM)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading

import pytest

from archive_analyzer.catalog.vocabulary import load_vocabulary
from archive_analyzer.export import jsonld, linked_art
from archive_analyzer.export.records import Filters
from archive_analyzer.export.write import export
from archive_analyzer.run.analyze import analyze
from tests.conftest import PAINTINGS
from tests.iiif_server import IIIFServer, build_layout

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
W3C_MOTIVATIONS = {"assessing", "bookmarking", "classifying", "commenting", "describing",
                   "editing", "highlighting", "identifying", "linking", "moderating",
                   "questioning", "replying", "tagging"}  # fmt: skip

ROW = {
    "object_id": "N-6334",
    "title": "The Hay Wain",
    "artist": "John Constable",
    "date_text": "1821",
    "year_start": 1821,
    "year_end": 1821,
    "medium": "Oil on canvas",
    "analysis_id": 7,
    "analysis": "A landscape in oil paint; the composition leads the eye along the river.",
    "model_version": "sha-abc",
    "model_location": "s3://models/gallerygpt-7b",
    "prompt_name": "formal_analysis",
    "prompt_version": "p-123",
    "run_id": 3,
    "analysed_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    "aspects": {"composition": ["The composition leads the eye along the river."]},
    "terms": ["landscape", "oil paint", "composition"],
    "palette": [{"hex": "#8b4513", "css_name": "saddlebrown", "share": 0.4}],
}


def round_trip(document: dict) -> dict:
    """Expand with the Linked Art context and compact back: terms the context does not define
    are dropped by expansion, so any difference names a property that is not Linked Art."""
    expanded = jsonld.expand(document)
    assert expanded, "expansion produced nothing"
    compacted = jsonld.compact(expanded)
    compacted["@context"] = document["@context"]
    return compacted


def test_linked_art_document_is_valid_against_the_context():
    document = linked_art.artwork(ROW, "https://museum.example/la", load_vocabulary())
    assert round_trip(document) == json.loads(json.dumps(document))
    (node,) = [n for n in jsonld.expand(document) if n["@type"] == [CRM + "E22_Human-Made_Object"]]
    statement = node[CRM + "P67i_is_referred_to_by"][0]
    kinds = [t["@id"] for t in statement[CRM + "P2_has_type"]]
    assert kinds == ["http://vocab.getty.edu/aat/300435416"]
    about = {t["@id"] for t in statement[CRM + "P129_is_about"]}
    assert about == {"http://vocab.getty.edu/aat/300015636", "http://vocab.getty.edu/aat/300015050"}
    (assignment,) = statement[CRM + "P141i_was_assigned_by"]
    assert assignment["@type"] == [CRM + "E13_Attribute_Assignment"]
    used = json.dumps(assignment[CRM + "P16_used_specific_object"])
    assert "gallerygpt-7b" in used and "sha-abc" in used and "p-123" in used


def test_an_undefined_property_fails_the_round_trip():
    document = linked_art.artwork(ROW, "https://museum.example/la", load_vocabulary())
    document["referred_to_by"][0]["confidence"] = 0.9  # not a Linked Art term
    assert round_trip(document) != json.loads(json.dumps(document))


@pytest.fixture
def analysed(tmp_path, settings_for, db):
    root = tmp_path / "site"
    root.mkdir()
    server = IIIFServer(root)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    build_layout(root, sorted(PAINTINGS.glob("*.jpg"))[:12], server.url)
    settings = settings_for(server.url + "/manifest.json", embed=False)
    summary = analyze(settings, engine="local", progress=False, say=lambda _: None)
    assert summary.analysed == 12
    yield server
    server.shutdown()
    server.server_close()


def test_exports_parse_back(analysed, db, tmp_path):
    out = tmp_path / "out"
    result = export(db, "linked-art", str(out), check=jsonld.expand)
    assert result.written == 12
    for path in (out / "object").glob("*.json"):
        document = json.loads(path.read_text())
        assert round_trip(document) == document
    result = export(db, "iiif-annotations", str(out))
    assert (result.written, result.skipped) == (12, 0)
    canvases = set()
    for path in (out / "annotations").glob("*.json"):
        page = json.loads(path.read_text())
        assert page["type"] == "AnnotationPage" and page["id"].endswith(path.name)
        (annotation,) = page["items"]
        assert {"id", "type", "body", "target"} <= set(annotation)  # W3C's required fields
        assert annotation["type"] == "Annotation" and annotation["motivation"] in W3C_MOTIVATIONS
        body = annotation["body"]
        assert body["type"] == "TextualBody" and body["language"] == "en" and body["value"]
        assert annotation["target"]["partOf"][0]["id"] == f"{analysed.url}/manifest.json"
        canvases.add(annotation["target"]["id"])
    assert canvases == {f"{analysed.url}/canvas/{n}" for n in range(1, 13)}
    export(db, "csv", str(out), bom=True)
    raw = (out / "artworks.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 12 and rows[0]["model_name"] and rows[0]["analysis"]
    assert {r["artist"] for r in rows} == {"Painter 0", "Painter 1", "Painter 2"}
    assert all(r["top_colours"].startswith("#") for r in rows)
    export(db, "csv", str(out), Filters(artist="Painter 1"))
    raw = (out / "artworks.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.DictReader(io.StringIO(raw.decode())))) == 4
