"""A generated corpus of the files museum archives really contain, each with its expected fate.

`write_corpus(folder)` writes every case of issue 6 (bad, odd and good files) and returns
{file name: expected reason}, where "ok" means the image must be analysed. Files are made in
code with Pillow (and a hand-written TIFF for 16-bit RGB), so the corpus is small and exact.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

# The bomb is refused by its header against this limit; tests run with it.
TEST_MAX_PIXELS = 20_000_000


def _gradient(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256])
    noise = rng.integers(0, 40, size=base.shape)
    return Image.fromarray(((base + noise) % 256).astype(np.uint8).transpose(1, 2, 0), "RGB")


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bomb(width: int, height: int) -> bytes:
    """A genuine decompression bomb: a grey PNG whose zeros compress ~1000:1."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte + zero pixels
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    signature = b"\x89PNG\r\n\x1a\n"
    return (
        signature
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def tiff_rgb16(width: int, height: int) -> bytes:
    """An uncompressed 16-bit-per-channel RGB TIFF, as scanners write them (little endian)."""
    rng = np.random.default_rng(16)
    pixels = rng.integers(0, 65535, size=(height, width, 3), dtype="<u2").tobytes()
    entries = [  # tag, type (3 short, 4 long), count, value
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 3, None),  # BitsPerSample: three shorts stored after the IFD
        (259, 3, 1, 1),
        (262, 3, 1, 2),
        (273, 4, 1, None),  # StripOffsets: the pixel data after the IFD
        (277, 3, 1, 3),
        (278, 4, 1, height),
        (279, 4, 1, len(pixels)),
        (284, 3, 1, 1),
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    bits_offset = 8 + ifd_size
    data_offset = bits_offset + 6
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        if tag == 258:
            value = bits_offset
        elif tag == 273:
            value = data_offset
        packed = (
            struct.pack("<HH", value, 0) if kind == 3 and count == 1 else struct.pack("<I", value)
        )
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<HHH", 16, 16, 16) + pixels


def _exif_rotated_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    return _encode(_gradient(120, 80, seed=6), "JPEG", quality=90, exif=exif.tobytes())


def _animated_gif() -> bytes:
    frames = [_gradient(64, 48, seed=s).quantize(64) for s in (1, 2, 3)]
    return _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def _palette_png_with_transparency() -> bytes:
    image = _gradient(64, 64, seed=9).quantize(16)
    return _encode(image, "PNG", transparency=0)


def _corrupt_png() -> bytes:
    data = bytearray(_encode(_gradient(64, 64, seed=4), "PNG"))
    start = data.index(b"IDAT") + 4
    data[start + 10 : start + 60] = bytes(range(50))  # scrambled compressed data, stale CRC
    return bytes(data)


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _heic() -> bytes:
    # The start of an HEIF/HEIC file (an ISO-BMFF 'ftyp' box): an image Pillow cannot decode.
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"


def corpus_files() -> dict[str, tuple[bytes, str]]:
    """{file name: (bytes, expected reason)}; "ok" marks files that must be analysed."""
    jpeg = _encode(_gradient(96, 72, seed=1), "JPEG", quality=90)
    twin = _encode(_gradient(80, 80, seed=2), "PNG")
    return {
        "good/plain.jpg": (jpeg, "ok"),
        "good/with space.jpg": (_encode(_gradient(90, 60, seed=3), "JPEG"), "ok"),
        "good/café_été.png": (_encode(_gradient(70, 50, seed=5), "PNG"), "ok"),
        "good/東京の絵_Москва.jpg": (_encode(_gradient(50, 90, seed=7), "JPEG"), "ok"),
        "good/twin_a.png": (twin, "ok"),
        "good/twin_b.png": (twin, "ok"),
        "odd/scan16_grey.tif": (
            _encode(
                Image.fromarray((np.arange(64 * 48).reshape(48, 64) * 20).astype("<u2")), "TIFF"
            ),
            "ok",
        ),
        "odd/scan16_rgb.tif": (tiff_rgb16(64, 48), "ok"),
        "odd/print_cmyk.jpg": (_encode(_gradient(64, 64, seed=8).convert("CMYK"), "JPEG"), "ok"),
        "odd/palette_transparent.png": (_palette_png_with_transparency(), "ok"),
        "odd/animated.gif": (_animated_gif(), "ok"),
        "odd/exif_rotated.jpg": (_exif_rotated_jpeg(), "ok"),
        "odd/tall_100x10000.png": (_encode(_gradient(100, 10000, seed=10), "PNG"), "ok"),
        "bad/zero_bytes.jpg": (b"", "truncated"),
        "bad/truncated.jpg": (jpeg[: len(jpeg) // 2], "truncated"),
        "bad/corrupt.png": (_corrupt_png(), "unreadable"),
        "bad/notes.jpg": (b"Inventory notes, not a picture.\n" * 20, "not_an_image"),
        "bad/document.jpg": (_pdf(), "not_an_image"),
        "bad/phone_photo.jpg": (_heic(), "unsupported_format"),
        "bad/bomb.png": (png_bomb(10_000, 10_000), "too_large"),
        "bad/dot_1x1.png": (_encode(Image.new("RGB", (1, 1), (200, 10, 10)), "PNG"), "too_small"),
    }


def write_corpus(folder: Path) -> dict[str, str]:
    """Write every case under `folder`; return {relative path: expected reason}."""
    expected = {}
    for name, (data, reason) in corpus_files().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expected[name] = reason
    return expected
