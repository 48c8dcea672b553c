"""Reading GalleryGPT as published: LLaVA-layout weights, a peft LoRA adapter, a projector file.

Everything here works on plain state dicts keyed the way LLaVA saves them (`model.layers.*`,
`model.mm_projector.0/2.*`, `model.vision_tower.vision_tower.vision_model.*`, `lm_head.weight`),
so checks and the merge can say in LLaVA's own names what is wrong with a checkpoint.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from archive_analyzer.errors import ModelError

# Files in a LLaVA training output that hold no model weights.
_NOT_WEIGHTS = {"non_lora_trainables.bin", "training_args.bin", "optimizer.pt", "scheduler.pt"}
PROJECTOR_KEYS = tuple(f"model.mm_projector.{i}.{p}" for i in (0, 2) for p in ("weight", "bias"))
VISION_PREFIX = "model.vision_tower.vision_tower.vision_model."
_LORA_KEY = re.compile(
    r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<kind>[AB])(?:\.\w+)?\.weight$"
)


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ModelError(f"{path.parent} has no {path.name}") from exc
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON: {exc}") from exc


def load_file(path: Path) -> dict:
    """One safetensors or torch pickle file; pickles are memory-mapped where torch can."""
    import torch
    from safetensors.torch import load_file as load_safetensors

    if path.suffix == ".safetensors":
        return load_safetensors(str(path))
    try:
        return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except RuntimeError:
        # Files written by torch < 1.6 are not zip archives and cannot be memory-mapped.
        return torch.load(path, map_location="cpu", weights_only=True)


def weight_files(directory: Path) -> list[Path]:
    """The weight files of a (possibly sharded) checkpoint, safetensors preferred."""
    for index_name, pattern in (
        ("model.safetensors.index.json", "*.safetensors"),
        ("pytorch_model.bin.index.json", "*.bin"),
    ):
        index = directory / index_name
        if index.exists():
            names = sorted(set(read_json(index)["weight_map"].values()))
            missing = [name for name in names if not (directory / name).exists()]
            if missing:
                raise ModelError(
                    f"{directory} is incomplete: {index_name} lists {', '.join(missing)}, "
                    "which is missing (an interrupted download?)"
                )
            return [directory / name for name in names]
        found = sorted(p for p in directory.glob(pattern) if p.name not in _NOT_WEIGHTS)
        if found:
            return found
    raise ModelError(f"{directory} holds no weight files (*.safetensors or pytorch_model*.bin)")


def read_weights(directory: Path) -> dict:
    state: dict = {}
    for path in weight_files(directory):
        state.update(load_file(path))
    return state


def llava_trainables(path: Path) -> dict:
    """non_lora_trainables.bin keyed like the base, the way LLaVA's own loader renames it."""
    state = load_file(path)
    state = {k.removeprefix("base_model."): v for k, v in state.items()}
    if any(k.startswith("model.model.") for k in state):
        state = {k.removeprefix("model."): v for k, v in state.items()}
    return state


@dataclass(frozen=True)
class LlavaLayout:
    """What the original config.json says about the multimodal parts."""

    hidden_size: int
    vocab_size: int
    mm_hidden_size: int
    select_layer: int
    select_strategy: str
    vision_tower_name: str | None


def check_llava_config(config: dict, where: Path) -> LlavaLayout:
    """Refuse what this converter (and the pad pipeline) does not reproduce, naming the setting."""
    if config.get("mm_projector_type", "linear") != "mlp2x_gelu":
        raise ModelError(
            f"{where}: mm_projector_type {config.get('mm_projector_type')!r} is not supported "
            "(GalleryGPT uses 'mlp2x_gelu')"
        )
    if config.get("image_aspect_ratio", "square") != "pad":
        raise ModelError(
            f"{where}: image_aspect_ratio {config.get('image_aspect_ratio')!r}: this pipeline "
            "reproduces LLaVA's 'pad' preprocessing only"
        )
    if config.get("mm_use_im_start_end") or config.get("mm_use_im_patch_token"):
        raise ModelError(f"{where}: image start/end or patch tokens are not supported")
    feature = config.get("mm_vision_select_feature", "patch")
    if feature not in ("patch", "cls_patch"):
        raise ModelError(f"{where}: mm_vision_select_feature {feature!r} is not supported")
    for key in ("hidden_size", "vocab_size", "mm_hidden_size"):
        if key not in config:
            raise ModelError(f"{where}: config.json has no {key}")
    return LlavaLayout(
        hidden_size=config["hidden_size"],
        vocab_size=config["vocab_size"],
        mm_hidden_size=config["mm_hidden_size"],
        select_layer=config.get("mm_vision_select_layer", -2),
        select_strategy="default" if feature == "patch" else "full",
        vision_tower_name=config.get("mm_vision_tower"),
    )


