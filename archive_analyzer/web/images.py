"""Thumbnails and large views made from the source image, cached on disk by content hash.

The image is read through fsspec (a folder, s3://, gs://...) from the URI the catalogue stores,
never from a URI in the request; the cache file is named by the content's sha256, so a re-shot
photograph gets a new file and an unchanged one is never read twice.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from archive_analyzer.imaging import draft
from archive_analyzer.storage import RetryPolicy, read_bytes

# Longest side in pixels of each size the pages use.
SIZES = {"thumb": 320, "large": 1280}
_SHA256 = re.compile(r"[0-9a-f]{64}")
# A page waits on this read: fewer, shorter retries than a night's run.
WEB_READS = RetryPolicy(attempts=2, first_delay=0.2, max_delay=1.0)


class ImageUnavailable(Exception):
    """The source image cannot be read or decoded; the page shows the alt text instead."""


def render(data: bytes, longest: int, max_pixels: int) -> bytes:
    """JPEG bytes of the image, EXIF-rotated, RGB, its longest side at most `longest`."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > max_pixels:
                raise ImageUnavailable(f"{image.width}x{image.height} is over max_image_pixels")
            picture = ImageOps.exif_transpose(draft(image, longest)).convert("RGB")
    except (OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ImageUnavailable(f"cannot decode the image: {exc}") from exc
    picture.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def cached_image(
    cache_dir: Path, uri: str, sha256: str, size: str, max_pixels: int = 200_000_000
) -> Path:
    """The cached JPEG for (content, size), made from `uri` on first use."""
    if size not in SIZES:
        raise ValueError(f"unknown image size {size!r}; choose from {', '.join(SIZES)}")
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"{sha256!r} is not a sha256 hex digest")
    path = cache_dir / size / f"{sha256}.jpg"
    if path.exists():
        return path
    try:
        data = read_bytes(uri, policy=WEB_READS)
    except Exception as exc:
        raise ImageUnavailable(f"cannot read the image: {exc}") from exc
    _write_atomically(path, render(data, SIZES[size], max_pixels))
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    # Two requests for the same new image both render; whichever renames last wins, and a
    # reader never sees half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
