"""Preprocessing equals LLaVA's pad path: expand2square with the CLIP mean, then CLIP's processor.

The production path (Decode on CPU workers -> uint8 square -> `normalize` in the model actor)
is compared with a straightforward reference written here: PIL padding and transformers'
CLIPImageProcessorPil, on every painting of the shared collection.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from conftest import PAINTINGS
from PIL import Image

from archive_analyzer.imaging import to_rgb
from archive_analyzer.model.preprocess import CLIP_MEAN, CLIP_STD, ImageSpec, normalize
from archive_analyzer.stages.decode import Decode, DecodeConfig


def reference_pixels(image: Image.Image) -> np.ndarray:
    """LLaVA 1.5, image_aspect_ratio 'pad': expand2square, then CLIPImageProcessor."""
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    fill = tuple(int(x * 255) for x in CLIP_MEAN)
    width, height = image.size
    side = max(width, height)
    square = Image.new("RGB", (side, side), fill)
    square.paste(image, ((side - width) // 2, (side - height) // 2))
    processor = CLIPImageProcessorPil(
        size={"shortest_edge": 336},
        crop_size={"height": 336, "width": 336},
        image_mean=list(CLIP_MEAN),
        image_std=list(CLIP_STD),
    )
    return processor(images=square, return_tensors="np")["pixel_values"][0]


def production_pixels(uris: list[str]) -> np.ndarray:
    batch = Decode(DecodeConfig())({"uri": uris})
    assert batch["status"] == ["ok"] * len(uris), batch["message"]
    return normalize(batch["pixels"], ImageSpec())


def test_the_pad_colour_is_the_truncated_clip_mean():
    assert ImageSpec().fill == (122, 116, 104)


def test_all_100_paintings_equal_the_reference_pad_and_clip_processing():
    paths = sorted(PAINTINGS.glob("*.jpg"))
    assert len(paths) == 100
    ours = production_pixels([str(p) for p in paths])
    shapes = []
    for index, path in enumerate(paths):
        with Image.open(path) as image:
            shapes.append(image.size)
            expected = reference_pixels(image.convert("RGB"))
        assert np.abs(ours[index] - expected).max() < 1e-6, path.name
    ratios = [h / w for w, h in shapes]
    assert max(ratios) > 1.4 and min(ratios) < 0.4  # a tall and a wide painting among them


def _saved(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _decoded(tmp_path, data: bytes, name: str) -> np.ndarray:
    path = tmp_path / name
    path.write_bytes(data)
    return production_pixels([str(path)])[0]


def _painting(width=120, height=80) -> Image.Image:
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 2 % 256, y * 3 % 256, (x + y) % 256], axis=-1).astype(np.uint8)
    return Image.fromarray(rgb)


def test_exif_orientation_is_honoured_before_padding(tmp_path):
    painting = _painting()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: view after rotating 90 degrees clockwise
    stored = painting.transpose(Image.Transpose.ROTATE_90)
    data = _saved(stored, "PNG", exif=exif)
    assert np.abs(_decoded(tmp_path, data, "r.png") - reference_pixels(painting)).max() < 1e-6


@pytest.mark.parametrize("alpha_mode", ["RGBA", "LA"])
def test_transparency_is_composited_over_white(alpha_mode):
    base = _painting().convert("RGB" if alpha_mode == "RGBA" else "L")
    alpha = Image.new("L", base.size, 0)
    alpha.paste(255, (0, 0, 60, 80))  # left half opaque, right half fully transparent
    image = base.copy()
    image.putalpha(alpha)
    rgb = np.asarray(to_rgb(image))
    assert np.array_equal(rgb[:, :60], np.asarray(base.convert("RGB"))[:, :60])
    assert (rgb[:, 60:] == 255).all()


def test_palette_images_keep_their_colours():
    image = _painting().quantize(colors=16)
    assert np.array_equal(np.asarray(to_rgb(image)), np.asarray(image.convert("RGB")))


def test_cmyk_jpegs_decode_to_their_colours(tmp_path):
    painting = Image.new("RGB", (96, 64), (200, 40, 30))
    data = _saved(painting.convert("CMYK"), "JPEG", quality=95)
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "CMYK"
        rgb = np.asarray(to_rgb(image)).astype(int)
    assert np.abs(rgb - np.array([200, 40, 30])).max() <= 3


def test_a_16_bit_scan_gives_the_pixels_of_its_8_bit_export(tmp_path):
    eight = (np.mgrid[0:80, 0:120][1] % 100).astype(np.uint8)  # a dark scan: nothing above 99
    sixteen = Image.fromarray(eight.astype(np.uint16) * 257)
    data = _saved(sixteen, "PNG")
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode.startswith("I")
        rgb = np.asarray(to_rgb(image))
    assert np.array_equal(rgb, np.asarray(Image.fromarray(eight).convert("RGB")))
