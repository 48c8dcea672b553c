"""Fine-tuning on two Ray Train workers (CPU), resuming, and the merged model in the normal path."""

import json
from pathlib import Path

import boto3
import pytest
import torch
from transformers import LlavaForConditionalGeneration

from archive_analyzer.model.loader import CARD_NAME, inspect_model
from archive_analyzer.model.tiny import write_tiny_model
from archive_analyzer.run.analyze import analyze
from archive_analyzer.train.finetune import FinetuneRequest, finetune
from archive_analyzer.train.recipe import Recipe
from tests.test_train_data import write_pairs

# Small and fast enough to memorise four pairs in a few epochs on CPU.
QUICK = dict(
    lora_r=16,
    lora_alpha=32,
    learning_rate=1e-2,
    batch_size=1,
    warmup_ratio=0.0,
    schedule="constant",
)


@pytest.fixture(scope="module")
def base_model(tmp_path_factory) -> Path:
    """The tiny model with an output layer at a trained model's scale.

    A random 64-wide lm_head (std 0.02) caps every logit near 1, so no adapter below it could
    move the loss far from log(vocab); trained language models have logits of several units.
    lm_head itself stays frozen in training, as in GalleryGPT's recipe.
    """
    # 112 px images (64 image positions, not 576) keep every training step cheap on CPU.
    path = write_tiny_model(tmp_path_factory.mktemp("base") / "tiny", seed=1, image_size=112)
    model = LlavaForConditionalGeneration.from_pretrained(path)
    with torch.no_grad():
        model.lm_head.weight.mul_(10)
    model.save_pretrained(path)
    card = json.loads((path / CARD_NAME).read_text())
    (path / CARD_NAME).write_text(json.dumps({**card, "lm_head_scale": 10}))
    return path


def request(tmp_path: Path, base_model: Path, epochs: int, out: str) -> FinetuneRequest:
    return FinetuneRequest(
        data=write_pairs(tmp_path / "data"),
        base_model=str(base_model),
        out=out,
        storage=str(tmp_path / "checkpoints"),
        name="memorise",
        num_workers=2,
        recipe=Recipe(epochs=epochs, **QUICK),
    )


def test_two_workers_learn_resume_and_merge_into_an_analysable_model(
    ray_cluster, tmp_path, base_model, db, settings_for
):
    cache = tmp_path / "cache"
    first = finetune(request(tmp_path, base_model, 2, str(tmp_path / "m3")), cache)
    assert [e["epoch"] for e in first.history] == [1, 2] and first.started_epoch == 0
    assert all(e["steps"] == 2 for e in first.history)  # 4 pairs / 2 workers / batch 1
    folder = tmp_path / "checkpoints" / "memorise"
    checkpoints = sorted(p for p in folder.glob("checkpoint_*") if p.is_dir())
    assert len(checkpoints) == 2  # num_to_keep
    assert (checkpoints[-1] / "adapter_model.safetensors").exists()

    second = finetune(request(tmp_path, base_model, 6, str(tmp_path / "m6")), cache)
    assert second.started_epoch == 2  # resumed from the last checkpoint, not from scratch
    assert [e["epoch"] for e in second.history] == list(range(1, 7))
    assert second.history[:2] == first.history
    losses = [e["loss"] for e in second.history]
    assert losses[-1] < 0.5 * losses[0], losses  # four pairs, memorised

    base, merged = inspect_model(str(base_model)), inspect_model(second.out)
    assert merged.version == second.model_version
    assert len({base.version, first.model_version, second.model_version}) == 3
    card = json.loads((Path(second.out) / "archive_analyzer.json").read_text())
    assert card["base_model"]["version"] == base.version
    assert card["finetune"]["data"]["examples"] == 4
    assert not any(Path(second.out).glob("adapter_*"))  # a native directory, no peft needed

    summary = analyze(
        settings_for(tmp_path / "data", model=second.out), engine="local", progress=False
    )
    assert (summary.analysed, summary.failed) == (4, 0)
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT text, generated_tokens FROM analyses WHERE model_version = %s",
            (second.model_version,),
        ).fetchall()
    # The tiny model's words are noise, but it ran the full generate path for every image.
    assert len(rows) == 4 and all(row["generated_tokens"] > 0 for row in rows)


def test_checkpoints_and_merged_model_on_object_storage(
    ray_cluster, s3_env, tmp_path, base_model, db, settings_for
):
    client = boto3.client("s3", endpoint_url=s3_env)
    for bucket in ("training", "models"):
        client.create_bucket(Bucket=bucket)
    local = request(tmp_path, base_model, 1, "s3://models/house-v1")
    remote = local.model_copy(update={"storage": "s3://training/checkpoints"})
    result = finetune(remote, tmp_path / "cache")
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="training")["Contents"]]
    assert any(k.endswith("/adapter_model.safetensors") for k in keys)
    assert result.checkpoint.startswith("training/checkpoints/memorise/")
    assert inspect_model("s3://models/house-v1").version == result.model_version
    summary = analyze(
        settings_for(tmp_path / "data", model="s3://models/house-v1"),
        engine="local",
        progress=False,
    )
    assert (summary.analysed, summary.failed) == (4, 0)
