"""The CLIP vision tower of a LLaVA-layout checkpoint: its config, weights and image processor.

ShareGPT4V fine-tuned CLIP ViT-L/14-336, and LLaVA-layout checkpoints carry those weights under
`model.vision_tower.vision_tower.vision_model.*` but no vision config. Without `--vision-tower`
the tower is taken to be ViT-L/14-336 and the weights' shapes must agree; a tower directory
(a saved CLIPVisionModel or CLIPModel) supplies the config, the image processor, and the weights
when the base lacks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from archive_analyzer.errors import ModelError
from archive_analyzer.model.original import VISION_PREFIX, read_weights
from archive_analyzer.model.preprocess import CLIP_MEAN, CLIP_STD

VIT_L_14_336 = {
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "image_size": 336,
    "patch_size": 14,
    "projection_dim": 768,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-5,
}
_LAYER = re.compile(re.escape(VISION_PREFIX) + r"encoder\.layers\.(\d+)\.")
_CLIP_PARTS = ("embeddings.", "encoder.", "pre_layrnorm.", "post_layernorm.")


@dataclass(frozen=True)
class VisionTower:
    config: object  # transformers.CLIPVisionConfig
    image_processor: object  # LlavaImageProcessorPil, padding to a square

    @property
    def patches(self) -> int:
        return (self.config.image_size // self.config.patch_size) ** 2


def vision_tower(state: dict, tower_dir: Path | None, layout) -> VisionTower:
    """Check (and, from tower_dir, complete) the vision weights in `state`; describe the tower."""
    from transformers import CLIPVisionConfig

    if tower_dir is None:
        config = CLIPVisionConfig(**VIT_L_14_336)
        processor = pad_image_processor(config.image_size)
    else:
        config = CLIPVisionConfig.from_pretrained(tower_dir)
        processor = _tower_image_processor(tower_dir, config.image_size)
        if not _has_vision(state):
            state.update(_tower_weights(tower_dir))
    if not _has_vision(state):
        raise ModelError(
            f"the base has no vision tower weights ({VISION_PREFIX}*); pass --vision-tower DIR "
            f"with the CLIP tower its config names ({layout.vision_tower_name})"
        )
    _check_shapes(state, config, tower_dir)
    if config.hidden_size != layout.mm_hidden_size:
        raise ModelError(
            f"the vision tower's hidden size is {config.hidden_size} but the base's "
            f"mm_hidden_size is {layout.mm_hidden_size}"
        )
    return VisionTower(config, processor)


def _has_vision(state: dict) -> bool:
    return any(k.startswith(VISION_PREFIX) for k in state)


def _tower_weights(tower_dir: Path) -> dict:
    """A saved CLIPVisionModel's or CLIPModel's vision weights, renamed to LLaVA's layout."""
    weights = {}
    for key, tensor in read_weights(tower_dir).items():
        if key.startswith("vision_model."):
            weights[VISION_PREFIX + key.removeprefix("vision_model.")] = tensor
        elif key.startswith(_CLIP_PARTS):
            weights[VISION_PREFIX + key] = tensor
    if not weights:
        raise ModelError(f"{tower_dir} holds no CLIP vision weights (vision_model.*)")
    return weights


def _check_shapes(state: dict, config, tower_dir: Path | None) -> None:
    side = config.image_size // config.patch_size
    expected = {
        "embeddings.patch_embedding.weight": (
            config.hidden_size,
            config.num_channels,
            config.patch_size,
            config.patch_size,
        ),
        "embeddings.position_embedding.weight": (side * side + 1, config.hidden_size),
        "encoder.layers.0.mlp.fc1.weight": (config.intermediate_size, config.hidden_size),
    }
    layers = 1 + max((int(m[1]) for k in state if (m := _LAYER.match(k))), default=-1)
    found = {
        k: tuple(state[VISION_PREFIX + k].shape) for k in expected if VISION_PREFIX + k in state
    }
    if found != expected or layers != config.num_hidden_layers:
        described = f"{tower_dir}/config.json" if tower_dir else "CLIP ViT-L/14-336"
        raise ModelError(
            f"the vision tower weights ({layers} layers, {found}) do not match {described} "
            f"({config.num_hidden_layers} layers, {expected})"
            + ("" if tower_dir else "; pass --vision-tower DIR with the tower's config.json")
        )


def pad_image_processor(size: int, mean=CLIP_MEAN, std=CLIP_STD):
    """LLaVA's pad path as a transformers image processor: pad to a square with the mean colour,
    resize, crop, normalise. Saved with the converted model, so plain transformers (and vLLM)
    users get GalleryGPT's preprocessing instead of the stock processor's crop."""
    from transformers.models.llava.image_processing_pil_llava import LlavaImageProcessorPil

    return LlavaImageProcessorPil(
        do_pad=True,
        size={"shortest_edge": size},
        crop_size={"height": size, "width": size},
        image_mean=list(mean),
        image_std=list(std),
    )


def default_image_processor(size: int):
    """The plain CLIP processor of CLIP ViT-L/14-336 (a saved vision tower carries this one)."""
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    return CLIPImageProcessorPil(
        size={"shortest_edge": size},
        crop_size={"height": size, "width": size},
        image_mean=list(CLIP_MEAN),
        image_std=list(CLIP_STD),
    )


def _tower_image_processor(tower_dir: Path, size: int):
    """The tower's own normalisation (its preprocessor_config.json), on LLaVA's pad path."""
    import json

    path = tower_dir / "preprocessor_config.json"
    if not path.exists():
        return pad_image_processor(size)
    config = json.loads(path.read_text())
    crop = config.get("crop_size", size)
    crop = crop.get("height", size) if isinstance(crop, dict) else crop
    mean, std = config.get("image_mean", CLIP_MEAN), config.get("image_std", CLIP_STD)
    return pad_image_processor(int(crop), mean, std)
