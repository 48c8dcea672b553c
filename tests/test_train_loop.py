"""The worker loop without Ray: one process, the same Session interface Ray Train provides."""

import json

import pytest
import torch

from archive_analyzer.train.data import read_conversations
from archive_analyzer.train.loop import HISTORY_FILE, STATE_FILE, fit
from archive_analyzer.train.recipe import FinetuneJob, Recipe
from tests.test_train_data import write_pairs


class OneProcess:
    """A single worker: no data parallelism, checkpoints kept in a folder."""

    rank, world_size = 0, 1

    def __init__(self, folder, resume=None):
        self.folder, self.resume, self.reports = folder, resume, []

    def prepare_model(self, model):
        return model

    def prepare_loader(self, loader):
        return loader

    def restore(self):
        return self.resume

    def scratch_dir(self, epoch):
        path = self.folder / f"epoch-{epoch}"
        path.mkdir(parents=True)
        return path

    def report(self, metrics, checkpoint_dir):
        self.reports.append((metrics, checkpoint_dir))


def job(tmp_path, tiny_model, **recipe):
    pairs = read_conversations(write_pairs(tmp_path / "data", count=2)).examples
    return FinetuneJob(
        base_model=str(tiny_model),
        cache_dir=str(tmp_path / "cache"),
        examples=[{"id": e.id, "image": e.image, "turns": e.turns} for e in pairs],
        recipe=Recipe(lora_r=4, lora_alpha=8, batch_size=2, **recipe),
    )


@pytest.mark.parametrize(
    "recipe",
    [
        {"gradient_checkpointing": "on"},  # what GPUs get by default
        {"precision": "bf16"},  # GPUs' precision; slow on CPU but the tiny model is small
    ],
    ids=["gradient-checkpointing", "bf16"],
)
def test_gpu_recipe_settings_train_and_checkpoint(tmp_path, tiny_model, recipe):
    torch.set_num_threads(1)
    session = OneProcess(tmp_path / "ckpt")
    fit(job(tmp_path, tiny_model, epochs=1, **recipe), session)
    ((metrics, folder),) = session.reports
    assert metrics["epoch"] == 1 and torch.isfinite(torch.tensor(metrics["loss"]))
    assert {p.name for p in folder.iterdir()} >= {
        "adapter_model.safetensors",
        "adapter_config.json",
        STATE_FILE,
        HISTORY_FILE,
    }


def test_resume_continues_after_the_saved_epoch(tmp_path, tiny_model):
    first = OneProcess(tmp_path / "a")
    fit(job(tmp_path, tiny_model, epochs=1), first)
    saved = first.reports[-1][1]
    second = OneProcess(tmp_path / "b", resume=saved)
    fit(job(tmp_path, tiny_model, epochs=3), second)
    assert [m["epoch"] for m, _ in second.reports] == [2, 3]
    history = json.loads((second.reports[-1][1] / HISTORY_FILE).read_text())
    assert [e["epoch"] for e in history] == [1, 2, 3]
    assert [e["resumed_from"] for e in history] == [0, 1, 1]


def test_a_checkpoint_of_other_training_is_not_resumed(tmp_path, tiny_model):
    first = OneProcess(tmp_path / "a")
    fit(job(tmp_path, tiny_model, epochs=1).model_copy(update={"lineage": "base-a"}), first)
    other = job(tmp_path, tiny_model, epochs=2).model_copy(update={"lineage": "base-b"})
    with pytest.raises(ValueError, match="its own --name"):
        fit(other, OneProcess(tmp_path / "b", resume=first.reports[-1][1]))
