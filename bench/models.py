"""Benchmark models built in code, their FLOPs counted from their shapes, and the CPU roofline.

The compute-bound CPU model is LLaVA-shaped (CLIP ViT at 336 px with 576 image tokens, a Llama
language model) with ~105M parameters: big enough that matmuls, not Python, set its speed on a
2-core machine, small enough to run a benchmark in minutes. Weights are random; only time counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Shape:
    """The sizes that decide a LLaVA's arithmetic."""

    vision_hidden: int = 128
    vision_layers: int = 2
    vision_intermediate: int = 512
    text_hidden: int = 1024
    text_layers: int = 8
    text_intermediate: int = 2816
    text_heads: int = 16
    text_kv_heads: int = 16
    image_size: int = 336
    patch: int = 14


CPU_SHAPE = Shape()
TINY_SHAPE = Shape(64, 2, 128, 64, 2, 128, 4, 4)
# GalleryGPT: LLaVA-1.5-7B (Vicuna-7B) with CLIP ViT-L/14-336.
GALLERYGPT_SHAPE = Shape(1024, 24, 4096, 4096, 32, 11008, 32, 32)


def llava_config(shape: Shape, tokenizer, vocab_size: int | None = None):
    from archive_analyzer.model.config import llava_config as build

    return build(
        tokenizer,
        vision=(
            shape.vision_hidden,
            shape.vision_intermediate,
            shape.vision_layers,
            max(4, shape.vision_hidden // 64),
        ),
        text=(
            shape.text_hidden,
            shape.text_intermediate,
            shape.text_layers,
            shape.text_heads,
            shape.text_kv_heads,
        ),
        image_size=shape.image_size,
        patch=shape.patch,
        max_positions=4096,
        vocab_size=vocab_size,
    )


def write_model(shape: Shape, out: Path, seed: int = 0) -> Path:
    """A loadable random-weight LLaVA directory of this shape (same layout as `model tiny`)."""
    import torch
    from transformers import LlavaForConditionalGeneration

    from archive_analyzer.model.tiny import _image_processor, build_tokenizer

    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(llava_config(shape, tokenizer)).eval()
    # Every image must generate the same number of tokens, or the one-at-a-time loop would do
    # less work than the batch: a zero EOS row never wins greedy argmax against 500 random ones.
    with torch.no_grad():
        model.lm_head.weight[tokenizer.eos_token_id] = 0.0
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    _image_processor(shape.image_size).save_pretrained(out)
    return out


def image_tokens(shape: Shape) -> int:
    return (shape.image_size // shape.patch) ** 2


def vision_flops(shape: Shape) -> float:
    """CLIP tower up to the feature layer LLaVA uses (-2), plus the two-layer projector."""
    tokens = image_tokens(shape) + 1
    h, i = shape.vision_hidden, shape.vision_intermediate
    per_layer = 2 * tokens * (4 * h * h + 2 * h * i) + 4 * tokens * tokens * h
    patch_embed = 2 * image_tokens(shape) * 3 * shape.patch**2 * h
    projector = 2 * image_tokens(shape) * (h * shape.text_hidden + shape.text_hidden**2)
    return patch_embed + per_layer * (shape.vision_layers - 1) + projector


def _text_linear_flops_per_token(shape: Shape) -> float:
    h, i = shape.text_hidden, shape.text_intermediate
    kv = h * shape.text_kv_heads // shape.text_heads
    return 2 * shape.text_layers * (2 * h * h + 2 * h * kv + 3 * h * i)


def text_flops(shape: Shape, prompt_tokens: int, new_tokens: int, vocab: int) -> float:
    """Prefill of the whole prompt, then one forward per further generated token.

    Causal attention is counted at its useful half (2*T^2*h per layer for the prefill); logits
    only for the positions that produce a token.
    """
    h, layers = shape.text_hidden, shape.text_layers
    linear = _text_linear_flops_per_token(shape)
    logits = 2 * h * vocab
    prefill = prompt_tokens * linear + 2 * layers * prompt_tokens**2 * h + logits
    decode = 0.0
    for step in range(1, new_tokens):
        context = prompt_tokens + step
        decode += linear + 4 * layers * context * h + logits
    return prefill + decode


def flops_per_image(shape: Shape, prompt_tokens: int, new_tokens: int, vocab: int) -> float:
    return vision_flops(shape) + text_flops(shape, prompt_tokens, new_tokens, vocab)


def matmul_flops_per_second(size: int = 2048, seconds: float = 1.5) -> float:
    """fp32 matmul throughput of this process's torch threads, best of repeated runs."""
    import torch

    a = torch.randn(size, size)
    b = torch.randn(size, size)
    a @ b
    best = 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        a @ b
        best = max(best, 2 * size**3 / (time.perf_counter() - started))
    return best


def synchronize(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def copy_bandwidth(device: str, megabytes: int) -> float:
    """Bytes/s of a device-to-device copy (read + write), best of a few."""
    import torch

    source = torch.empty(megabytes * 2**20, dtype=torch.uint8, device=device)
    target = torch.empty_like(source)
    target.copy_(source)
    best = 0.0
    for _ in range(5):
        synchronize(device)
        started = time.perf_counter()
        for _ in range(5):
            target.copy_(source)
        synchronize(device)
        best = max(best, 5 * 2 * source.numel() / (time.perf_counter() - started))
    del source, target
    return best


def decode_bytes(shape: Shape, vocab: int, dtype_bytes: int) -> tuple[float, float]:
    """(language-model weight bytes read per decode step, KV-cache bytes per context token)."""
    h, i, layers = shape.text_hidden, shape.text_intermediate, shape.text_layers
    kv = h * shape.text_kv_heads // shape.text_heads
    weights = layers * (2 * h * h + 2 * h * kv + 3 * h * i) + h * vocab
    return weights * dtype_bytes, 2 * layers * kv * dtype_bytes