def check_projector(state: dict, layout: LlavaLayout, source: str) -> None:
    missing = [k for k in PROJECTOR_KEYS if k not in state]
    if missing:
        raise ModelError(f"the projector is missing: {source} has no {', '.join(missing)}")
    expected = {
        "model.mm_projector.0.weight": (layout.hidden_size, layout.mm_hidden_size),
        "model.mm_projector.2.weight": (layout.hidden_size, layout.hidden_size),
    }
    for key, shape in expected.items():
        if tuple(state[key].shape) != shape:
            raise ModelError(
                f"projector {key} has shape {tuple(state[key].shape)} but this base needs {shape} "
                f"(hidden {layout.hidden_size}, vision {layout.mm_hidden_size}): "
                "a projector trained for another base?"
            )


_SAME_LANGUAGE_MODEL = ("hidden_size", "num_hidden_layers", "intermediate_size", "vocab_size")


def adapter_llava_config(base_config: dict, adapter: Path) -> dict:
    """The config LLaVA builds a LoRA model with: the adapter directory's config.json (it holds
    the fine-tune's mm_* settings) when there is one, after checking it describes this base."""
    path = adapter / "config.json"
    if not path.exists():
        return base_config
    config = read_json(path)
    for key in _SAME_LANGUAGE_MODEL:
        if key in config and key in base_config and config[key] != base_config[key]:
            raise ModelError(
                f"the adapter was made for another base: its config.json says {key}="
                f"{config[key]} but the base has {key}={base_config[key]}"
            )
    return config


@dataclass(frozen=True)
class LoraPair:
    module: str
    a: object
    b: object


def read_adapter(directory: Path) -> tuple[dict, list[LoraPair], dict]:
    """adapter_config.json, the A/B pairs by base module name, and any full tensors it saves."""
    config = read_json(directory / "adapter_config.json")
    if config.get("peft_type", "LORA") != "LORA":
        raise ModelError(
            f"{directory}: peft_type {config.get('peft_type')!r} is not a LoRA adapter"
        )
    if config.get("use_dora") or config.get("rank_pattern") or config.get("alpha_pattern"):
        raise ModelError(f"{directory}: DoRA and per-module rank/alpha patterns are not supported")
    for key in ("r", "lora_alpha"):
        if not isinstance(config.get(key), int | float) or config[key] <= 0:
            raise ModelError(f"{directory}/adapter_config.json: {key} must be a positive number")
    names = ("adapter_model.safetensors", "adapter_model.bin")
    path = next((directory / n for n in names if (directory / n).exists()), None)
    if path is None:
        raise ModelError(f"{directory} has no adapter_model.safetensors or adapter_model.bin")
    halves: dict[str, dict] = {}
    extra = {}
    for key, tensor in load_file(path).items():
        match = _LORA_KEY.match(key)
        if match:
            halves.setdefault(match["module"], {})[match["kind"]] = tensor
        else:
            extra[key.removeprefix("base_model.model.")] = tensor
    pairs = []
    for module, half in sorted(halves.items()):
        if set(half) != {"A", "B"}:
            raise ModelError(
                f"adapter module {module} has lora_{''.join(half)} but not both A and B"
            )
        pairs.append(LoraPair(module, half["A"], half["B"]))
    if not pairs:
        raise ModelError(f"{path} holds no lora_A/lora_B weights")
    return config, pairs, extra


def lora_scaling(config: dict) -> float:
    """alpha / r, or alpha / sqrt(r) for rank-stabilised LoRA, as peft scales the update."""
    root = math.sqrt(config["r"]) if config.get("use_rslora") else config["r"]
    return config["lora_alpha"] / root


def merge_lora(state: dict, config: dict, pairs: list[LoraPair]) -> int:
    """W <- W + scaling * B @ A for every pair, in fp32, after checking it fits this base."""
    import torch

    rank, scaling = config["r"], lora_scaling(config)
    for pair in pairs:
        key = f"{pair.module}.weight"
        if key not in state:
            raise ModelError(
                f"the adapter was made for another base: it adapts {pair.module}, "
                "which this base does not have"
            )
        weight = state[key]
        if pair.a.shape[0] != rank or pair.b.shape[1] != rank:
            raise ModelError(
                f"bad LoRA rank for {pair.module}: adapter_config.json says r={rank} but lora_A is "
                f"{tuple(pair.a.shape)} and lora_B is {tuple(pair.b.shape)}"
            )
        if (pair.b.shape[0], pair.a.shape[1]) != tuple(weight.shape):
            raise ModelError(
                f"the adapter was made for another base: {pair.module} is {tuple(weight.shape)} "
                f"in this base but the adapter's update is {(pair.b.shape[0], pair.a.shape[1])}"
            )
        delta = pair.b.to(torch.float32) @ pair.a.to(torch.float32)
        state[key] = (weight.to(torch.float32) + scaling * delta).to(weight.dtype)
    return len(pairs)


def apply_overrides(state: dict, overrides: dict, source: str) -> None:
    """Full tensors saved beside an adapter replace the base's, and must match its shapes."""
    for key, tensor in overrides.items():
        if key in state and tuple(state[key].shape) != tuple(tensor.shape):
            raise ModelError(
                f"{source}: {key} is {tuple(tensor.shape)} but {tuple(state[key].shape)} in the "
                "base: saved for another base?"
            )
        state[key] = tensor
