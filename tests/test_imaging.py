"""The fast decode mode: same pixels for ordinary images, true sizes and close pixels for large
ones. The default exact mode decodes every pixel (test_upstream_pixels compares it)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from archive_analyzer.imaging import draft, full_size, shrink_factor, to_rgb
from archive_analyzer.model.preprocess import ImageSpec, square_pixels
from archive_analyzer.stages.decode import Decode, DecodeConfig


def smooth_image(width: int, height: int) -> Image.Image:
    """A painting-like image: gradients and soft shapes, nothing a resize would alias."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    red = 255 * (x / width)
    green = 255 * (0.5 + 0.5 * np.sin(x / 97.0) * np.cos(y / 131.0))
    blue = 255 * (y / height)
    return Image.fromarray(np.stack([red, green, blue], axis=-1).astype(np.uint8))


def save(image: Image.Image, path: Path, **options) -> str:
    image.save(path, **options)
    return str(path)


def naive_square(path: str) -> np.ndarray:
    with Image.open(path) as image:
        return square_pixels(to_rgb(image), ImageSpec())


def decode(paths: list[str], mode: str = "fast") -> dict:
    config = DecodeConfig(decode_mode=mode)
    return Decode(config)({"uri": paths, "object_id": [None] * len(paths)})


def test_ordinary_images_decode_exactly_as_before(tmp_path):
    paths = [
        save(smooth_image(1226, 900), tmp_path / "a.jpg", quality=90),
        save(smooth_image(800, 1200), tmp_path / "b.tif"),
    ]
    out = decode(paths)
    for index, path in enumerate(paths):
        assert np.array_equal(out["pixels"][index], naive_square(path))


def test_large_images_keep_their_true_size_and_look_the_same(tmp_path):
    paths = [
        save(smooth_image(3000, 2000), tmp_path / "big.jpg", quality=92),
        save(smooth_image(2000, 3000), tmp_path / "big.tif"),
    ]
    out = decode(paths)
    assert out["status"] == ["ok", "ok"]
    assert (out["width"], out["height"]) == ([3000, 2000], [2000, 3000])
    for index, path in enumerate(paths):
        difference = np.abs(out["pixels"][index].astype(int) - naive_square(path).astype(int))
        assert difference.mean() < 2.0


def test_a_rotated_large_jpeg_reports_its_displayed_size(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    buffer = io.BytesIO()
    smooth_image(3000, 2000).save(buffer, format="JPEG", exif=exif.tobytes())
    path = tmp_path / "rotated.jpg"
    path.write_bytes(buffer.getvalue())
    out = decode([str(path)])
    assert (out["width"][0], out["height"][0]) == (2000, 3000)
    difference = np.abs(out["pixels"][0].astype(int) - naive_square(str(path)).astype(int))
    assert difference.mean() < 2.0


def test_only_images_four_times_the_target_are_shrunk(tmp_path):
    assert shrink_factor(1343, 900, 336) == 1
    assert shrink_factor(1344, 900, 336) == 2
    assert shrink_factor(6000, 4000, 336) == 8
    path = save(smooth_image(3000, 2000), tmp_path / "big.jpg")
    with Image.open(path) as image:
        draft(image, 336)
        image.load()
        assert image.size == (750, 500)
        assert full_size(image) == (3000, 2000)


def test_the_exact_mode_decodes_large_images_in_full(tmp_path):
    path = save(smooth_image(3000, 2000), tmp_path / "big.jpg", quality=92)
    out = decode([path], mode="exact")
    assert (out["width"], out["height"]) == ([3000], [2000])
    assert np.array_equal(out["pixels"][0], naive_square(path))
    assert not np.array_equal(decode([path])["pixels"][0], out["pixels"][0])


def test_an_unknown_decode_mode_fails_fast():
    with pytest.raises(ValueError, match="decode_mode must be 'exact' or 'fast'"):
        DecodeConfig(decode_mode="quick")
