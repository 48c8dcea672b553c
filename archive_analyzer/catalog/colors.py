"""Colour arithmetic shared by palette extraction and colour search: sRGB <-> CIELAB (D65),
CSS colour names, and parsing what a cataloger types (`#1f3a93`, `1f3a93`, `navy`).

The same conversion exists in SQL (catalog_color_lab in 0002_catalog.sql) so colour search also
works from psql; a test keeps the two in agreement.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

import numpy as np

from archive_analyzer.errors import ArchiveAnalyzerError

# sRGB (linear) -> XYZ, D65 white.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE = np.array([0.95047, 1.0, 1.08883])
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
_EPSILON = (6 / 29) ** 3


class ColorError(ArchiveAnalyzerError):
    """A colour a user typed that is neither #rrggbb nor a CSS colour name."""


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB values in 0..255 -> (..., 3) CIELAB (L 0..100)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > _EPSILON, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    lab = np.empty_like(f)
    lab[..., 0] = 116 * f[..., 1] - 16
    lab[..., 1] = 500 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200 * (f[..., 1] - f[..., 2])
    return lab


def lab_to_srgb(lab: np.ndarray) -> np.ndarray:
    """(..., 3) CIELAB -> (..., 3) sRGB in 0..255 (clipped to the gamut)."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29)) * _WHITE
    linear = np.clip(xyz @ _XYZ_TO_RGB.T, 0, 1)
    c = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)
    return np.clip(np.round(c * 255), 0, 255)


def to_hex(rgb) -> str:
    r, g, b = (int(v) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def hex_to_rgb(text: str) -> tuple[int, int, int]:
    match = _HEX.match(text.strip())
    if not match:
        raise ColorError(f"{text!r} is not a #rrggbb colour")
    value = match.group(1)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@cache
def css_colors() -> dict[str, str]:
    data = resources.files("archive_analyzer").joinpath("data", "css_colors.json").read_text()
    return json.loads(data)["colors"]


@cache
def _css_lab() -> tuple[list[str], np.ndarray]:
    names = sorted(css_colors())
    rgb = np.array([hex_to_rgb(css_colors()[n]) for n in names], dtype=np.float64)
    return names, srgb_to_lab(rgb)


def nearest_css_names(lab: np.ndarray) -> list[str]:
    """The CSS colour name nearest (CIE76 distance) to each Lab colour of an (N, 3) array."""
    names, table = _css_lab()
    distances = np.linalg.norm(np.asarray(lab)[:, None, :] - table[None, :, :], axis=-1)
    return [names[i] for i in distances.argmin(axis=1)]


def parse_color(text: str) -> str:
    """A typed colour -> '#rrggbb': hex with or without '#', or a CSS name ('navy', 'Dark Blue')."""
    key = re.sub(r"[\s_-]", "", text.strip().lower())
    if key in css_colors():
        return css_colors()[key]
    if _HEX.match(key):
        return "#" + key.lstrip("#")
    raise ColorError(f"unknown colour {text!r}: give #rrggbb or a CSS colour name such as 'navy'")
