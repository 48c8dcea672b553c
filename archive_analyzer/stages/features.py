"""Features: visual features measured from the decoded pixels (palette, brightness, ...).

A CPU stage between Decode and Analyze, because Analyze drops the pixels. Only the painting is
measured, not the pad bands of LLaVA's square (their extent follows from width and height).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from archive_analyzer.catalog.visual import content_region, visual_features
from archive_analyzer.stages import Batch, batch_len
from archive_analyzer.stages.contract import FEATURES, HEIGHT, PIXELS, STATUS, WIDTH, Stage, Status


@dataclass(frozen=True)
class FeaturesConfig:
    palette_size: int = 5


class Features(Stage):
    needs = (STATUS, PIXELS, WIDTH, HEIGHT)
    adds = (FEATURES,)

    def __init__(self, config: FeaturesConfig) -> None:
        self.config = config

    def __call__(self, batch: Batch) -> Batch:
        out: Batch = dict(batch)
        features = [""] * batch_len(batch)
        pixels = np.asarray(batch[PIXELS])
        for index, status in enumerate(batch[STATUS]):
            if status != Status.OK:
                continue
            region = content_region(
                pixels[index], int(batch[WIDTH][index]), int(batch[HEIGHT][index])
            )
            features[index] = json.dumps(visual_features(region))
        out[FEATURES] = features
        return out
