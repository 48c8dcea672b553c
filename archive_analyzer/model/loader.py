"""Load a transformers-native LLaVA directory from a local path or an object-store URI.

Remote models are copied once per node into a local cache (keyed by URI) and loaded from there,
so a pool of actors on one node downloads the weights once. The model version recorded on every
analysis is the hash of the directory's model card (archive_analyzer.json), written by
`model convert` and `model tiny`; without a card it is derived from config and weight files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import fsspec
from filelock import FileLock

from archive_analyzer.errors import ModelError

if TYPE_CHECKING:
    from archive_analyzer.settings import Settings

CARD_NAME = "archive_analyzer.json"


def _is_remote(location: str) -> bool:
    return "://" in location and not location.startswith("file://")


def model_cache_dir(settings: Settings) -> Path:
    """Where remote models are mirrored: the `model_cache` setting, else `<home>/model-cache`."""
    return settings.model_cache or settings.home / "model-cache"


def local_model_dir(location: str, cache_dir: Path) -> Path:
    """A local directory holding the model; remote URIs are mirrored into cache_dir first."""
    if not _is_remote(location):
        path = Path(location.removeprefix("file://")).expanduser()
        if not path.is_dir():
            raise ModelError(f"model directory {path} does not exist")
        return path
    target = cache_dir / hashlib.sha256(location.encode()).hexdigest()[:16]
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not (target / ".complete").exists():
            fs, root = fsspec.core.url_to_fs(location)
            if not fs.isdir(root):
                raise ModelError(f"model location {location} is not a directory")
            fs.get(root.rstrip("/") + "/", str(target), recursive=True)
            (target / ".complete").touch()
    return target


def _read_small(location: str, name: str) -> bytes | None:
    """One small file (config, card) of a local or remote model directory, without the weights."""
    path = location.rstrip("/") + "/" + name
    fs, fs_path = fsspec.core.url_to_fs(path)
    return fs.cat_file(fs_path) if fs.exists(fs_path) else None


def model_version(location: str) -> str:
    card = _read_small(location, CARD_NAME)
    digest = hashlib.sha256()
    if card is not None:
        digest.update(card)
    else:
        digest.update(_read_small(location, "config.json") or b"")
        fs, root = fsspec.core.url_to_fs(location)
        for info in sorted(fs.ls(root, detail=True), key=lambda i: i["name"]):
            if info["name"].endswith(".safetensors"):
                digest.update(f"{info['name'].rsplit('/', 1)[-1]}:{info['size']}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class ModelInfo:
    location: str
    version: str
    name: str
    meaningful: bool


def inspect_model(location: str) -> ModelInfo:
    """Check a local or remote directory is a native LLaVA checkpoint and read its card."""
    try:
        raw_config = _read_small(location, "config.json")
    except Exception as exc:  # fsspec backends raise their own types
        raise ModelError(f"cannot read model at {location}: {type(exc).__name__}: {exc}") from exc
    if raw_config is None:
        raise ModelError(f"{location} has no config.json: not a transformers model directory")
    config = json.loads(raw_config)
    if "text_config" not in config or "vision_config" not in config:
        raise ModelError(
            f"{location} is not a transformers-native LLaVA checkpoint (no text_config / "
            "vision_config); convert the original layout with `archive-analyzer model convert`"
        )
    card = json.loads(_read_small(location, CARD_NAME) or b"{}")
    return ModelInfo(
        location=location,
        version=model_version(location),
        name=card.get("name", location.rstrip("/").rsplit("/", 1)[-1]),
        meaningful=card.get("meaningful", True),
    )


def pick_device(preference: str) -> str:
    import torch

    if preference == "cuda" and not torch.cuda.is_available():
        raise ModelError("device 'cuda' requested but no GPU is visible to this process")
    if preference == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return preference


def load_model(model_dir: Path, device: str, threads: int | None = None):
    """The model and tokenizer, fp32 on CPU (bf16 is ~500x slower there), bf16 + SDPA on GPU."""
    import torch
    from transformers import AutoTokenizer, LlavaForConditionalGeneration

    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    try:
        model = LlavaForConditionalGeneration.from_pretrained(
            model_dir, dtype=dtype, attn_implementation="sdpa"
        )
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot load model from {model_dir}: {exc}") from exc
    if device == "cpu" and threads:
        # An actor shares the machine with decoding; torch's default threads oversubscribe it.
        torch.set_num_threads(threads)
    return model.to(device).eval(), tokenizer
