"""IIIF in, over real HTTP on 127.0.0.1: manifests, info.json fingerprints, 429 politeness."""

from __future__ import annotations

import csv
import threading

import pytest

from archive_analyzer.iiif import image_api, presentation
from archive_analyzer.iiif.http import parse_retry_after
from archive_analyzer.iiif.listing import collect
from archive_analyzer.run.analyze import analyze
from archive_analyzer.storage import RetryPolicy, read_bytes
from tests.conftest import PAINTINGS
from tests.iiif_server import IIIFServer, build_layout

POLICY = RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.05)


@pytest.fixture
def iiif_server(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    server = IIIFServer(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    paintings = sorted(PAINTINGS.glob("*.jpg"))[:12]
    server.manifest = build_layout(root, paintings, server.url)
    server.root = root
    yield server
    server.shutdown()
    server.server_close()


def test_v3_language_maps_and_metadata_pairs():
    assert presentation.text({"fr": ["Nuit"], "en": ["Night"]}) == "Night"
    assert presentation.text({"none": ["Rembrandt"]}) == "Rembrandt"
    assert presentation.text({"de": ["Nacht"]}) == "Nacht"
    assert presentation.text([{"@value": "Nuit", "@language": "fr"}, {"@value": "Night"}]) == (
        "Night"
    )
    found = presentation.pairs([{"label": {"en": ["Creator"]}, "value": {"en": ["<b>Hals</b>"]}}])
    assert found == {"Creator": "Hals", "artist": "Hals"}


def test_v2_manifest_first_image_and_identity():
    canvas = {
        "@id": "https://m.example/c1",
        "@type": "sc:Canvas",
        "label": "Front",
        "images": [
            {"resource": {"@id": "https://i.example/a/full/full/0/default.jpg",
                          "service": {"@id": "https://i.example/a",
                                      "profile": "http://iiif.io/api/image/2/level1.json"}}},
            {"resource": {"@id": "https://i.example/b.jpg"}},
        ],
    }  # fmt: skip
    manifest = {
        "@id": "https://m.example/manifest",
        "@type": "sc:Manifest",
        "label": "The Laughing Cavalier",
        "metadata": [{"label": "Date", "value": "1624"}],
        "sequences": [{"canvases": [canvas]}],
    }
    (found,) = presentation.parse(manifest, "test").canvases
    assert found.object_id == "https://m.example/manifest"  # one canvas: the manifest is the work
    assert found.metadata["title"] == "The Laughing Cavalier"
    assert found.metadata["date_text"] == "1624"
    assert (found.service, found.service_version) == ("https://i.example/a", 2)
    assert "2 painting images; the first" in found.metadata["iiif_note"]


def test_size_choice_per_level_and_version():
    def service(level, version=3, sizes=()):
        return image_api.ImageService("https://i/x", version, level, 4000, 3000, sizes, "f")

    assert image_api.size_segment(service(2), "max") == "max"
    assert image_api.size_segment(service(2, version=2), "max") == "full"
    assert image_api.size_segment(service(1), "!2048,2048") == "2048,"
    assert image_api.size_segment(service(1), "!8000,8000") == "max"  # never upscale
    listed = ((500, 375), (1000, 750), (4000, 3000))
    assert image_api.size_segment(service(0, sizes=listed), "!2048,2048") == "1000,750"
    assert image_api.size_segment(service(0, 2, listed), "!2048,2048") == "1000,"
    assert image_api.size_segment(service(0, sizes=listed), "!100,100") == "500,375"


def test_retry_after_is_honoured(iiif_server):
    name = sorted(PAINTINGS.glob("*.jpg"))[0].stem
    path = f"/iiif/{name}/full/max/0/default.jpg"
    iiif_server.throttle[path], iiif_server.retry_after = 1, 7
    pauses = []
    data = read_bytes(iiif_server.url + path, POLICY, sleep=pauses.append)
    assert data == (PAINTINGS / f"{name}.jpg").read_bytes()
    assert pauses == [7.0]  # the server's pause, not the policy's 0.01 s backoff
    assert iiif_server.paths.count(path) == 2
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0


def test_missing_image_is_final_not_retried(iiif_server):
    from archive_analyzer.storage import ReadFailed

    with pytest.raises(ReadFailed) as failed:
        read_bytes(iiif_server.url + "/iiif/nothing/full/max/0/default.jpg", POLICY)
    assert failed.value.final and failed.value.attempts == 1


def test_manifest_lists_canvases_without_downloading_images(iiif_server):
    items, missing = collect(iiif_server.url + "/manifest.json", None, POLICY, "!1000,1000")
    assert len(items) == 12 and not missing
    assert iiif_server.requests["image"] == 0 and iiif_server.requests["info"] == 12
    first = items[0]
    assert first.object_id == f"{iiif_server.url}/canvas/1"
    assert first.metadata["title"] == "Painting 1" and first.metadata["artist"] == "Painter 1"
    assert first.metadata["iiif_canvas"] == first.object_id
    assert first.fingerprint.startswith("iiif:")
    assert "/full/max/0/" not in first.uri  # bounded: a listed smaller size of the level-0 server


def test_csv_of_urls_and_image_services(iiif_server, tmp_path):
    """Tate's export (built-in mapping) names images by URL; a column may hold Image API bases."""
    names = [p.stem for p in sorted(PAINTINGS.glob("*.jpg"))[:3]]
    tate = tmp_path / "tate.csv"
    with tate.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["acno", "title", "all_artists", "dateText", "medium", "thumbnailUrl"])
        out.writerow(
            [
                "A1",
                "Low Life",
                "Landseer",
                "1829",
                "Oil paint on mahogany",
                f"{iiif_server.url}/iiif/{names[0]}/full/max/0/default.jpg",
            ]
        )
        out.writerow(["A2", "No image", "Landseer", "1829", "Oil paint", ""])
    # fmt: skip
    items, missing = collect(None, str(tate), POLICY, "max")
    assert [i.object_id for i in items] == ["A1"] and not missing
    assert items[0].uri.startswith("http://127.0.0.1") and items[0].fingerprint  # from a HEAD
    services = tmp_path / "services.csv"
    services.write_text(
        "object_id,iiif_service,title\n"
        + "".join(f"S{n},{iiif_server.url}/iiif/{name},T{n}\n" for n, name in enumerate(names))
    )
    items, _ = collect(None, str(services), POLICY, "max")
    assert [i.uri.endswith("/full/max/0/default.jpg") for i in items] == [True] * 3
    assert all(i.fingerprint.startswith("iiif:") for i in items)


def test_analyse_manifest_then_nothing_changed_downloads_nothing(iiif_server, settings_for):
    settings = settings_for(iiif_server.url + "/manifest.json", embed=False)
    first = analyze(settings, engine="local", progress=False, say=lambda _: None)
    assert (first.status, first.analysed, first.failed) == ("succeeded", 12, 0)
    assert iiif_server.requests["image"] == 12
    iiif_server.reset_counts()
    second = analyze(settings, engine="local", progress=False, say=lambda _: None)
    assert (second.status, second.skipped, second.analysed) == ("succeeded", 12, 0)
    assert iiif_server.requests["image"] == 0  # only the manifest and the 12 info.json
    assert iiif_server.requests["info"] == 12
