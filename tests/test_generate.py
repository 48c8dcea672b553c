"""Batched greedy generation: a batch gives what each image gives alone."""

from __future__ import annotations

import pytest
import torch
from conftest import PAINTINGS as SHARED_PAINTINGS

from archive_analyzer.model.generate import Generator, decode_generated, left_pad
from archive_analyzer.model.loader import load_model
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import QUERIES, resolve_prompt
from archive_analyzer.stages.decode import Decode, DecodeConfig

PAINTINGS = sorted(SHARED_PAINTINGS.glob("*.jpg"))
PROMPT = resolve_prompt("formal_analysis")


@pytest.fixture(scope="module")
def generator(tiny_model):
    model, tokenizer = load_model(tiny_model, "cpu")
    return Generator(model, tokenizer, ImageSpec(), max_new_tokens=8)


@pytest.fixture(scope="module")
def eight_paintings():
    batch = Decode(DecodeConfig())({"uri": [str(p) for p in PAINTINGS[:8]]})
    assert batch["status"] == ["ok"] * 8
    return batch["pixels"]


def _one_at_a_time(generator, pixels, prompts):
    return [generator(pixels[i : i + 1], [prompts[i]])[0][0] for i in range(len(pixels))]


def test_cpu_generation_runs_in_fp32(generator):
    assert generator.model.dtype == torch.float32
    assert generator.model.config._attn_implementation == "sdpa"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_generation_runs_in_bf16_with_sdpa(tiny_model, eight_paintings):
    model, tokenizer = load_model(tiny_model, "cuda")
    assert model.dtype == torch.bfloat16 and model.config._attn_implementation == "sdpa"
    results, _ = Generator(model, tokenizer, ImageSpec(), 8)(eight_paintings, PROMPT)
    assert all(r.generated_tokens > 0 for r in results)


def test_static_and_default_kv_cache_write_the_same_text(tiny_model, eight_paintings):
    model, tokenizer = load_model(tiny_model, "cpu")
    static, _ = Generator(model, tokenizer, ImageSpec(), 8, static_cache=True)(
        eight_paintings, PROMPT
    )
    default, _ = Generator(model, tokenizer, ImageSpec(), 8, static_cache=False)(
        eight_paintings, PROMPT
    )
    assert static == default
    assert all(g.generated_tokens > 0 for g in static)


def test_a_greedy_batch_of_8_equals_the_8_run_one_at_a_time(generator, eight_paintings):
    prompt = resolve_prompt("formal_analysis")
    batched, _ = generator(eight_paintings, prompt)
    alone = _one_at_a_time(generator, eight_paintings, [prompt] * 8)
    assert batched == alone
    assert len({g.text for g in batched}) > 1  # different paintings, different text
    assert all(g.generated_tokens > 0 for g in batched)


def test_prompts_of_different_lengths_are_left_padded_without_changing_outputs(
    generator, eight_paintings
):
    prompts = [resolve_prompt(name) for name in QUERIES][:7]
    prompts.append(resolve_prompt("formal_analysis", "Describe the sky, please."))
    assert len({len(generator.prompt_ids(p)) for p in prompts}) > 2
    batched, _ = generator(eight_paintings, prompts)
    assert batched == _one_at_a_time(generator, eight_paintings, prompts)
    assert [g.prompt_tokens for g in batched] == [len(generator.prompt_ids(p)) for p in prompts]


def test_left_pad_puts_pads_before_each_prompt_and_masks_them():
    ids, mask = left_pad([[5, 6, 7], [8]], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [0, 0, 8]]
    assert mask.tolist() == [[1, 1, 1], [0, 0, 1]]


def test_text_stops_at_the_first_eos_and_drops_pads(generator):
    tokenizer = generator.tokenizer
    words = tokenizer("The composition is balanced", add_special_tokens=False).input_ids
    tail = [tokenizer.eos_token_id, *words, tokenizer.pad_token_id]
    text, count = decode_generated(tokenizer, [*words, *tail])
    assert text == "The composition is balanced"
    assert count == len(words)


def test_one_prompt_per_image_is_required(generator, eight_paintings):
    with pytest.raises(ValueError, match="2 prompts for 8 images"):
        generator(eight_paintings, [resolve_prompt("color")] * 2)
