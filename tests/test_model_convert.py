"""`model convert` on tiny checkpoints in GalleryGPT's published layout."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest
import torch
from conftest import PAINTINGS
from original_llava import (
    HIDDEN,
    build_original,
    merged_by_hand,
    random_lora,
    reference_logits,
    write_adapter,
)
from PIL import Image
from transformers import GenerationConfig

from archive_analyzer.cli import main
from archive_analyzer.errors import ModelError
from archive_analyzer.model.convert import ConvertRequest, convert
from archive_analyzer.model.generate import Generator
from archive_analyzer.model.loader import inspect_model, load_model
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.model.prompts import resolve_prompt


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return build_original(tmp_path_factory.mktemp("published"))


@pytest.fixture(scope="module")
def converted(published, tmp_path_factory):
    out = tmp_path_factory.mktemp("converted") / "gallerygpt"
    code = main(
        [
            "model", "convert", "--base", str(published.base), "--adapter", str(published.adapter),
            "--vision-tower", str(published.tower), "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    return out


def _converted_logits(directory, input_ids, pixels):
    from transformers import LlavaForConditionalGeneration

    model = LlavaForConditionalGeneration.from_pretrained(directory, dtype=torch.float32).eval()
    with torch.no_grad():
        return model(input_ids=torch.tensor([input_ids]), pixel_values=pixels).logits


def _prompt_ids(directory):
    model, tokenizer = load_model(directory, "cpu")
    generator = Generator(model, tokenizer, ImageSpec(), max_new_tokens=4)
    return generator.prompt_ids(resolve_prompt("formal_analysis")), model.config.image_token_id


def test_converted_logits_equal_the_original_with_lora_merged_by_hand(published, converted):
    ids, image_id = _prompt_ids(converted)
    pixels = torch.randn(1, 3, 336, 336, generator=torch.Generator().manual_seed(1))
    ours = _converted_logits(converted, ids, pixels)
    expected = reference_logits(merged_by_hand(published), published.vocab, ids, image_id, pixels)
    assert image_id == published.vocab  # <image> appended after the original vocabulary
    assert ours.shape[-1] % 64 == 0 and ours.shape[-1] > published.vocab
    assert expected.abs().max() > 1.0  # logits large enough for the tolerance to mean something
    assert (ours[..., : published.vocab] - expected).abs().max().item() < 1e-5
    never = GenerationConfig.from_pretrained(converted).suppress_tokens
    assert never == list(range(published.vocab, ours.shape[-1]))  # <image>, <pad>, padding rows


def test_converted_model_has_a_card_and_runs_through_the_analyze_stage(published, converted):
    from archive_analyzer.stages.analyze import Analyze, ModelConfig

    card = json.loads((converted / "archive_analyzer.json").read_text())
    assert set(card["sources"]) == {"base", "adapter", "vision_tower"}
    assert "non_lora_trainables.bin" in card["sources"]["adapter"]
    assert card["conversion"]["lora"]["r"] == 4
    info = inspect_model(str(converted))
    assert info.meaningful and len(info.version) == 16
    config = ModelConfig(
        str(converted), converted.parent / "cache", resolve_prompt("color"), 6, "cpu"
    )
    stage = Analyze(config)
    pixels = np.random.default_rng(0).integers(0, 255, (2, 336, 336, 3), dtype=np.uint8)
    out = stage({"uri": ["a", "b"], "status": ["ok", "ok"], "pixels": pixels})
    assert out["model_version"] == [info.version] * 2
    assert all(0 < n <= 6 for n in out["generated_tokens"])


def test_the_same_files_give_the_same_model_version(published, converted, tmp_path):
    again = convert(
        ConvertRequest(str(published.base), tmp_path / "again", str(published.adapter),
                       str(published.tower)),
        tmp_path / "cache",
    )  # fmt: skip
    assert inspect_model(str(again)).version == inspect_model(str(converted)).version


def test_an_already_merged_llava_checkpoint_converts_without_an_adapter(published, tmp_path):
    merged = merged_by_hand(published)
    base = tmp_path / "merged"
    shutil.copytree(published.base, base)
    for path in base.glob("pytorch_model*"):
        path.unlink()
    torch.save(merged, base / "pytorch_model.bin")
    request = ConvertRequest(str(base), tmp_path / "out", vision_tower=str(published.tower))
    out = convert(request, tmp_path / "cache")
    ids, image_id = _prompt_ids(out)
    pixels = torch.randn(1, 3, 336, 336, generator=torch.Generator().manual_seed(2))
    ours = _converted_logits(out, ids, pixels)
    expected = reference_logits(merged, published.vocab, ids, image_id, pixels)
    assert (ours[..., : published.vocab] - expected).abs().max().item() < 1e-5


def test_an_already_native_checkpoint_is_copied_with_a_card(tiny_model, tmp_path):
    out = convert(ConvertRequest(str(tiny_model), tmp_path / "native"), tmp_path / "cache")
    card = json.loads((out / "archive_analyzer.json").read_text())
    assert card["conversion"]["layout"] == "native"
    assert "model.safetensors" in card["sources"]["base"]
    weights = hashlib.sha256((tiny_model / "model.safetensors").read_bytes()).hexdigest()
    assert card["sources"]["base"]["model.safetensors"] == weights
    assert (out / "model.safetensors").read_bytes() == (
        tiny_model / "model.safetensors"
    ).read_bytes()
    info = inspect_model(str(out))
    assert (info.name, info.meaningful) == ("tiny-random-llava", False)  # carried over


def test_a_base_missing_a_shard_is_refused(published, tmp_path):
    base = tmp_path / "partial"
    shutil.copytree(published.base, base)
    (base / "pytorch_model-00002-of-00002.bin").unlink()
    with pytest.raises(ModelError, match="incomplete: .*pytorch_model-00002-of-00002.bin"):
        convert(ConvertRequest(str(base), tmp_path / "out", str(published.adapter)), tmp_path / "c")


def test_adapter_without_its_projector_is_refused(published, tmp_path):
    adapter = tmp_path / "adapter"
    write_adapter(adapter, published.lora, None, vocab=published.vocab)
    with pytest.raises(ModelError, match="projector is missing.*non_lora_trainables.bin"):
        convert(ConvertRequest(str(published.base), tmp_path / "out", str(adapter)), tmp_path / "c")


def test_merged_checkpoint_without_a_projector_is_refused(published, tmp_path):
    base = tmp_path / "merged"
    shutil.copytree(published.base, base)
    for path in base.glob("pytorch_model*"):
        path.unlink()
    state = {k: v for k, v in published.state.items() if "mm_projector" not in k}
    torch.save(state, base / "pytorch_model.bin")
    with pytest.raises(ModelError, match="projector is missing.*model.mm_projector.0.weight"):
        convert(ConvertRequest(str(base), tmp_path / "out"), tmp_path / "c")


def test_adapter_for_another_base_is_refused(published, tmp_path):
    generator = torch.Generator().manual_seed(5)
    wider = {k: torch.zeros(v.shape[0], HIDDEN + 16) for k, v in published.state.items()}
    adapter = tmp_path / "adapter"
    write_adapter(
        adapter, random_lora(wider, generator), published.trainables, vocab=published.vocab
    )
    with pytest.raises(
        ModelError,
        match=r"made for another base: .* in this base but the adapter.s update is \(64, 80\)",
    ):
        convert(ConvertRequest(str(published.base), tmp_path / "out", str(adapter)), tmp_path / "c")


def test_adapter_whose_llava_config_describes_another_base_is_refused(published, tmp_path):
    adapter = tmp_path / "adapter"
    write_adapter(adapter, published.lora, published.trainables, vocab=published.vocab, hidden=96)
    with pytest.raises(ModelError, match="another base: its config.json says hidden_size=96"):
        convert(ConvertRequest(str(published.base), tmp_path / "out", str(adapter)), tmp_path / "c")


def test_adapter_with_a_rank_its_config_does_not_state_is_refused(published, tmp_path, capsys):
    adapter = tmp_path / "adapter"
    write_adapter(adapter, published.lora, published.trainables, rank=8, vocab=published.vocab)
    code = main(
        ["model", "convert", "--base", str(published.base), "--adapter", str(adapter),
         "--vision-tower", str(published.tower), "--out", str(tmp_path / "out")]
    )  # fmt: skip
    assert code == 2
    assert "bad LoRA rank" in capsys.readouterr().err


def test_plain_transformers_gets_vicuna_v1_and_the_pad_path_from_the_converted_dir(converted):
    from test_preprocess import production_pixels
    from transformers import AutoProcessor

    from archive_analyzer.model.prompts import vicuna_v1

    processor = AutoProcessor.from_pretrained(converted)
    query = "Please write a paragraph of formal analysis for this painting."
    turn = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": query}]}]
    text = processor.apply_chat_template(turn, add_generation_prompt=True, tokenize=False)
    assert text == vicuna_v1(query)
    tall_and_wide = [PAINTINGS / name for name in ("irinainina_013.jpg", "irinainina_019.jpg")]
    ours = production_pixels([str(p) for p in tall_and_wide])
    for index, path in enumerate(tall_and_wide):
        with Image.open(path) as image:
            theirs = processor.image_processor(image.convert("RGB"), return_tensors="np")
        assert np.abs(theirs["pixel_values"][0] - ours[index]).max() < 1e-6


def test_analyze_stores_the_converted_models_version_on_every_analysis(
    converted, db, settings_for, tmp_path
):
    from archive_analyzer.run.analyze import analyze

    source = tmp_path / "paintings"
    source.mkdir()
    for name in ("irinainina_013.jpg", "irinainina_019.jpg", "irinainina_000.jpg"):
        shutil.copy(PAINTINGS / name, source / name)
    settings = settings_for(source, model=str(converted), max_new_tokens=4, embed=False)
    analyze(settings, engine="local", progress=False)
    with db.connect() as conn:
        rows = conn.execute("SELECT model_version FROM analyses").fetchall()
    assert [r["model_version"] for r in rows] == [inspect_model(str(converted)).version] * 3


def test_sources_in_s3_convert_to_the_same_model_version(published, converted, s3_env, tmp_path):
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_env)
    s3.create_bucket(Bucket="published")
    for role in ("base", "adapter", "tower"):
        for path in getattr(published, role).iterdir():
            s3.upload_file(str(path), "published", f"{role}/{path.name}")
    request = ConvertRequest(
        "s3://published/base", tmp_path / "out", "s3://published/adapter", "s3://published/tower"
    )
    out = convert(request, tmp_path / "cache")
    assert inspect_model(str(out)).version == inspect_model(str(converted)).version


def test_a_missing_sentencepiece_names_the_extra_to_install(published, tmp_path, monkeypatch):
    import importlib.util

    from archive_analyzer.errors import MissingExtraError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentencepiece" else real(name, *a),
    )
    with pytest.raises(MissingExtraError, match=r"archive-analyzer\[convert\]"):
        convert(ConvertRequest(str(published.base), tmp_path / "out"), tmp_path / "cache")


def test_a_non_empty_output_directory_is_refused(published, converted, tmp_path):
    with pytest.raises(ModelError, match="is not empty"):
        convert(ConvertRequest(str(published.base), converted), tmp_path / "cache")
