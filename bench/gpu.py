"""GPU benchmark (run by bench/gpu.sh): GalleryGPT-sized LLaVA, random weights, no network.

A LLaVA-1.5-7B shape (Vicuna-7B language model, CLIP ViT-L/14-336, 576 image tokens) is built
from its config with random bf16 weights, and every image generates exactly `--new-tokens`
tokens (EOS can never win), so the three ways of running it do identical work:

1. one image per `generate` call with transformers' default KV cache, as GalleryGPT's
   inference script does;
2. the transformers Analyze path (our Generator: static KV cache, so the decode step is
   compiled into a CUDA graph) at each batch size of `--batch` (each shape compiles once,
   untimed);
3. the vLLM Analyze stage (stages/analyze_vllm.py) over many images, with dummy weights.

The decode roofline: generating a token for one sequence must at least read the language
model's weights (shared by the sequences decoded together) and that sequence's KV cache. At the
device's measured copy bandwidth that bounds images/s; the prefill and vision tower (compute
bound) are excluded from the bound but included in the measured time, so the fraction is
conservative. `--smoke` runs a tiny model on CPU in seconds (the tests use it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bench.models import (
    GALLERYGPT_SHAPE,
    TINY_SHAPE,
    Shape,
    copy_bandwidth,
    decode_bytes,
    llava_config,
)
from bench.table import Row, at_least, render

LLAMA_VOCAB = 32000
NOMINAL_TB_S = {"H100 SXM": 3.35, "H100 NVL": 3.9, "H100 PCIe": 2.0, "H200": 4.8}


@dataclass(frozen=True)
class Plan:
    shape: Shape
    vocab: int | None
    new_tokens: int
    singles: int
    batches: tuple[int, ...]
    vllm_images: int
    device: str


def plan_for(args: argparse.Namespace) -> Plan:
    batches = tuple(
        int(size) for size in (args.batch or ("4" if args.smoke else "16,64")).split(",")
    )
    if args.smoke:
        return Plan(TINY_SHAPE, None, 8, 2, batches, 0, "cpu")
    sizes = (args.new_tokens, args.singles, batches, args.images)
    return Plan(GALLERYGPT_SHAPE, LLAMA_VOCAB, *sizes, "cuda")


def write_model_dir(plan: Plan, out: Path) -> Path:
    """config.json, tokenizer and processor files: all vLLM's dummy loader and we need."""
    from archive_analyzer.model.preprocess import CLIP_MEAN, CLIP_STD
    from archive_analyzer.model.tiny import build_tokenizer

    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer()
    config = llava_config(plan.shape, tokenizer, plan.vocab)
    config.architectures = ["LlavaForConditionalGeneration"]
    config.save_pretrained(out)
    tokenizer.save_pretrained(out)
    size = plan.shape.image_size
    # Written by hand, in the long-standing CLIPImageProcessor / LlavaProcessor format, so any
    # transformers version that vLLM pins can read them.
    image_processor = {
        "image_processor_type": "CLIPImageProcessor",
        "processor_class": "LlavaProcessor",
        "do_resize": True,
        "size": {"shortest_edge": size},
        "do_center_crop": True,
        "crop_size": {"height": size, "width": size},
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": list(CLIP_MEAN),
        "image_std": list(CLIP_STD),
        "do_convert_rgb": True,
        "resample": 3,
    }
    processor = {
        "processor_class": "LlavaProcessor",
        "patch_size": plan.shape.patch,
        "vision_feature_select_strategy": "default",
        "num_additional_image_tokens": 1,
        "image_token": "<image>",
    }
    (out / "preprocessor_config.json").write_text(json.dumps(image_processor, indent=2))
    (out / "processor_config.json").write_text(json.dumps(processor, indent=2))
    return out


