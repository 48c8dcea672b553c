"""Conversation data and LLaVA-style masking: what the model is asked and what it learns."""

import json

import boto3
import pytest
import torch

from archive_analyzer.errors import SourceError
from archive_analyzer.model.generate import image_token_count, llava_prompt_ids
from archive_analyzer.model.loader import load_model
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import vicuna_v1
from archive_analyzer.train.collate import IGNORE, Collator, ConversationDataset, encode
from archive_analyzer.train.data import Example, read_conversations, write_conversations
from archive_analyzer.train.lora import apply_lora
from archive_analyzer.train.recipe import Recipe
from tests.conftest import EXAMPLES

ANSWERS = [
    "The composition is balanced by a strong diagonal.",
    "Warm ochres and cool blues create a vivid contrast.",
    "Chiaroscuro models the figures with light from the left.",
    "Loose brushwork gives the surface a lively texture.",
]


def write_pairs(folder, count=4, name="train.json") -> str:
    """A PaintingForm-style file over the sample paintings, images relative to the file."""
    images = sorted(EXAMPLES.glob("*.jpg"))[:count]
    records = [
        {
            "id": f"pf-{index}",
            "image": image.name,
            "conversations": [
                {"from": "human", "value": "Please analyze the composition.\n<image>"},
                {"from": "gpt", "value": ANSWERS[index % len(ANSWERS)]},
            ],
        }
        for index, image in enumerate(images)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for image in images:
        (folder / image.name).write_bytes(image.read_bytes())
    path = folder / name
    path.write_text(json.dumps(records))
    return str(path)


def test_reads_llava_json_and_jsonl_alike(tmp_path):
    listed = read_conversations(write_pairs(tmp_path / "a"))
    lines = tmp_path / "b.jsonl"
    lines.write_text("\n".join(json.dumps(e.to_record()) for e in listed.examples))
    again = read_conversations(str(lines))
    assert [e.turns for e in again.examples] == [e.turns for e in listed.examples]
    first = listed.examples[0]
    assert first.query == "Please analyze the composition."  # <image> moved out of the text
    assert first.image == str(tmp_path / "a" / "irinainina_066.jpg")
    assert len(listed.sha256) == 16


def test_malformed_records_name_the_record(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": 1, "image": "x.jpg", "conversations": [{"from": "gpt"}]}]))
    with pytest.raises(SourceError, match="record 1"):
        read_conversations(str(bad))


def test_conversations_round_trip_through_s3(tmp_path, s3_env):
    boto3.client("s3", endpoint_url=s3_env).create_bucket(Bucket="training")
    local = read_conversations(write_pairs(tmp_path))
    write_conversations(list(local.examples), "s3://training/pf/train.json")
    remote = read_conversations("s3://training/pf/train.json", image_root="s3://training/img")
    assert [e.turns for e in remote.examples] == [e.turns for e in local.examples]
    assert remote.examples[0].image.startswith(str(tmp_path))  # absolute paths stay as they are


@pytest.fixture(scope="module")
def tiny(tiny_model):
    model, tokenizer = load_model(tiny_model, "cpu")
    return model, tokenizer


def _encoded(tiny, example):
    model, tokenizer = tiny
    config = model.config
    return encode(tokenizer, example, config.image_token_id, image_token_count(config), 4096)


def test_prompt_and_image_positions_are_masked(tiny):
    model, tokenizer = tiny
    example = Example("x", "unused.jpg", (("Please analyze the line.", ANSWERS[0]),))
    encoded = _encoded(tiny, example)
    prompt = llava_prompt_ids(tokenizer, vicuna_v1(example.query), model.config.image_token_id, 576)
    # The prompt is exactly what inference sends, and none of it is a label.
    assert encoded.input_ids[: len(prompt)] == prompt
    assert set(encoded.labels[: len(prompt)]) == {IGNORE}
    learned = encoded.labels[len(prompt) :]
    assert IGNORE not in learned and learned[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(learned, skip_special_tokens=True).strip() == ANSWERS[0]
    images = [i for i, t in enumerate(encoded.input_ids) if t == model.config.image_token_id]
    assert len(images) == 576 and all(encoded.labels[i] == IGNORE for i in images)


def test_no_prompt_or_image_position_contributes_to_the_loss(tiny, tmp_path):
    model, tokenizer = tiny
    conversations = read_conversations(write_pairs(tmp_path, count=2))
    spec = ImageSpec()
    dataset = ConversationDataset(conversations.examples, tokenizer, model.config, spec, 4096)
    batch = Collator(tokenizer.pad_token_id, spec)([dataset[0], dataset[1]])
    out = model(**batch)
    out.logits.retain_grad()
    out.loss.backward()
    # Logits at t predict token t+1: only positions whose next token is an answer token
    # (or the closing </s>) may receive a gradient from the loss.
    contributes = out.logits.grad.abs().sum(-1) > 0
    expected = torch.zeros_like(contributes)
    expected[:, :-1] = batch["labels"][:, 1:] != IGNORE
    assert torch.equal(contributes, expected)
    assert expected.sum() > 0 and (batch["labels"] == IGNORE).sum() > 2 * 576


def test_lora_trains_the_language_model_and_projector_only(tiny_model):
    model, _ = load_model(tiny_model, "cpu")
    peft_model = apply_lora(model, Recipe(lora_r=4, lora_alpha=8))
    trainable = [n for n, p in peft_model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n or "multi_modal_projector" in n for n in trainable)
    lora_layers = {n.split(".lora_")[0] for n in trainable if "lora_" in n}
    assert all("language_model" in n for n in lora_layers)
    # Every Linear of the two tiny Llama layers: q, k, v, o, gate, up, down.
    assert len(lora_layers) == 2 * 7
    assert not any("vision_tower" in n or "lm_head" in n for n in trainable)
    assert any("multi_modal_projector" in n for n in trainable)


def test_finetune_rejects_bad_input_before_any_work(tmp_path, tiny_model, capsys):
    from archive_analyzer.cli import main

    common = ["finetune", "--base-model", str(tiny_model), "--out", str(tmp_path / "out")]
    common += ["--storage", str(tmp_path / "ckpt")]
    data = write_pairs(tmp_path / "data")
    assert main([*common, "--data", data, "--epochs", "0"]) == 2
    assert "epochs" in capsys.readouterr().err
    assert main([*common, "--data", str(tmp_path / "missing.json")]) == 2
    assert "cannot read training data" in capsys.readouterr().err
    assert not (tmp_path / "ckpt").exists() and not (tmp_path / "out").exists()
