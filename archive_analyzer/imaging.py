"""Image conversion (`to_rgb`) and the fast decode mode's shortcuts for large images.

`decode_mode = "fast"` only: the default exact mode decodes every pixel, as GalleryGPT did.

A 24-megapixel master ends as a 336x336 square. Decoding every pixel, padding the full-size image
to a square and resampling it bicubic spends nearly all the time on detail the model never sees.
JPEG can decode straight at 1/2, 1/4 or 1/8 scale from its DCT coefficients (`Image.draft`), and
`Image.reduce` averages whole pixel blocks far faster than a bicubic filter over the full image;
either way the final bicubic resize then works on a small image.

Only images at least `MIN_SCALE` times larger than needed are shrunk, and never below `KEEP`
times the target, so the bicubic filter still has detail to work with. Ordinary scans (the demo
paintings are at most 1226 px) decode exactly as in the exact mode, pixel for pixel.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

MIN_SCALE = 4
KEEP = 2
# Never shrink a side below this: a thin panorama must still pass the minimum-side check.
MIN_SHORT_SIDE = 256
FULL_SIZE = "archive_analyzer.full_size"
# Modes that become RGB without a new image being built, so image.info (full size) survives.
EARLY_MODES = {"RGB", "L", "CMYK", "YCbCr"}

# EXIF orientations that swap width and height (transpose, 90 and 270 degree rotations).
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}


def shrink_factor(width: int, height: int, target: int) -> int:
    """Integer factor to shrink by; 1 unless the image is at least MIN_SCALE times the target.

    The longest side is what counts: LLaVA pads to a square first, so the longest side ends
    as `target` pixels.
    """
    longest = max(width, height)
    if longest < MIN_SCALE * target:
        return 1
    return max(1, min(longest // (KEEP * target), min(width, height) // MIN_SHORT_SIDE))


def _oriented_size(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    orientation = image.getexif().get(0x0112)
    return (height, width) if orientation in _SWAPPING_ORIENTATIONS else (width, height)


def draft(image: Image.Image, target: int) -> Image.Image:
    """Before `load()`: let a JPEG decoder skip detail the target size cannot show.

    The full (EXIF-oriented) size is kept in `image.info` so that callers still record the
    real dimensions; read it back with `full_size`.
    """
    factor = shrink_factor(*image.size, target)
    if factor > 1 and image.format == "JPEG":
        image.info[FULL_SIZE] = _oriented_size(image)
        width, height = image.size
        image.draft(image.mode, (width // factor, height // factor))
    return image


def full_size(image: Image.Image) -> tuple[int, int]:
    """The image's size as stored in the file (after EXIF rotation), even if drafted."""
    return tuple(image.info.get(FULL_SIZE, image.size))


def shrink(image: Image.Image, target: int) -> Image.Image:
    """After decoding: box-average a still-large image down to at least KEEP times the target."""
    factor = shrink_factor(*image.size, target)
    if factor == 1:
        return image
    image.info.setdefault(FULL_SIZE, _oriented_size(image))
    return image.reduce(factor)


def shrink_early(image: Image.Image, target: int) -> Image.Image:
    """`shrink` straight after decoding, before the full-size copies that RGB conversion and
    EXIF rotation make (a 24 MP TIFF is 72 MB per copy). Images with a rotation, or in modes
    converted through a new image, are left for `shrink` after conversion.
    """
    if image.mode not in EARLY_MODES or image.getexif().get(0x0112, 1) != 1:
        return image
    return shrink(image, target)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any mode to RGB: EXIF orientation honoured, transparency composited over white."""
    image = ImageOps.exif_transpose(image)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit scans: map 0..65535 onto 0..255 (v / 257), as the scan's 8-bit export would be,
        # rather than clipping above 255 to white or stretching a dark scan to full brightness.
        # Float images have no fixed range, so only they are scaled by their maximum.
        array = np.asarray(image, dtype=np.float64)
        top = (array.max() or 1.0) if image.mode == "F" else 65535.0
        image = Image.fromarray(np.round(array.clip(0, top) * (255.0 / top)).astype(np.uint8))
    return image.convert("RGB")
