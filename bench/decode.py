"""Large-image decode: the fast mode (JPEG draft, Image.reduce) vs the exact default, which
decodes every pixel as GalleryGPT did (`Image.open(...).convert("RGB")`, pad, resize).

Speed: both sides start from the same bytes in memory, so only the image work differs. The
images are synthetic 24-megapixel paintings (smooth gradients with detail, as a scan has) saved
as a quality-90 JPEG and an uncompressed TIFF, the two forms museum masters usually take.
Deviation: the shared collection's 100 paintings upscaled to a 4200 px long side (archive-master
size) and saved as quality-92 JPEGs; the fast mode's 336 px squares against the exact ones, in
8-bit levels.
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from archive_analyzer.model.preprocess import ImageSpec, square_pixels
from archive_analyzer.stages.decode import Decode, DecodeConfig
from bench.table import Row, at_least

PAINTINGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "paintings"


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
    """What GalleryGPT does: open, convert to RGB, then LLaVA's pad and resize at full size."""
    return square_pixels(Image.open(io.BytesIO(data)).convert("RGB"), spec)


def staged(stage: Decode, data: bytes) -> np.ndarray:
    """The fast Decode stage's image work on bytes already read (its open does draft and early
    shrink, `shrink` the rest, then the same pad and resize); reading and hashing are the same
    on both sides and left out."""
    from archive_analyzer.imaging import shrink

    image = stage._open(data)
    return square_pixels(shrink(image, stage.config.spec.size), stage.config.spec)


def seconds_per_image(work, data: bytes, repeats: int) -> float:
    work(data)  # warm Pillow's plugins and the allocator
    started = time.perf_counter()
    for _ in range(repeats):
        work(data)
    return (time.perf_counter() - started) / repeats


def compare(path: Path, repeats: int) -> tuple[float, float]:
    """Seconds per image for (fast Decode stage, exact)."""
    stage = Decode(DecodeConfig(decode_mode="fast"))
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
                    f"fast decode+pad+resize {megapixels:.0f} MP {kind} to 336 px",
                    f"{fast * 1000:.0f} ms/img",
                    f"exact {slow * 1000:.0f} ms/img",
                    ratio,
                    target,
                    met,
                )
            )
    rows.append(deviation(count=10 if quick else 100))
    return rows


def deviation(count: int) -> Row:
    """How far the fast mode's pixels are from the exact ones on archive-size paintings."""
    paths = sorted(PAINTINGS.glob("*.jpg"))[:count]
    if not paths:
        raise FileNotFoundError(f"no paintings in {PAINTINGS} (the shared collection)")
    with tempfile.TemporaryDirectory(prefix="bench-deviation-") as tmp:
        masters = [upscaled(path, Path(tmp) / path.name) for path in paths]
        uris = {"uri": [str(p) for p in masters]}
        fast = Decode(DecodeConfig(decode_mode="fast"))(uris)["pixels"].astype(np.int16)
        exact = Decode(DecodeConfig())(uris)["pixels"].astype(np.int16)
    levels = np.abs(fast - exact)
    off = float((levels > 0).mean())  # uint8 squares: > 0 is "more than half a level"
    return Row(
        f"fast vs exact pixels, {len(paths)} paintings at 4200 px",
        f"max {levels.max()} levels, mean {levels.mean():.2f}",
        f"{100 * off:.0f}% of values off by >= 1 level",
        1.0 - off,
        "share exact; exact is the default",
        True,
    )


def upscaled(source: Path, target: Path) -> Path:
    with Image.open(source) as image:
        scale = 4200 / max(image.size)
        size = (round(image.width * scale), round(image.height * scale))
        image.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(target, quality=92)
    return target
