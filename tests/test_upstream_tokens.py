"""Token ids and decoded text equal GalleryGPT's own, run under transformers 4.37.2.

The reference is LLaVA's `tokenizer_image_token` over the slow SentencePiece LlamaTokenizer
(tests/upstream), fed hundreds of generated questions with whitespace runs, tabs, newlines,
unicode, `▁` and special-token text; on a SentencePiece model trained here and on a real
LLaMA-family tokenizer.model (Mistral 7B's, shipped by the mistral-common package), with both
`legacy` settings a checkpoint may carry.
"""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest
from original_llava import sentencepiece_model, write_tokenizer
from upstream.runner import run_upstream

from archive_analyzer.model.convert import llava_tokenizer, slow_tokenizer
from archive_analyzer.model.generate import clean_text, decode_generated, llava_prompt_ids
from archive_analyzer.model.prompts import QUERIES, resolve_prompt

LLAVA_IMAGE_INDEX = -200
PARTS = [
    "Please",
    "analyze",
    "the",
    "composition",
    "painting",
    "Van",
    "Gogh",
    "1889",
    "ochre",
    " ",
    "  ",
    "   ",
    "\t",
    "\n",
    " \n",
    "\n  ",
    "\r\n",
    "\u2581",
    "\u2581\u2581",
    "</s>",
    "<s>",
    "<unk>",
    "<pad>",
    "é",
    "« La Nuit »",
    "中文",
    "🎨",
    "ñ",
    ".",
    "?",
    "'s",
    " ,",
    "\u00a0",
]


def questions(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    made = [*QUERIES.values(), "  Leading", "\n  Leading", "trailing  ", "a</s>b", "</s> x"]
    while len(made) < count:
        made.append("".join(rng.choice(PARTS) for _ in range(rng.randint(1, 12))))
    return made


def mistral_model() -> bytes | None:
    spec = importlib.util.find_spec("mistral_common")
    if spec is None:
        return None
    path = Path(spec.submodule_search_locations[0]) / "data" / "tokenizer.model.v1"
    return path.read_bytes() if path.exists() else None


def base_dir(root: Path, model: bytes, legacy) -> Path:
    root.mkdir(parents=True)
    write_tokenizer(root, model)
    config = json.loads((root / "tokenizer_config.json").read_text())
    if legacy is None:
        config.pop("legacy")
    else:
        config["legacy"] = legacy
    (root / "tokenizer_config.json").write_text(json.dumps(config))
    return root


def converted(base: Path, out: Path):
    """The tokenizer files `model convert` writes, loaded back as the pipeline loads them."""
    from transformers import AutoTokenizer

    llava_tokenizer(base).save_pretrained(out)
    slow_tokenizer(base).save(out)
    return AutoTokenizer.from_pretrained(out)


CASES = [
    ("trained", False),
    ("trained", True),
    ("trained", None),
    ("llama", False),
    ("llama", True),
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-legacy={c[1]}")
def case(request, tmp_path_factory):
    name, legacy = request.param
    model = sentencepiece_model() if name == "trained" else mistral_model()
    if model is None:
        pytest.skip("mistral-common (the [dev] extra) ships the real tokenizer.model")
    root = tmp_path_factory.mktemp(f"{name}-{legacy}")
    base = base_dir(root / "base", model, legacy)
    tokenizer = converted(base, root / "converted")
    asked = questions(300, seed=len(model) + hash(legacy) % 7)
    decode = random_outputs(tokenizer, slow_tokenizer(base).sp.get_piece_size(), seed=3)
    answer, _ = run_upstream({"tokenizer": str(base), "questions": asked, "decode": decode})
    assert answer["slow"] == "LlamaTokenizer"
    return tokenizer, asked, decode, answer


def random_outputs(tokenizer, vocab: int, seed: int) -> list[list[int]]:
    """Generated-looking ids: leading whitespace pieces, bytes, specials; eos at the end."""
    rng = random.Random(seed)
    spaces = [tokenizer.convert_tokens_to_ids(p) for p in ("▁", "<0x0A>", "<0x0D>", "<0x09>")]
    nul = tokenizer.convert_tokens_to_ids("<0x00>")
    rows = []
    for _ in range(200):
        head = [rng.choice(spaces) for _ in range(rng.randint(0, 3))]
        body = [rng.randrange(3, vocab) for _ in range(rng.randint(0, 12))]
        body = [t for t in body if t != nul] + [
            rng.choice([0, 1]) for _ in range(rng.randint(0, 1))
        ]
        rows.append([*head, *body, tokenizer.eos_token_id])
    return rows


def test_prompt_text_equals_llavas_conversation(case):
    _, asked, _, answer = case
    assert [resolve_prompt("formal_analysis", q).text for q in asked] == answer["prompts"]


def test_prompt_ids_equal_upstream_for_every_question(case):
    tokenizer, asked, _, answer = case
    image_id = tokenizer.convert_tokens_to_ids("<image>")
    differing = []
    for text, expected in zip(answer["prompts"], answer["ids"], strict=True):
        ours = llava_prompt_ids(tokenizer, text, image_id, 1)
        if ours != [image_id if t == LLAVA_IMAGE_INDEX else t for t in expected]:
            differing.append(text)
    assert not differing, f"{len(differing)}/{len(asked)} differ, e.g. {differing[:3]}"


def test_decoded_text_equals_upstreams_decode_and_strip(case):
    tokenizer, _, decode, answer = case
    ours = [decode_generated(tokenizer, ids)[0] for ids in decode]
    differing = [(o, t) for o, t in zip(ours, answer["texts"], strict=True) if o != t]
    assert not differing, f"{len(differing)}/{len(decode)} differ, e.g. {differing[:3]}"


def test_the_fast_tokenizer_alone_would_differ(case):
    """Why the slow path exists: transformers 5's BPE gives other ids for whitespace runs."""
    tokenizer, _, _, answer = case
    fast = [
        tokenizer(p.split("<image>")[1], add_special_tokens=False).input_ids
        for p in answer["prompts"]
    ]
    upstream = [ids[ids.index(LLAVA_IMAGE_INDEX) + 1 :] for ids in answer["ids"]]
    assert sum(f != u for f, u in zip(fast, upstream, strict=True)) > 0


def test_nul_is_the_one_character_dropped():
    """PostgreSQL text cannot hold NUL; every other character, \\r included, stays as decoded."""
    assert clean_text("  a\r\nb\x00c\x07\t ") == "a\r\nbc\x07"
