"""Visual features measured from the pixels, independent of the model's words.

A 5-colour palette by k-means in CIELAB (perceptual distances, so clusters are colours people
tell apart), each colour with its share, hex and nearest CSS name; brightness and RMS contrast
on L*; mean HSV saturation; Hasler and Suesstrunk's colourfulness; a warm/cool balance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from archive_analyzer.catalog.colors import lab_to_srgb, nearest_css_names, srgb_to_lab, to_hex

PALETTE_SIZE = 5
SAMPLE_PIXELS = 6000  # k-means on a fixed sample: the palette of 6k pixels is that of 100k
ITERATIONS = 20
MERGE_DELTA_E = 5.0  # clusters closer than this are one colour to the eye: merged
CHROMATIC = 8.0  # chroma below this is grey: it has no temperature
# CIELAB hue angles of the warm side, magenta-red through orange to yellow (red ~40 degrees,
# yellow ~100); greens, cyans, blues and violets are cool.
WARM_HUES = (-20.0, 115.0)


@dataclass(frozen=True)
class PaletteColor:
    hex: str
    share: float
    css_name: str
    l: float  # noqa: E741 - CIELAB's own name
    a: float
    b: float


def sample_pixels(pixels: np.ndarray, count: int = SAMPLE_PIXELS, seed: int = 0) -> np.ndarray:
    flat = pixels.reshape(-1, 3)
    if len(flat) <= count:
        return flat
    # A fixed seed: the same image always gets the same palette (reruns change nothing).
    return flat[np.random.default_rng(seed).choice(len(flat), count, replace=False)]


def _init_centres(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding; stops early when every point already sits on a centre."""
    centres = [points[rng.integers(len(points))]]
    for _ in range(k - 1):
        d2 = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        if d2.sum() <= 1e-9:
            break
        centres.append(points[rng.choice(len(points), p=d2 / d2.sum())])
    return np.array(centres)


def kmeans(points: np.ndarray, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Centres and labels; empty clusters are dropped, so fewer than k colours may come back."""
    rng = np.random.default_rng(seed)
    centres = _init_centres(points, k, rng)
    labels = np.zeros(len(points), dtype=np.int64)
    for _ in range(ITERATIONS):
        labels = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(axis=1)
        moved = np.array(
            [
                points[labels == i].mean(axis=0) if (labels == i).any() else c
                for i, c in enumerate(centres)
            ]
        )
        if np.allclose(moved, centres, atol=1e-3):
            break
        centres = moved
    used = np.unique(labels)
    remap = {old: new for new, old in enumerate(used)}
    return centres[used], np.vectorize(remap.get)(labels)


def merge_close(centres: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge clusters closer than MERGE_DELTA_E into their larger neighbour (share-weighted)."""
    kept_centres: list[np.ndarray] = []
    kept_shares: list[float] = []
    for i in np.argsort(-shares, kind="stable"):
        near = [
            j for j, c in enumerate(kept_centres) if np.linalg.norm(c - centres[i]) < MERGE_DELTA_E
        ]
        if not near:
            kept_centres.append(centres[i])
            kept_shares.append(float(shares[i]))
            continue
        j = near[0]
        total = kept_shares[j] + shares[i]
        kept_centres[j] = (kept_centres[j] * kept_shares[j] + centres[i] * shares[i]) / total
        kept_shares[j] = float(total)
    return np.array(kept_centres), np.array(kept_shares)


def palette(pixels: np.ndarray, k: int = PALETTE_SIZE) -> list[PaletteColor]:
    """Dominant colours of an (H, W, 3) uint8 image, largest share first."""
    lab = srgb_to_lab(sample_pixels(pixels))
    centres, labels = kmeans(lab, k)
    shares = np.bincount(labels, minlength=len(centres)) / len(labels)
    centres, shares = merge_close(centres, shares)
    rgb = lab_to_srgb(centres)
    names = nearest_css_names(centres)
    order = np.argsort(-shares, kind="stable")
    return [
        PaletteColor(
            to_hex(rgb[i]),
            round(float(shares[i]), 4),
            names[i],
            *(round(float(v), 2) for v in centres[i]),
        )
        for i in order
    ]


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler and Suesstrunk (2003) on 0..255 values: ~0 for greys, >100 for vivid images."""
    r, g, b = (rgb[:, i] for i in range(3))
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def saturation(rgb: np.ndarray) -> float:
    """Mean HSV saturation, 0 (greys) .. 1 (pure hues)."""
    high, low = rgb.max(axis=1), rgb.min(axis=1)
    return float(np.where(high > 0, (high - low) / np.maximum(high, 1e-9), 0.0).mean())


def warmth(lab: np.ndarray) -> float:
    """Warm/cool balance, -1 (all cool hues) .. +1 (all warm hues), weighted by chroma."""
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    coloured = chroma > CHROMATIC
    if not coloured.any():
        return 0.0
    hue = np.degrees(np.arctan2(lab[coloured, 2], lab[coloured, 1]))
    warm = (hue >= WARM_HUES[0]) & (hue < WARM_HUES[1])
    weights = chroma[coloured]
    return float((np.where(warm, 1.0, -1.0) * weights).sum() / weights.sum())


def visual_features(pixels: np.ndarray) -> dict:
    """All measured features of an (H, W, 3) uint8 image, as plain JSON-ready values."""
    rgb = sample_pixels(pixels).astype(np.float64)
    lab = srgb_to_lab(rgb)
    return {
        "palette": [asdict(c) for c in palette(pixels)],
        "brightness": round(float(lab[:, 0].mean()), 2),
        "contrast": round(float(lab[:, 0].std()), 2),
        "saturation": round(saturation(rgb), 4),
        "colourfulness": round(colourfulness(rgb), 2),
        "warmth": round(warmth(lab), 4),
    }


def content_region(square: np.ndarray, width: int, height: int) -> np.ndarray:
    """The image inside LLaVA's padded square: the pad bands are fill colour, not the painting.

    The square is the image padded to a square then resized, so the content spans the full
    side along the longer edge and side * short / long along the other; a pixel is trimmed
    from each cut edge because resampling blends it with the pad.
    """
    side = square.shape[0]
    if not width or not height or width == height:
        return square
    short = max(1, round(side * min(width, height) / max(width, height)))
    start = (side - short) // 2
    trim = 1 if short > 4 else 0
    lo, hi = start + trim, start + short - trim
    return square[lo:hi, :] if width > height else square[:, lo:hi]
