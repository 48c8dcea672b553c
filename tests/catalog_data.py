"""Crafted catalog rows for the catalog tests: artworks with known texts, palettes, years."""

from __future__ import annotations

import hashlib
import json

import numpy as np
from psycopg.types.json import Jsonb

from archive_analyzer.catalog.aspects import assign_aspects
from archive_analyzer.catalog.colors import hex_to_rgb, nearest_css_names, srgb_to_lab
from archive_analyzer.catalog.store import store_structure
from archive_analyzer.catalog.vocabulary import load_vocabulary

# object_id, title, artist, date_text, (year_start, year_end), medium, text, palette hexes
WORKS = [
    (
        "T1",
        "Storm at Sea",
        "Joseph Mallord William Turner",
        "1835",
        (1835, 1835),
        "Oil paint on canvas",
        "A violent storm tosses a small boat on dark waves. Strong chiaroscuro sets a burst of "
        "light against the black clouds. The composition is built on a steep diagonal.",
        ["#1f3a93", "#202020", "#e0e0e0"],
    ),
    (
        "T2",
        "Norham Castle, Sunrise",
        "Joseph Mallord William Turner",
        "c.1845",
        (1845, 1845),
        "Oil paint on canvas",
        "A pale golden haze dissolves the castle into light. Atmospheric perspective melts the "
        "distance. The mood is serene and quiet.",
        ["#f0d080", "#a0c0e0", "#ffffff"],
    ),
    (
        "C1",
        "Still Life with Lemons",
        "Jean Chardin",
        "1760",
        (1760, 1760),
        "Oil on wood",
        "Lemons and a silver cup rest on a table. Warm ochre and yellow hues fill the still life. "
        "Soft modelling gives the fruit volume.",
        ["#ffd700", "#8b4513", "#f5deb3"],
    ),
    (
        "R1",
        "Portrait of a Lady",
        "Rembrandt van Rijn",
        "1632-1634",
        (1632, 1634),
        "Oil on canvas",
        "A woman in a black dress emerges from a dark ground. Tenebrism and strong chiaroscuro "
        "model the face. Thick impasto builds the lace collar.",
        ["#101010", "#c08060", "#f0f0f0"],
    ),
    (
        "M1",
        "Blue Water Lilies",
        "Claude Monet",
        "1916-1919",
        (1916, 1919),
        "Oil on canvas",
        "Water lilies float on a blue pond. Loose brushwork and broken colour dissolve the "
        "surface. The cool palette of blues and greens is calm.",
        ["#000080", "#4682b4", "#2e8b57"],
    ),
]


def palette_features(hexes: list[str]) -> dict:
    rgb = np.array([hex_to_rgb(h) for h in hexes], dtype=np.float64)
    lab = srgb_to_lab(rgb)
    names = nearest_css_names(lab)
    shares = [0.5, 0.3, 0.2][: len(hexes)]
    palette = [
        {"hex": h, "share": s, "css_name": n, "l": float(c[0]), "a": float(c[1]), "b": float(c[2])}
        for h, s, n, c in zip(hexes, shares, names, lab, strict=True)
    ]
    return {
        "palette": palette,
        "brightness": float(lab[:, 0].mean()),
        "contrast": 10.0,
        "saturation": 0.5,
        "colourfulness": 30.0,
        "warmth": 0.0,
    }


def insert_works(db, embedder=None, works=WORKS) -> None:
    vocabulary = load_vocabulary()
    texts = [w[6] for w in works]
    vectors = embedder(texts) if embedder else [None] * len(works)
    with db.connect() as conn, conn.cursor() as cur:
        run_id = cur.execute(
            "INSERT INTO runs (collection, source_uri) VALUES ('test', 'test') RETURNING id"
        ).fetchone()["id"]
        items = []
        for work, vector in zip(works, vectors, strict=True):
            object_id, title, artist, date_text, (start, end), medium, text, hexes = work
            sha = hashlib.sha256(object_id.encode()).hexdigest()
            uri = f"file:///collection/{object_id}.jpg"
            artwork_id = cur.execute(
                "INSERT INTO artworks (object_id, title, artist, date_text, year_start, "
                "year_end, medium, metadata) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "RETURNING id",
                (object_id, title, artist, date_text, start, end, medium, Jsonb({})),
            ).fetchone()["id"]
            cur.execute(
                "INSERT INTO images (uri, sha256, artwork_id) VALUES (%s, %s, %s)",
                (uri, sha, artwork_id),
            )
            # As the sink records it: the content this URI holds (the image's history).
            cur.execute(
                "INSERT INTO image_contents (uri, sha256, run_id) VALUES (%s, %s, %s)",
                (uri, sha, run_id),
            )
            cur.execute(
                "INSERT INTO analyses (image_sha256, model_version, prompt_version, "
                "prompt_name, text, run_id) VALUES (%s, 'm1', 'p1', 'formal_analysis', %s, %s)",
                (sha, text, run_id),
            )
            items.append(
                {
                    "uri": uri,
                    "sha256": sha,
                    "model_version": "m1",
                    "prompt_version": "p1",
                    "aspects": json.dumps(assign_aspects(text, vocabulary)),
                    "terms": json.dumps(vocabulary.find_terms(text)),
                    "embedding": vector,
                    "features": json.dumps(palette_features(hexes)),
                }
            )
        store_structure(cur, items, run_id)
