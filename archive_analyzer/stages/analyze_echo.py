"""AnalyzeEcho: an instant stand-in for the model, to measure the pipeline's own ceiling.

`--engine echo` (`model_engine = "echo"`, never the default) wires this stage where the model
goes: same ModelStage, same input columns (it reads every square it is given), same output
columns. It loads no weights and answers at once with a canned formal-analysis paragraph of a
real analysis's length that touches every aspect, so Structure, Features and Sink do their full
work per row. Every row it writes says what it is: the model version starts with "echo", the
model is recorded under the name ECHO_NAME, and the text opens with ECHO_LABEL. Rates measured
with it are the pipeline's ceiling, never a model's.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np

from archive_analyzer.model.generate import Generation
from archive_analyzer.model.loader import ModelInfo
from archive_analyzer.stages.analyze import ModelConfig, ModelStage

ECHO_LOCATION = "echo"
ECHO_NAME = "echo (stand-in text, no model)"
ECHO_LABEL = "[echo engine stand-in text, not an analysis.]"

# Which tone the canned text names follows the square's mean brightness, so the rows differ a
# little and the stage reads its pixels as a model would; everything else is fixed.
TONES = ("dark, low-keyed", "muted, middle-toned", "light, high-keyed")

PARAGRAPH = (
    "{label} The composition is arranged around a central figure placed slightly off centre, "
    "with a diagonal that leads the eye from the lower left foreground toward a distant "
    "horizon. The palette is {tone}, built from warm ochre and umber against cooler blue and "
    "green passages, so that the colour temperature shifts as the picture recedes. Line is "
    "soft rather than linear: contours dissolve into the surrounding tones, and only a few "
    "sharp edges hold the main forms in place. Light falls from the upper left, and the "
    "chiaroscuro models the figure with gentle shadows while highlights catch the drapery and "
    "the face. Space is suggested through atmospheric perspective, overlapping planes and a "
    "middle ground of trees that gives the scene its depth. The brushwork is loose in the "
    "background and more blended in the figure, and thick impasto strokes give the surface a "
    "visible texture. The forms have a solid, sculptural volume, and their proportions are "
    "quietly geometric. Overall the painting conveys a calm, contemplative mood, a sense of "
    "harmony between figure and landscape that invites the viewer to linger."
)


def echo_version() -> str:
    """The model version of echo rows: 'echo-' and a hash of the canned text, so a change to
    the text makes earlier echo rows stale, and no echo row shares a version with a model."""
    digest = hashlib.sha256(PARAGRAPH.encode()).hexdigest()[:11]
    return f"echo-{digest}"


def echo_model_info() -> ModelInfo:
    return ModelInfo(ECHO_LOCATION, echo_version(), ECHO_NAME, meaningful=False)


def echo_text(square: np.ndarray) -> str:
    tone = TONES[min(len(TONES) - 1, int(square.mean()) * len(TONES) // 256)]
    return PARAGRAPH.format(label=ECHO_LABEL, tone=tone)


class AnalyzeEcho(ModelStage):
    """The echo engine: no weights, no tokenizer; one canned paragraph per square, at once.

    Token counts are whitespace words (there is no tokenizer), reported so the columns are
    filled as a model's are; they are not a model's token counts.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config, echo_version(), self._generate)

    def _generate(self, pixels: np.ndarray) -> tuple[list[Generation], float]:
        started = time.perf_counter()
        prompt_words = len(self.config.prompt.text.split())
        results = []
        for square in pixels:
            text = echo_text(square)
            results.append(Generation(text, prompt_words, len(text.split())))
        return results, time.perf_counter() - started
