"""LLaVA-1.5's `image_aspect_ratio: pad` preprocessing, split where the cluster needs it.

CPU workers decode and produce a 336x336 uint8 square (`square_pixels`), which is 4x smaller to
ship than floats; the model actor normalises it (`normalize`). Together they equal LLaVA's
expand2square + CLIPImageProcessor: pad with the mean colour, resize the shortest edge bicubic,
centre crop, rescale by 1/255, normalise with the CLIP mean and std.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import fsspec
import numpy as np
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class ImageSpec:
    """What the model's image processor expects; read from preprocessor_config.json."""

    size: int = 336
    mean: tuple[float, float, float] = CLIP_MEAN
    std: tuple[float, float, float] = CLIP_STD

    @property
    def fill(self) -> tuple[int, int, int]:
        # LLaVA: tuple(int(x * 255) for x in image_processor.image_mean), truncated not rounded.
        return tuple(int(x * 255) for x in self.mean)

    @classmethod
    def from_model(cls, location: str | Path) -> ImageSpec:
        """Read a local or remote model directory's preprocessor_config.json."""
        fs, root = fsspec.core.url_to_fs(str(location).rstrip("/") + "/preprocessor_config.json")
        if not fs.exists(root):
            return cls()
        config = json.loads(fs.cat_file(root))
        crop = config.get("crop_size") or {}
        size = crop.get("height") if isinstance(crop, dict) else crop
        return cls(
            size=int(size or 336),
            mean=tuple(config.get("image_mean", CLIP_MEAN)),
            std=tuple(config.get("image_std", CLIP_STD)),
        )


def pad_to_square(image: Image.Image, fill: tuple[int, int, int]) -> Image.Image:
    """LLaVA's expand2square: centre the image on a square of the fill colour."""
    width, height = image.size
    if width == height:
        return image
    side = max(width, height)
    square = Image.new(image.mode, (side, side), fill)
    square.paste(image, ((side - width) // 2, (side - height) // 2))
    return square


def resize_and_crop(image: Image.Image, size: int) -> Image.Image:
    """CLIP's resize (shortest edge to `size`, bicubic) then centre crop to size x size."""
    width, height = image.size
    short, long = (width, height) if width <= height else (height, width)
    new_long = int(size * long / short)
    new_size = (size, new_long) if width <= height else (new_long, size)
    if (width, height) != new_size:
        image = image.resize(new_size, Image.Resampling.BICUBIC)
    left = (image.width - size) // 2
    top = (image.height - size) // 2
    return image.crop((left, top, left + size, top + size))


def square_pixels(image: Image.Image, spec: ImageSpec) -> np.ndarray:
    """RGB image -> padded, resized, cropped uint8 array of shape (size, size, 3)."""
    square = pad_to_square(image, spec.fill)
    return np.asarray(resize_and_crop(square, spec.size), dtype=np.uint8)


def normalize(pixels: np.ndarray, spec: ImageSpec) -> np.ndarray:
    """uint8 (N, H, W, 3) -> float32 (N, 3, H, W), rescaled and normalised like CLIP."""
    scaled = pixels.astype(np.float32) * np.float32(1 / 255)
    mean = np.asarray(spec.mean, dtype=np.float32)
    std = np.asarray(spec.std, dtype=np.float32)
    return ((scaled - mean) / std).transpose(0, 3, 1, 2).copy()
