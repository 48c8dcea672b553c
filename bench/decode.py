"""Large-image decode: the Decode stage (JPEG draft, Image.reduce) vs naive open+convert+resize.

Both sides read the same files and hash their bytes, so only the image work differs. The images
are synthetic 24-megapixel paintings (smooth gradients with detail, as a scan has) saved as a
quality-90 JPEG and an uncompressed TIFF, the two forms museum masters usually take.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from archive_analyzer.model.preprocess import ImageSpec, square_pixels
from archive_analyzer.stages.decode import Decode, DecodeConfig
from bench.table import Row, at_least


def painting(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    channels = [
        180 * x + 60 * y,
        120 + 100 * np.sin(9 * x) * np.cos(7 * y),
        200 * y * (1 - x) + 30,
    ]
    base = np.stack([np.broadcast_to(c, (height, width)) for c in channels], axis=-1)
    grain = rng.integers(-12, 13, size=(height, width, 1), dtype=np.int16)
    return Image.fromarray(np.clip(base + grain, 0, 255).astype(np.uint8))


def naive(path: str, spec: ImageSpec) -> np.ndarray:
    data = Path(path).read_bytes()
    hashlib.sha256(data).hexdigest()
    import io

    image = Image.open(io.BytesIO(data)).convert("RGB")
    return square_pixels(image, spec)


def _seconds_per_image(work, paths: list[str], repeats: int) -> float:
    work(paths[:1])  # warm the page cache and Pillow's plugins
    started = time.perf_counter()
    for _ in range(repeats):
        work(paths)
    return (time.perf_counter() - started) / (repeats * len(paths))


def compare(path: str, repeats: int) -> tuple[float, float]:
    """Seconds per image for (Decode stage, naive)."""
    stage = Decode(DecodeConfig())
    spec = ImageSpec()

    def fast(paths):
        out = stage({"uri": paths, "object_id": [None] * len(paths)})
        assert out["status"] == ["ok"] * len(paths), out["message"]

    def slow(paths):
        for one in paths:
            naive(one, spec)

    return _seconds_per_image(fast, [path], repeats), _seconds_per_image(slow, [path], repeats)


def run(quick: bool = False) -> list[Row]:
    width, height = (1600, 1200) if quick else (6000, 4000)
    repeats = 1 if quick else 3
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-decode-") as tmp:
        image = painting(width, height)
        files = {
            "JPEG": Path(tmp) / "master.jpg",
            "TIFF": Path(tmp) / "master.tif",
        }
        image.save(files["JPEG"], quality=90)
        image.save(files["TIFF"])
        megapixels = width * height / 1e6
        for kind, path in files.items():
            fast, slow = compare(str(path), repeats)
            ratio, target, met = at_least(slow / fast, 3.0)
            rows.append(
                Row(
                    f"decode {megapixels:.0f} MP {kind} to 336 px square",
                    f"{fast * 1000:.0f} ms/img",
                    f"naive {slow * 1000:.0f} ms/img",
                    ratio,
                    target,
                    met,
                )
            )
    return rows
