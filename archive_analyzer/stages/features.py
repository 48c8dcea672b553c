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


@dataclass(frozen=True)
class FeaturesConfig:
    palette_size: int = 5


class Features:
    def __init__(self, config: FeaturesConfig) -> None:
        self.config = config

    def __call__(self, batch: Batch) -> Batch:
        out: Batch = dict(batch)
        features = [""] * batch_len(batch)
        pixels = np.asarray(batch["pixels"])
        for index, status in enumerate(batch["status"]):
            if status != "ok":
                continue
            region = content_region(
                pixels[index], int(batch["width"][index]), int(batch["height"][index])
            )
            features[index] = json.dumps(visual_features(region))
        out["features"] = features
        return out
