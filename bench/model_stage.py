"""The model stage against the CPU's compute roofline, and batched against one image per call.

The Analyze stage (the production class) runs a ~105M-parameter LLaVA-shaped model on decoded
336 px squares. Useful FLOPs per image are counted from the model's shapes (bench.models) using
the tokens actually generated. The baseline loop calls the same stage with one image at a time,
as GalleryGPT's own inference script does.

The machine is shared, so no figure comes from one look at a quiet moment: batched and single
samples alternate (A B A B ...), `repeats` of each, and each batched sample is set against a
matmul roofline measured right beside it, in wall time and in CPU-seconds (time.process_time,
which other processes' load does not inflate). Every figure is reported as min / median / max.
`model_stage_rows(repeats)` returns those figures as a dict for other bench modules.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from archive_analyzer.model.prompts import resolve_prompt
from archive_analyzer.stages.analyze import Analyze, ModelConfig
from bench.models import (
    CPU_SHAPE,
    TINY_SHAPE,
    Shape,
    copy_bandwidth,
    decode_bytes,
    flops_per_image,
    matmul_flops_per_second,
    text_flops,
    write_model,
)
from bench.table import Row, at_least


def squares(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(count, 336, 336, 3), dtype=np.uint8)


def build_stage(model_dir: Path, cache: Path, new_tokens: int) -> Analyze:
    prompt = resolve_prompt("formal_analysis")
    threads = os.cpu_count() or 1
    return Analyze(ModelConfig(str(model_dir), cache, prompt, new_tokens, "cpu", threads=threads))


def timed(stage: Analyze, pixels: np.ndarray, per_call: int) -> tuple[float, list[int], int]:
    """(seconds, generated tokens per image, prompt tokens) for the images in calls of per_call."""
    generated, prompt_tokens = [], 0
    started = time.perf_counter()
    for start in range(0, len(pixels), per_call):
        chunk = pixels[start : start + per_call]
        out = stage({"uri": [""] * len(chunk), "status": ["ok"] * len(chunk), "pixels": chunk})
        assert set(out["status"]) == {"ok"}, out["message"]
        generated += list(out["generated_tokens"])
        prompt_tokens = out["prompt_tokens"][0]
    return time.perf_counter() - started, generated, prompt_tokens


def ceiling(shape: Shape, vocab: int, prompt: int, new: int, batch: int, m: dict) -> float:
    """The best fraction of the compute roofline this machine allows: prefill at the matmul
    rate, and each decode step at the slower of its FLOPs and its bytes (fp32 weights shared by
    the batch, each row's static KV cache read whole) at the measured copy bandwidth."""
    weights, kv_per_token = decode_bytes(shape, vocab, 4)
    decode_flops = text_flops(shape, prompt, new, vocab) - text_flops(shape, prompt, 1, vocab)
    decode_bytes_per_image = (new - 1) * (weights / batch + kv_per_token * (prompt + new))
    flops = flops_per_image(shape, prompt, new, vocab)
    seconds = (flops - decode_flops) / m["peak"] + max(
        decode_flops / m["peak"], decode_bytes_per_image / m["bandwidth"]
    )
    return flops / m["peak"] / seconds


def spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def matmul_cpu_flops_per_second(size: int = 1024, calls: int = 8) -> float:
    """fp32 matmul FLOPs per CPU-second of this process (all its threads together)."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    started = time.process_time()
    for _ in range(calls):
        a @ b
    return calls * 2 * size**3 / max(time.process_time() - started, 1e-9)


def batched_sample(stage: Analyze, shape: Shape, vocab: int, batch: int, seed: int) -> dict:
    """One batch through the stage, with the roofline measured just before and just after."""
    peaks = [matmul_flops_per_second(seconds=0.5)]
    cpu_peaks = [matmul_cpu_flops_per_second()]
    cpu_started = time.process_time()
    seconds, tokens, prompt_tokens = timed(stage, squares(batch, seed), batch)
    cpu_seconds = time.process_time() - cpu_started
    peaks.append(matmul_flops_per_second(seconds=0.5))
    cpu_peaks.append(matmul_cpu_flops_per_second())
    flops = sum(flops_per_image(shape, prompt_tokens, n, vocab) for n in tokens)
    return {
        "images_per_second": batch / seconds,
        "roofline_fraction": flops / seconds / max(peaks),
        "cpu_roofline_fraction": flops / cpu_seconds / max(cpu_peaks),
        "cpu_ms_per_image": 1000 * cpu_seconds / batch,
        "peak": max(peaks),
        "flops_per_image": flops / batch,
        "prompt_tokens": prompt_tokens,
    }


def measure(shape: Shape, new_tokens: int, batch: int, singles: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-model-") as tmp:
        model_dir = write_model(shape, Path(tmp) / "model")
        stage = build_stage(model_dir, Path(tmp) / "cache", new_tokens)
        vocab = stage.generator.model.config.text_config.vocab_size
        timed(stage, squares(1, seed=99), 1)  # first call: allocator and kernel warm-up
        batched, single = [], []
        for n in range(repeats):  # A B A B ...: both see the same moments of the machine's load
            batched.append(batched_sample(stage, shape, vocab, batch, seed=2 * n))
            seconds, _, _ = timed(stage, squares(singles, seed=2 * n + 1), 1)
            single.append(singles / seconds)
        bandwidth = copy_bandwidth("cpu", 256)
    first = batched[0]
    m = {"peak": max(b["peak"] for b in batched), "bandwidth": bandwidth}

    def pick(key: str) -> dict[str, float]:
        return spread([b[key] for b in batched])

    return {
        "repeats": repeats,
        "batch": batch,
        "new_tokens": new_tokens,
        "batched_ips": pick("images_per_second"),
        "single_ips": spread(single),
        # Pairs taken side by side, so a busy moment lowers both halves of one ratio.
        "speedup": spread(
            [b["images_per_second"] / s for b, s in zip(batched, single, strict=True)]
        ),
        "roofline_fraction": pick("roofline_fraction"),
        "cpu_roofline_fraction": pick("cpu_roofline_fraction"),
        "cpu_ms_per_image": pick("cpu_ms_per_image"),
        "peak_flops_per_second": pick("peak"),
        "flops_per_image": first["flops_per_image"],
        "bandwidth": bandwidth,
        "ceiling": ceiling(shape, vocab, first["prompt_tokens"], new_tokens, batch, m),
    }


def model_stage_rows(repeats: int = 5, quick: bool = False) -> dict:
    """Batched vs single and the roofline fractions, `repeats` interleaved samples of each."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    shape, new_tokens, batch, singles = (TINY_SHAPE, 4, 4, 2) if quick else (CPU_SHAPE, 128, 16, 2)
    return measure(shape, new_tokens, batch, singles, repeats)


def _mmm(figure: dict, scale: float = 1.0, fmt: str = "{:.3f}") -> str:
    return "/".join(fmt.format(figure[k] * scale) for k in ("min", "median", "max"))


def run(quick: bool = False) -> list[Row]:
    m = model_stage_rows(repeats=2 if quick else 5, quick=quick)
    batch, tokens, n = m["batch"], m["new_tokens"], m["repeats"]
    fraction, target, met = at_least(m["cpu_roofline_fraction"]["median"], 0.5)
    speedup, speedup_target, speedup_met = at_least(m["speedup"]["median"], 1.5)
    return [
        Row(
            f"model stage (batch {batch}, {tokens} new tokens) vs fp32 matmul roofline in "
            f"CPU-seconds, {n} samples interleaved (min/median/max)",
            f"{_mmm(m['batched_ips'])} img/s, {_mmm(m['cpu_ms_per_image'], fmt='{:.0f}')} "
            "CPU-ms/img",
            f"wall-clock fraction {_mmm(m['roofline_fraction'], 100, '{:.0f}')}% of a peak "
            f"measured beside each sample ({_mmm(m['peak_flops_per_second'], 1e-9, '{:.0f}')} "
            f"GFLOP/s); copy {m['bandwidth'] / 1e9:.1f} GB/s caps it at {m['ceiling']:.0%}",
            fraction,
            target,
            met,
        ),
        Row(
            f"batched (batch {batch}) vs one image per call, same model, {n} samples each "
            "interleaved (min/median/max)",
            f"{_mmm(m['batched_ips'])} img/s",
            f"{_mmm(m['single_ips'])} img/s; ratio {_mmm(m['speedup'], fmt='{:.2f}')}",
            speedup,
            speedup_target,
            speedup_met,
        ),
    ]
