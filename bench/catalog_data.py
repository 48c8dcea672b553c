"""Synthetic catalog rows for the search benchmark, generated a chunk at a time with numpy.

Realistic in shape: 150-220-word analyses drawn from common words plus 3-8 art terms, 384-d
embeddings clustered around 200 topics (as real ones are), 5-colour palettes with shares in
rank order, 2,000 artists, dates over five centuries, six media. Everything is a pure function
of (seed, row number range), so a kept database can be queried again with the same topics.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from archive_analyzer.catalog.colors import css_colors, hex_to_rgb, lab_to_srgb, srgb_to_lab
from archive_analyzer.catalog.vocabulary import load_vocabulary

COMMON = (
    "the a of and in with its on is by figure light colour painting scene space which are "
    "from into surface foreground background left right small large soft deep warm cool "
    "strong gentle quiet open dark bright red blue green yellow brown white black sky water "
    "tree trees face hand hands dress cloth table wall window road river hill field sea"
).split()
FAMOUS = (
    "Turner Constable Monet Vermeer Rembrandt Hals Chardin Degas Cassatt Morisot Gainsborough "
    "Reynolds Courbet Millet Corot Manet Renoir Sisley Pissarro Cezanne Seurat Signac Whistler "
    "Sargent Homer Eakins Friedrich Goya Velazquez Murillo Zurbaran Titian Tintoretto Canaletto"
).split()
SYLLABLES = "ba ver lin do mar kel so ten ri fa gor hu ste van an del mo ra zu pel".split()
ARTISTS = 2_000  # a large museum: a few thousand painters, each with hundreds of works at 1M
MEDIA = [
    "Oil paint on canvas",
    "Oil on wood",
    "Tempera on panel",
    "Watercolour on paper",
    "Oil on copper",
    "Oil paint on board",
]
TOPICS = 200
DIMENSIONS = 384
PALETTE = 5
MAX_SENTENCES = 22  # 150-220 words
HEX = [f"{v:02x}" for v in range(256)]


def artist_names() -> list[str]:
    """2,000 names: the famous painters above and invented ones (no two alike)."""
    invented = [
        f"{a.title()}{b}{c} {d.title()}{e}"
        for a in SYLLABLES
        for b in SYLLABLES
        for c in ("", "n")
        for d in SYLLABLES[:6]
        for e in ("s", "ck")
    ]
    return FAMOUS + invented[: ARTISTS - len(FAMOUS)]


def nearest_css_names(lab: np.ndarray) -> list[str]:
    """colors.nearest_css_names (CIE76) as one matrix product: |x - t|^2 = |x|^2 - 2x.t + |t|^2,
    50x faster on millions of colours than its (N, 148, 3) difference array."""
    names = sorted(css_colors())
    table = srgb_to_lab(np.array([hex_to_rgb(css_colors()[n]) for n in names], dtype=float))
    distances = (table**2).sum(axis=1)[None, :] - 2 * lab @ table.T
    return [names[i] for i in distances.argmin(axis=1).tolist()]


def topic_centres(seed: int) -> np.ndarray:
    """The embedding topics: fixed by the seed, so queries can be drawn near them later."""
    return np.random.default_rng([seed, 0]).normal(size=(TOPICS, DIMENSIONS))


def unit(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)).astype(np.float32)


def embeddings_near_topics(rng: np.random.Generator, centres: np.ndarray, count: int):
    picks = rng.integers(0, len(centres), count)
    return unit(centres[picks] + rng.normal(scale=0.6, size=(count, DIMENSIONS)))


@dataclass(frozen=True)
class Chunk:
    """Rows start..end-1 of every base table, as Python lists and numpy arrays."""

    start: int
    titles: list[str]
    artists: list[str]
    years: np.ndarray
    spans: np.ndarray
    media: list[str]
    texts: list[str]
    terms: list[list[str]]
    embeddings: np.ndarray
    lab: np.ndarray  # (count * PALETTE, 3)
    shares: np.ndarray  # (count * PALETTE,), descending within each work
    hexes: list[str]
    css_names: list[str]

    @property
    def count(self) -> int:
        return len(self.titles)

    def sha(self, i: int) -> str:
        """Content hash of row start+i: the same on every run (sha256 of its number)."""
        return hashlib.sha256(str(self.start + i).encode()).hexdigest()


def _sentences(rng: np.random.Generator) -> list[str]:
    """4,096 random ten-word sentences: texts are drawn as sentences (joining 20 strings per
    text instead of 200 keeps generation off the critical path of a 1M-row load)."""
    words = rng.integers(0, len(COMMON), (4096, 10)).tolist()
    return [" ".join(map(COMMON.__getitem__, row)) for row in words]


def _texts(rng: np.random.Generator, count: int, terms: list[list[str]]) -> list[str]:
    pool = _sentences(rng)
    lengths = rng.integers(15, MAX_SENTENCES + 1, count).tolist()
    picks = rng.integers(0, len(pool), (count, MAX_SENTENCES)).tolist()
    texts = []
    for row, length, used in zip(picks, lengths, terms, strict=True):
        sentences = list(map(pool.__getitem__, row[:length]))
        # Terms sit inside the prose, as a model writes them, not as a list at the end.
        sentences[length // 2] += f" with {' and '.join(used)}"
        text = ". ".join(sentences)
        texts.append(f"{text[0].upper()}{text[1:]}.")
    return texts


def _terms(rng: np.random.Generator, count: int) -> list[list[str]]:
    vocabulary = [t.term for t in load_vocabulary().terms]
    order = np.argsort(rng.random((count, len(vocabulary))), axis=1)[:, :8].tolist()
    sizes = rng.integers(3, 9, count).tolist()
    return [[vocabulary[j] for j in row[:k]] for row, k in zip(order, sizes, strict=True)]


def chunk(seed: int, start: int, end: int) -> Chunk:
    """Rows start..end-1, the same whatever the chunking (a generator per 10,000 rows)."""
    parts = [_block(seed, s, min(end, s + 10_000)) for s in range(start, end, 10_000)]
    if len(parts) == 1:
        return parts[0]
    fields = Chunk.__dataclass_fields__
    merged = {}
    for name in fields:
        values = [getattr(p, name) for p in parts]
        if name == "start":
            merged[name] = start
        elif isinstance(values[0], np.ndarray):
            merged[name] = np.concatenate(values)
        else:
            merged[name] = [v for part in values for v in part]
    return Chunk(**merged)


def _block(seed: int, start: int, end: int) -> Chunk:
    if start % 10_000:
        raise ValueError(f"blocks start at multiples of 10,000, not {start}")
    rng = np.random.default_rng([seed, 1, start])
    count = end - start
    artists = artist_names()
    terms = _terms(rng, count)
    lab = np.stack(
        [
            rng.uniform(5, 95, count * PALETTE),
            rng.uniform(-60, 60, count * PALETTE),
            rng.uniform(-60, 60, count * PALETTE),
        ],
        axis=1,
    )
    shares = -np.sort(-rng.dirichlet(np.ones(PALETTE), count), axis=1).ravel()
    title_words = rng.integers(0, len(COMMON), (count, 3)).tolist()
    return Chunk(
        start=start,
        titles=[" ".join(COMMON[w] for w in row).title() for row in title_words],
        artists=[artists[(start + i) * 7919 % ARTISTS] for i in range(count)],
        years=rng.integers(1400, 1920, count),
        spans=rng.integers(0, 4, count),
        media=[MEDIA[(start + i) % len(MEDIA)] for i in range(count)],
        texts=_texts(rng, count, terms),
        terms=terms,
        embeddings=embeddings_near_topics(rng, topic_centres(seed), count),
        lab=lab,
        shares=shares,
        hexes=[f"#{HEX[r]}{HEX[g]}{HEX[b]}" for r, g, b in lab_to_srgb(lab).astype(int).tolist()],
        css_names=nearest_css_names(lab),
    )