def build_transformers(model_dir: Path, plan: Plan):
    """Random weights made directly on the device (seconds for 7B on a GPU, no files)."""
    import torch
    from transformers import AutoConfig, AutoTokenizer, LlavaForConditionalGeneration

    config = AutoConfig.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    dtype = torch.bfloat16 if plan.device == "cuda" else torch.float32
    previous = torch.get_default_dtype()
    torch.manual_seed(0)
    torch.set_default_dtype(dtype)
    try:
        with torch.device(plan.device):
            model = LlavaForConditionalGeneration(config).eval()
    finally:
        torch.set_default_dtype(previous)
    with torch.no_grad():
        model.lm_head.weight[tokenizer.eos_token_id] = 0.0  # EOS never wins greedy argmax
    return model, tokenizer


def squares(count: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(count, 336, 336, 3), dtype=np.uint8)


def roofline_images_per_second(
    plan: Plan, vocab: int, prompt_tokens: int, concurrency: int, bandwidth: float
) -> float:
    dtype_bytes = 2 if plan.device == "cuda" else 4
    weights, kv_per_token = decode_bytes(plan.shape, vocab, dtype_bytes)
    context = prompt_tokens + plan.new_tokens / 2
    per_token = (weights / concurrency + kv_per_token * context) / bandwidth
    return 1.0 / (per_token * plan.new_tokens)


def run_transformers(model_dir: Path, plan: Plan) -> dict:
    """GalleryGPT's loop (one image per call, default KV cache), then our batched Generator."""
    from archive_analyzer.model.generate import Generator
    from archive_analyzer.model.preprocess import ImageSpec
    from archive_analyzer.model.prompts import resolve_prompt

    model, tokenizer = build_transformers(model_dir, plan)
    prompt = resolve_prompt("formal_analysis")
    reference = Generator(model, tokenizer, ImageSpec(), plan.new_tokens, static_cache=False)
    reference(squares(1), prompt)  # warm-up: kernels, allocator
    started = time.perf_counter()
    for square in squares(plan.singles):
        reference(square[None], prompt)
    single = plan.singles / (time.perf_counter() - started)
    ours = Generator(model, tokenizer, ImageSpec(), plan.new_tokens, static_cache=True)
    batched = {}
    for size in plan.batches:
        ours(squares(size), prompt)  # each batch shape compiles once on a GPU: untimed
        results, seconds = ours(squares(size), prompt)
        assert all(r.generated_tokens == plan.new_tokens for r in results), "EOS ended a row"
        batched[size] = size / seconds
        print(f"batch {size}: {batched[size]:.3f} img/s", flush=True)
    prompt_tokens = len(ours.prompt_ids(prompt))
    vocab = model.config.text_config.vocab_size
    del model, reference, ours
    free_device_memory(plan.device)
    return {
        "single": single,
        "batched": max(batched.values()),
        "by_batch": batched,
        "prompt_tokens": prompt_tokens,
        "vocab": vocab,
    }


def free_device_memory(device: str) -> None:
    import gc

    import torch

    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()


def run_vllm(model_dir: Path, plan: Plan, max_num_seqs: int) -> dict:
    from archive_analyzer.model.prompts import resolve_prompt
    from archive_analyzer.stages.analyze import ModelConfig
    from archive_analyzer.stages.analyze_vllm import AnalyzeVLLM

    config = ModelConfig(
        str(model_dir),
        model_dir.parent / "cache",
        resolve_prompt("formal_analysis"),
        plan.new_tokens,
        plan.device,
    )
    started = time.perf_counter()
    stage = AnalyzeVLLM(
        config,
        engine_args={
            "load_format": "dummy",
            "max_num_seqs": max_num_seqs,
            "gpu_memory_utilization": 0.85,  # the parent process keeps a CUDA context
        },
        sampling_args={"ignore_eos": True, "min_tokens": plan.new_tokens, "detokenize": False},
    )
    startup = time.perf_counter() - started
    stage.generate(squares(8))  # warm-up
    results, seconds = stage.generate(squares(plan.vllm_images))
    assert all(result.generated_tokens == plan.new_tokens for result in results)
    return {
        "images_per_second": plan.vllm_images / seconds,
        "startup_seconds": startup,
        "concurrency": min(plan.vllm_images, max_num_seqs, kv_capacity_sequences(stage, plan)),
    }


