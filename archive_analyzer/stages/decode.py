"""Decode: read each image's bytes, fingerprint them, and make the model's padded square.

Runs on CPU workers close to the data. Bad files never raise: they become rows with
status Status.FAILED, a reason class (archive_analyzer.reasons) and a message, so every listed
image is accounted for. Sizes are checked from the header before any pixel is decoded, so a
decompression bomb costs a few bytes of parsing, not gigabytes.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from archive_analyzer.errors import SourceError
from archive_analyzer.imaging import draft, full_size, shrink, shrink_early, to_rgb
from archive_analyzer.model.preprocess import ImageSpec, square_pixels
from archive_analyzer.redact import redact
from archive_analyzer.sources import local_path, refuse_escaping_link
from archive_analyzer.stages import Batch, batch_len
from archive_analyzer.stages.contract import (
    BYTES,
    DECODED,
    HEIGHT,
    MESSAGE,
    OUTCOME,
    PIXELS,
    REASON,
    SHA256,
    STATUS,
    URI,
    WIDTH,
    Stage,
    Status,
)
from archive_analyzer.storage import ReadFailed, RetryPolicy, read_bytes

# Image containers Pillow does not decode, recognised by their first bytes, so an operator
# hears "convert this" rather than "this is not an image".
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
_SIGNATURES = (
    (lambda d: d[4:8] == b"ftyp" and d[8:12] in _HEIF_BRANDS, "HEIF/HEIC"),
    (lambda d: d.startswith(b"\xff\x0a") or d[4:12] == b"JXL \r\n\x87\n", "JPEG XL"),
    (lambda d: b"<svg" in d[:1024].lower(), "SVG"),
)


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
    read_policy: RetryPolicy = field(default_factory=RetryPolicy)
    # exact: every pixel decoded, as GalleryGPT saw its images; fast: large images shrink
    # while decoding (imaging.py), several times faster, pixels a few levels off (README).
    decode_mode: Literal["exact", "fast"] = "exact"
    # The source's URI: a local file is read only if it still lies inside it when opened.
    source_root: str | None = None

    def __post_init__(self) -> None:
        if self.decode_mode not in ("exact", "fast"):
            raise ValueError(f"decode_mode must be 'exact' or 'fast', not {self.decode_mode!r}")


def sniff_unsupported(data: bytes) -> str | None:
    """The name of an image format we know but cannot decode, if the bytes are one."""
    return next((name for matches, name in _SIGNATURES if matches(data)), None)


class Decode(Stage):
    needs = (URI,)
    adds = (*DECODED, *OUTCOME, PIXELS)

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
            {SHA256: [None] * count, WIDTH: [0] * count, HEIGHT: [0] * count, BYTES: [0] * count},
        )
        out.update({STATUS: [Status.OK] * count, REASON: [""] * count, MESSAGE: [""] * count})
        pixels = np.zeros((count, size, size, 3), dtype=np.uint8)
        for index, uri in enumerate(batch[URI]):
            try:
                self._decode_one(str(uri), index, out, pixels)
            except ImageRejected as exc:
                out[STATUS][index], out[REASON][index] = Status.FAILED, exc.reason
                out[MESSAGE][index] = redact(str(exc))
        out[PIXELS] = pixels
        return out

    def _decode_one(self, uri: str, index: int, out: Batch, pixels: np.ndarray) -> None:
        data = self._read(uri)
        out[SHA256][index] = hashlib.sha256(data).hexdigest()
        out[BYTES][index] = len(data)
        image = self._open(data)
        out[WIDTH][index], out[HEIGHT][index] = full_size(image)
        if self.config.decode_mode == "fast":
            image = shrink(image, self.config.spec.size)
        try:
            pixels[index] = square_pixels(image, self.config.spec)
        except (OSError, ValueError, MemoryError) as exc:
            raise ImageRejected("unreadable", f"cannot resize: {exc}") from exc

    def _check_link(self, uri: str) -> None:
        """Listing refused links out of the source, but a file can be swapped for a link
        between listing and reading: check again, just before the read."""
        root = self.config.source_root and local_path(self.config.source_root)
        path = root and local_path(uri)
        if not path:
            return
        try:
            refuse_escaping_link(path, root)
        except SourceError as exc:
            raise ImageRejected("unreadable", f"{exc} (checked when read)") from exc

    def _read(self, uri: str) -> bytes:
        self._check_link(uri)
        try:
            data = read_bytes(uri, self.config.read_policy)
        except ReadFailed as exc:
            if isinstance(exc.__cause__, FileNotFoundError):
                raise ImageRejected("missing", f"no such object: {uri}") from exc
            raise ImageRejected("unreadable", f"cannot read: {exc}") from exc
        if not data:
            raise ImageRejected("truncated", "the file is empty (0 bytes)")
        return data

    def _open(self, data: bytes) -> Image.Image:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data))
                self._check_size(*image.size)
                fast = self.config.decode_mode == "fast"
                if fast:
                    draft(image, self.config.spec.size)  # large JPEGs: decode at 1/2-1/8 scale
                image.load()  # an animated GIF or multi-page TIFF loads its first frame
                return self._convert(shrink_early(image, self.config.spec.size) if fast else image)
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected("too_large", f"refused from the header: {exc}") from exc
        except UnidentifiedImageError as exc:
            raise self._unidentified(data) from exc
        except OSError as exc:
            reason = "truncated" if "truncated" in str(exc).lower() else "unreadable"
            raise ImageRejected(reason, f"cannot decode: {exc}") from exc
        except Exception as exc:  # Pillow's decoders also raise SyntaxError, zlib/struct errors
            raise ImageRejected(
                "unreadable", f"cannot decode: {type(exc).__name__}: {exc}"
            ) from exc

    def _convert(self, image: Image.Image) -> Image.Image:
        try:
            rgb = to_rgb(image)
        except ValueError as exc:
            raise ImageRejected(
                "unsupported_format", f"{image.format} in mode {image.mode}: {exc}"
            ) from exc
        return rgb

    def _unidentified(self, data: bytes) -> ImageRejected:
        name = sniff_unsupported(data)
        if name:
            return ImageRejected("unsupported_format", f"{name} images cannot be decoded here")
        return ImageRejected("not_an_image", "not a recognised image format")

    def _check_size(self, width: int, height: int) -> None:
        if width * height > self.config.max_pixels:
            raise ImageRejected(
                "too_large",
                f"{width}x{height} exceeds the {self.config.max_pixels} pixel limit "
                "(refused from the header)",
            )
        if min(width, height) < self.config.min_side:
            raise ImageRejected(
                "too_small", f"{width}x{height} is under the {self.config.min_side} px minimum side"
            )
