"""A IIIF Image API 3.0 level-0 server for tests: a static layout on 127.0.0.1.

`build_layout` writes what a static IIIF publisher writes (info.json, the full image at `max`
and a few listed smaller sizes) plus a Presentation 3 manifest of the paintings. The handler
serves those files, counts requests by kind, and can answer 429 with Retry-After on demand.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image


def info_json(base: str, width: int, height: int) -> dict:
    sizes = [{"width": width // 4, "height": height // 4}, {"width": width, "height": height}]
    return {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": base,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level0",
        "width": width,
        "height": height,
        "sizes": sizes,
    }


def write_image(root: Path, name: str, painting: Path, base_url: str) -> tuple[int, int]:
    folder = root / "iiif" / name
    with Image.open(painting) as image:
        width, height = image.size
        (folder / "full" / "max" / "0").mkdir(parents=True)
        (folder / "full" / "max" / "0" / "default.jpg").write_bytes(painting.read_bytes())
        small = folder / "full" / f"{width // 4},{height // 4}" / "0"
        small.mkdir(parents=True)
        image.convert("RGB").resize((width // 4, height // 4)).save(small / "default.jpg")
    info = info_json(f"{base_url}/iiif/{name}", width, height)
    (folder / "info.json").write_text(json.dumps(info))
    return width, height


def canvas(base_url: str, name: str, number: int, width: int, height: int) -> dict:
    service = f"{base_url}/iiif/{name}"
    canvas_id = f"{base_url}/canvas/{number}"
    return {
        "id": canvas_id,
        "type": "Canvas",
        "label": {"en": [f"Painting {number}"]},
        "width": width,
        "height": height,
        "metadata": [
            {"label": {"en": ["Artist"]}, "value": {"none": [f"Painter {number % 3}"]}},
            {"label": {"en": ["Date"]}, "value": {"en": [f"c.{1800 + number}"]}},
            {"label": {"en": ["Medium"]}, "value": {"en": ["Oil on canvas"]}},
        ],
        "items": [
            {
                "id": f"{canvas_id}/page",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{canvas_id}/painting",
                        "type": "Annotation",
                        "motivation": "painting",
                        "target": canvas_id,
                        "body": {
                            "id": f"{service}/full/max/0/default.jpg",
                            "type": "Image",
                            "format": "image/jpeg",
                            "service": [{"id": service, "type": "ImageService3"}],
                        },
                    }
                ],
            }
        ],
    }


def build_layout(root: Path, paintings: list[Path], base_url: str) -> dict:
    canvases = []
    for number, painting in enumerate(paintings, start=1):
        width, height = write_image(root, painting.stem, painting, base_url)
        canvases.append(canvas(base_url, painting.stem, number, width, height))
    manifest = {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": f"{base_url}/manifest.json",
        "type": "Manifest",
        "label": {"en": ["Test paintings"]},
        "metadata": [{"label": {"en": ["Collection"]}, "value": {"en": ["Shared paintings"]}}],
        "items": canvases,
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return manifest


class Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        server = self.server
        with server.lock:
            server.requests[self.kind()] += 1
            server.paths.append(self.path)
            throttled = server.throttle.get(self.path, 0)
            if throttled:
                server.throttle[self.path] = throttled - 1
        if throttled:
            self.send_response(429)
            self.send_header("Retry-After", str(server.retry_after))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def kind(self) -> str:
        if self.path.endswith("info.json"):
            return "info"
        return "image" if self.path.endswith(".jpg") else "document"

    def log_message(self, *args) -> None:
        pass


class IIIFServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.lock = threading.Lock()
        self.requests: Counter = Counter()
        self.paths: list[str] = []
        self.throttle: dict[str, int] = {}  # path -> how many 429s to answer first
        self.retry_after = 1

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def reset_counts(self) -> None:
        with self.lock:
            self.requests.clear()
            self.paths.clear()
