"""Large-image decode: the Decode stage (JPEG draft, Image.reduce) vs naive open+convert+resize.

Both sides start from the same bytes in memory, so only the image work differs. The images
are synthetic 24-megapixel paintings (smooth gradients with detail, as a scan has) saved as a
quality-90 JPEG and an uncompressed TIFF, the two forms museum masters usually take.
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from archive_analyzer.imaging import shrink
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


def naive(data: bytes, spec: ImageSpec) -> np.ndarray:
    """What a script does: open, convert to RGB, then LLaVA's pad and resize at full size."""
    return square_pixels(Image.open(io.BytesIO(data)).convert("RGB"), spec)


def staged(stage: Decode, data: bytes) -> np.ndarray:
    """The Decode stage's image work on bytes already read (its open does draft and early
    shrink, then the same pad and resize); reading and hashing are the same on both sides and
    left out."""
    image = stage._open(data)
    return square_pixels(shrink(image, stage.config.spec.size), stage.config.spec)


def seconds_per_image(work, data: bytes, repeats: int) -> float:
    work(data)  # warm Pillow's plugins and the allocator
    started = time.perf_counter()
    for _ in range(repeats):
        work(data)
    return (time.perf_counter() - started) / repeats


def compare(path: Path, repeats: int) -> tuple[float, float]:
    """Seconds per image for (Decode stage, naive)."""
    stage = Decode(DecodeConfig())
    data = path.read_bytes()
    fast = seconds_per_image(lambda d: staged(stage, d), data, repeats)
    slow = seconds_per_image(lambda d: naive(d, stage.config.spec), data, repeats)
    return fast, slow


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
            fast, slow = compare(path, repeats)
            ratio, target, met = at_least(slow / fast, 3.0)
            rows.append(
                Row(
                    f"decode+pad+resize {megapixels:.0f} MP {kind} to 336 px",
                    f"{fast * 1000:.0f} ms/img",
                    f"naive {slow * 1000:.0f} ms/img",
                    ratio,
                    target,
                    met,
                )
            )
    return rows
