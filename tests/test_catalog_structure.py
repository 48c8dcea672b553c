"""Structure without a database: palettes of known colours, features, aspects, terms, stages."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PIL import Image

from archive_analyzer.catalog.aspects import assign_aspects, split_sentences
from archive_analyzer.catalog.colors import hex_to_rgb, parse_color, srgb_to_lab
from archive_analyzer.catalog.visual import content_region, palette, visual_features
from archive_analyzer.catalog.vocabulary import ASPECTS, load_vocabulary, parse_vocabulary
from archive_analyzer.model.preprocess import ImageSpec, square_pixels
from archive_analyzer.stages.features import Features, FeaturesConfig
from archive_analyzer.stages.structure import Structure, StructureConfig
from tests.conftest import SHARED_DATA


def blocks(hexes_and_widths: list[tuple[str, int]], height: int = 60) -> np.ndarray:
    """Vertical bands of flat colour, `width` columns each."""
    bands = [
        np.tile(np.array(hex_to_rgb(h), np.uint8), (height, w, 1)) for h, w in hexes_and_widths
    ]
    return np.concatenate(bands, axis=1)


def test_palette_of_known_colours_returns_those_colours_and_shares():
    image = blocks([("#1f3a93", 50), ("#ffd700", 30), ("#8b0000", 20)])
    found = palette(image)
    assert [c.hex for c in found] == ["#1f3a93", "#ffd700", "#8b0000"]
    assert [round(c.share, 1) for c in found] == [0.5, 0.3, 0.2]
    assert [c.css_name for c in found[1:]] == ["gold", "darkred"]


def test_palette_finds_five_colours_among_noise():
    rng = np.random.default_rng(1)
    hexes = ["#000080", "#ffffff", "#228b22", "#ff4500", "#808080"]
    image = blocks([(h, 40) for h in hexes]).astype(np.int16)
    noisy = np.clip(image + rng.integers(-6, 7, image.shape), 0, 255).astype(np.uint8)
    found = {c.css_name for c in palette(noisy)}
    assert found == {"navy", "white", "forestgreen", "orangered", "gray"}


def test_features_tell_dark_from_bright_and_warm_from_cool():
    dark_blue = visual_features(blocks([("#101040", 100)]))
    bright_orange = visual_features(blocks([("#ffa040", 100)]))
    grey_stripes = visual_features(blocks([("#000000", 50), ("#ffffff", 50)]))
    assert dark_blue["brightness"] < 20 < 70 < bright_orange["brightness"]
    assert dark_blue["warmth"] < -0.5 and bright_orange["warmth"] > 0.5
    assert grey_stripes["contrast"] > 45 and dark_blue["contrast"] < 1
    assert grey_stripes["colourfulness"] < 1 < bright_orange["colourfulness"]
    assert grey_stripes["saturation"] == 0 and bright_orange["saturation"] > 0.7


def test_features_stage_ignores_the_pad_bands_of_the_square():
    wide = blocks([("#c00000", 300)], height=100)  # 3:1, padded top and bottom with grey
    square = square_pixels(Image.fromarray(wide), ImageSpec())
    assert content_region(square, 300, 100).shape == (110, 336, 3)
    batch = {
        "status": ["ok", "failed"],
        "width": [300, 0],
        "height": [100, 0],
        "pixels": np.stack([square, np.zeros_like(square)]),
    }
    out = Features(FeaturesConfig())(batch)
    features = json.loads(out["features"][0])
    # Only the painting's red: no trace of the grey pad in the palette or the brightness.
    assert [c["hex"] for c in features["palette"]] == ["#c00000"]
    assert features["contrast"] < 0.5
    assert out["features"][1] == ""


def test_sentences_serve_one_or_several_aspects():
    text = (
        "The composition rests on a diagonal of light. Deep ultramarine dominates the "
        "palette, c. 1830 in manner. Thick impasto animates the surface. It is big."
    )
    assert len(split_sentences(text)) == 4
    aspects = assign_aspects(text, load_vocabulary())
    first = "The composition rests on a diagonal of light."
    assert first in aspects["composition"] and first in aspects["light_and_shadow"]
    assert aspects["colour"] == ["Deep ultramarine dominates the palette, c. 1830 in manner."]
    assert aspects["texture_and_brushwork"] == ["Thick impasto animates the surface."]
    assert aspects["other"] == ["It is big."]


def test_terms_are_whole_words_with_variants():
    vocabulary = load_vocabulary()
    found = vocabulary.find_terms("Tenebrist chiaroscuro; linen-like skies, complementary colors.")
    assert found == ["chiaroscuro", "tenebrism", "complementary colours"]
    assert vocabulary.find_terms("a linen-like sky") == []
    assert vocabulary.find_terms("the outline of a hill") == ["outline"]
    assert vocabulary.find_terms("a lineage") == []


def test_vocabulary_aat_ids_are_only_those_verified_in_museum_data():
    """Every AAT id in the vocabulary appears, with the term as its label, in the NGA export."""
    with (SHARED_DATA / "metadata" / "nga_vgww_object_details.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    verified = set()
    for row in rows:
        for key, uris in row.items():
            if key.endswith("_URI") and "aat/" in (uris or ""):
                labels = row[key.removesuffix("_URI")].split(";")
                ids = [u.rsplit("/", 1)[1] for u in uris.split(";")]
                verified |= {(lbl.strip().lower(), i) for lbl, i in zip(labels, ids, strict=False)}
    with_ids = [(t.term, t.aat) for t in load_vocabulary().terms if t.aat]
    assert with_ids and all(pair in verified for pair in with_ids), with_ids
    with pytest.raises(ValueError, match="not an AAT id"):
        parse_vocabulary(
            {
                "version": "x",
                "aspects": {a: ["x"] for a in ASPECTS},
                "terms": [{"term": "x", "aspect": "line", "aat": "12"}],
            }
        )


def test_colour_input_parsing():
    assert parse_color("Navy") == "#000080" and parse_color("1F3A93") == "#1f3a93"
    assert parse_color("dark blue") == "#00008b"
    white = srgb_to_lab(np.array([[255, 255, 255]]))[0]
    assert np.allclose(white, [100, 0, 0], atol=0.01)


def test_structure_stage_without_embedding():
    stage = Structure(StructureConfig(embed=False))
    out = stage({"status": ["ok", "failed"], "text": ["Strong chiaroscuro and impasto.", ""]})
    assert json.loads(out["terms"][0]) == ["chiaroscuro", "impasto"]
    assert "light_and_shadow" in json.loads(out["aspects"][0])
    assert out["embedding"].shape == (2, 384) and not out["embedding"].any()
    assert out["aspects"][1] == ""