def kv_capacity_sequences(stage, plan: Plan) -> int:
    """How many sequences of this length vLLM's KV cache holds at once (0 if not reported)."""
    try:
        cache = stage.engine.vllm_config.cache_config
        tokens = cache.num_gpu_blocks * cache.block_size
    except (AttributeError, TypeError):
        return 10**9
    return max(1, tokens // (576 + 64 + plan.new_tokens))


def device_name(device: str) -> str:
    import torch

    if device == "cuda":
        return torch.cuda.get_device_name(0)
    return f"CPU ({os.cpu_count()} cores)"


def vllm_available() -> str | None:
    """None when vLLM can run here, else why not."""
    try:
        import vllm  # noqa: F401
    except ImportError:
        return "vllm is not installed (pip install 'archive-analyzer[gpu]')"
    return None


def rows_for(plan: Plan, hf: dict, vllm: dict | str, bandwidth: float) -> list[Row]:
    roofline = lambda c: roofline_images_per_second(  # noqa: E731
        plan, hf["vocab"], hf["prompt_tokens"], c, bandwidth
    )
    rows = [
        Row("device copy bandwidth (roofline basis)", f"{bandwidth / 1e12:.2f} TB/s", "", None),
        Row(
            f"one image per generate call, default cache ({plan.new_tokens} tokens)",
            f"{hf['single']:.3f} img/s",
            f"roofline at 1 sequence {roofline(1):.2f} img/s",
            hf["single"] / roofline(1),
        ),
    ]
    for size, images_per_second in hf["by_batch"].items():
        rows.append(
            Row(
                f"transformers batched ({size}, static cache) vs one per call",
                f"{images_per_second:.3f} img/s",
                f"{hf['single']:.3f} img/s",
                *at_least(images_per_second / hf["single"], 10.0),
            )
        )
    size, best = max(hf["by_batch"].items(), key=lambda item: item[1])
    rows.append(
        Row(
            f"transformers batched ({size}) vs decode memory-bandwidth roofline",
            f"{best:.3f} img/s",
            f"roofline {roofline(size):.2f} img/s at {size} sequences",
            *at_least(best / roofline(size), 0.5),
        )
    )
    if isinstance(vllm, str):
        return rows + [Row("vLLM engine", f"not measured: {vllm}", "")]
    ips, concurrency = vllm["images_per_second"], vllm["concurrency"]
    speedup = at_least(ips / hf["single"], 10.0)
    fraction = at_least(ips / roofline(concurrency), 0.5)
    return rows + [
        Row(
            f"vLLM ({plan.vllm_images} images) vs one per call",
            f"{ips:.2f} img/s (startup {vllm['startup_seconds']:.0f} s)",
            f"{hf['single']:.3f} img/s",
            *speedup,
        ),
        Row(
            "vLLM vs decode memory-bandwidth roofline",
            f"{ips:.2f} img/s",
            f"roofline {roofline(concurrency):.2f} img/s at {concurrency} sequences",
            *fraction,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/gpu.sh", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny model on CPU, seconds")
    parser.add_argument("--new-tokens", type=int, default=256)
    parser.add_argument("--singles", type=int, default=3)
    parser.add_argument("--batch", help="batch sizes, comma-separated (default 16,64; smoke 4)")
    parser.add_argument("--images", type=int, default=512, help="images through vLLM")
    parser.add_argument("--max-num-seqs", type=int, default=256)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    plan = plan_for(args)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-gpu-") as tmp:
        model_dir = write_model_dir(plan, Path(tmp) / "gallerygpt-shaped")
        bandwidth = copy_bandwidth(plan.device, 64 if args.smoke else 2048)
        hf = run_transformers(model_dir, plan)
        why_not = "skipped in smoke mode (CPU)" if args.smoke else vllm_available()
        vllm = why_not or run_vllm(model_dir, plan, args.max_num_seqs)
    name = device_name(plan.device)
    print(f"\nbench/gpu.sh on {name}, {time.perf_counter() - started:.0f} s in all")
    print(render(rows_for(plan, hf, vllm, bandwidth)))
    if args.json:
        figures = {"device": name, "plan": asdict(plan), "transformers": hf, "vllm": vllm}
        args.json.write_text(json.dumps({**figures, "bandwidth": bandwidth}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
