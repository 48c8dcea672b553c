"""Decode: read each image's bytes, fingerprint them, and make the model's padded square.

Runs on CPU workers close to the data. Bad files never raise: they become rows with
status "failed", a reason class and a message, so every listed image is accounted for.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass

import fsspec
import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from archive_analyzer.model.preprocess import ImageSpec, square_pixels
from archive_analyzer.stages import Batch, batch_len


class ImageRejected(Exception):
    """An image that cannot be analysed, with a reason class an operator can act on."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class DecodeConfig:
    spec: ImageSpec = ImageSpec()
    max_pixels: int = 200_000_000
    min_side: int = 32


def to_rgb(image: Image.Image) -> Image.Image:
    """Any mode to RGB: EXIF orientation honoured, transparency composited over white."""
    image = ImageOps.exif_transpose(image)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit scans: scale to 8 bits rather than clipping everything above 255 to white.
        array = np.asarray(image, dtype=np.float64)
        top = array.max() or 1.0
        image = Image.fromarray((array * (255.0 / top)).astype(np.uint8))
    return image.convert("RGB")


class Decode:
    def __init__(self, config: DecodeConfig) -> None:
        self.config = config
        # A truncated file must fail as truncated, not be silently padded with grey.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        Image.MAX_IMAGE_PIXELS = config.max_pixels

    def __call__(self, batch: Batch) -> Batch:
        size = self.config.spec.size
        count = batch_len(batch)
        out: Batch = {k: list(v) for k, v in batch.items()}
        out.update(
            sha256=[None] * count,
            width=[0] * count,
            height=[0] * count,
            bytes=[0] * count,
            status=["ok"] * count,
            reason=[""] * count,
            message=[""] * count,
        )
        pixels = np.zeros((count, size, size, 3), dtype=np.uint8)
        for index, uri in enumerate(batch["uri"]):
            try:
                data = self._read(uri)
                out["sha256"][index] = hashlib.sha256(data).hexdigest()
                out["bytes"][index] = len(data)
                image = self._open(data)
                out["width"][index], out["height"][index] = image.size
                pixels[index] = square_pixels(image, self.config.spec)
            except ImageRejected as exc:
                out["status"][index], out["reason"][index] = "failed", exc.reason
                out["message"][index] = str(exc)
        out["pixels"] = pixels
        return out

    def _read(self, uri: str) -> bytes:
        try:
            with fsspec.open(uri, "rb") as handle:
                data = handle.read()
        except FileNotFoundError as exc:
            raise ImageRejected("missing", f"no such object: {uri}") from exc
        except OSError as exc:
            raise ImageRejected("unreadable", f"cannot read: {exc}") from exc
        if not data:
            raise ImageRejected("truncated", "the file is empty (0 bytes)")
        return data

    def _open(self, data: bytes) -> Image.Image:
        import io

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data))
                width, height = image.size
                self._check_size(width, height)
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected("too_large", str(exc)) from exc
        except UnidentifiedImageError as exc:
            raise ImageRejected("not_an_image", "not a recognised image format") from exc
        except OSError as exc:
            reason = "truncated" if "truncated" in str(exc).lower() else "unreadable"
            raise ImageRejected(reason, f"cannot decode: {exc}") from exc
        return to_rgb(image)

    def _check_size(self, width: int, height: int) -> None:
        if width * height > self.config.max_pixels:
            raise ImageRejected(
                "too_large", f"{width}x{height} exceeds the {self.config.max_pixels} pixel limit"
            )
        if min(width, height) < self.config.min_side:
            raise ImageRejected(
                "too_small", f"{width}x{height} is under the {self.config.min_side} px minimum side"
            )
