"""Pixels equal GalleryGPT's own: `Image.open(path).convert("RGB")` -> expand2square(mean colour)
-> CLIPImageProcessor, run by LLaVA's code under transformers 4.37.2 (tests/upstream).

Every painting of the shared collection, and paintings upscaled to archive-master size (where
the fast decode mode's shortcuts would apply), must match to 1e-6 in the default exact mode.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import PAINTINGS
from PIL import Image
from upstream.runner import run_upstream

from archive_analyzer.model.preprocess import CLIP_MEAN, CLIP_STD, ImageSpec, normalize
from archive_analyzer.model.vision import pad_image_processor
from archive_analyzer.stages.decode import Decode, DecodeConfig

PROCESSOR = {"size": 336, "mean": list(CLIP_MEAN), "std": list(CLIP_STD)}


def upstream_pixels(paths) -> np.ndarray:
    _, pixels = run_upstream({"images": [str(p) for p in paths], "processor": PROCESSOR})
    return pixels


def ours(paths, mode: str = "exact") -> np.ndarray:
    batch = Decode(DecodeConfig(decode_mode=mode))({"uri": [str(p) for p in paths]})
    assert batch["status"] == ["ok"] * len(paths), batch["message"]
    return normalize(batch["pixels"], ImageSpec())


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    """Three paintings upscaled to a 4200 px long side, as a JPEG and an uncompressed TIFF."""
    root = tmp_path_factory.mktemp("masters")
    paths = []
    for index, source in enumerate(sorted(PAINTINGS.glob("*.jpg"))[:3]):
        with Image.open(source) as image:
            scale = 4200 / max(image.size)
            big = image.convert("RGB").resize(
                (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
            )
        paths.append(root / f"{index}.jpg")
        big.save(paths[-1], quality=92)
        paths.append(root / f"{index}.tif")
        big.save(paths[-1])
    return paths, upstream_pixels(paths)


def test_all_100_paintings_equal_upstream():
    paths = sorted(PAINTINGS.glob("*.jpg"))
    assert len(paths) == 100
    difference = np.abs(ours(paths) - upstream_pixels(paths))
    worst = difference.reshape(len(paths), -1).max(axis=1)
    assert worst.max() < 1e-6, [p.name for p, w in zip(paths, worst, strict=True) if w >= 1e-6]


def test_archive_size_masters_equal_upstream_by_default(masters):
    paths, expected = masters
    assert np.abs(ours(paths) - expected).max() < 1e-6


def test_the_fast_mode_differs_from_upstream_on_masters(masters):
    paths, expected = masters
    levels = np.abs(ours(paths, "fast") - expected) * np.asarray(CLIP_STD)[:, None, None] * 255
    assert levels.max() > 1.0  # a shortcut, documented with its deviation in the README


def test_the_saved_processor_equals_upstream_on_ordinary_images():
    """What `model convert` saves for plain transformers / vLLM users (LlavaImageProcessorPil)."""
    paths = sorted(PAINTINGS.glob("*.jpg"))[:20]
    processor = pad_image_processor(336)
    saved = []
    for path in paths:
        with Image.open(path) as image:
            saved.append(
                processor(images=image.convert("RGB"), return_tensors="np").pixel_values[0]
            )
    assert np.abs(np.stack(saved) - upstream_pixels(paths)).max() < 1e-6


def test_a_palette_transparency_key_is_composited_unlike_upstream(tmp_path):
    """A documented difference (README): transparent pixels become white, in our decode and in
    the saved processor alike, where transformers 4.37.2 kept the palette colour."""
    rgb = np.zeros((96, 128, 3), dtype=np.uint8)
    rgb[:, :64] = (200, 30, 40)
    image = Image.fromarray(rgb).quantize(colors=4)
    key = image.getpixel((0, 0))
    path = tmp_path / "keyed.png"
    image.save(path, transparency=key)
    expected = upstream_pixels([path])[0]
    decoded = ours([path])[0]
    with Image.open(path) as opened:
        saved = pad_image_processor(336)(images=opened, return_tensors="np").pixel_values[0]
    white = (1.0 - np.asarray(CLIP_MEAN)) / np.asarray(CLIP_STD)
    assert np.abs(decoded[:, 168, 100] - white).max() < 1e-5
    assert np.abs(saved - decoded).max() < 1e-5
    assert np.abs(expected - decoded).max() > 1.0
