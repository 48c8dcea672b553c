"""The training loop every worker runs, whatever the engine.

It talks to the engine through a Session (rank, world size, wrapping the model and loader for
data parallelism, the checkpoint to resume from, reporting): archive_analyzer.engine.ray_train
provides the Ray Train one. Rank 0 writes a checkpoint after every epoch: the LoRA adapter with
the projector (peft's layout), the optimiser and schedule, and the loss history so far.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Protocol

from archive_analyzer.model.loader import load_model, local_model_dir
from archive_analyzer.model.preprocess import ImageSpec
from archive_analyzer.train.collate import Collator, ConversationDataset
from archive_analyzer.train.data import Example
from archive_analyzer.train.lora import apply_lora, parameter_groups
from archive_analyzer.train.recipe import FinetuneJob, Recipe

STATE_FILE = "training_state.pt"
HISTORY_FILE = "history.json"


class Session(Protocol):
    rank: int
    world_size: int

    def prepare_model(self, model): ...
    def prepare_loader(self, loader): ...
    def restore(self) -> Path | None: ...
    def scratch_dir(self, epoch: int) -> Path: ...
    def report(self, metrics: dict, checkpoint_dir: Path | None) -> None: ...


def _examples(job: FinetuneJob) -> list[Example]:
    return [Example(e["id"], e["image"], tuple(map(tuple, e["turns"]))) for e in job.examples]


def _schedule(optimizer, recipe: Recipe, total_steps: int):
    from transformers import (
        get_constant_schedule_with_warmup,
        get_cosine_schedule_with_warmup,
        get_linear_schedule_with_warmup,
    )

    warmup = math.ceil(recipe.warmup_ratio * total_steps)
    if recipe.schedule == "constant":
        return get_constant_schedule_with_warmup(optimizer, warmup)
    build = (
        get_cosine_schedule_with_warmup
        if recipe.schedule == "cosine"
        else (get_linear_schedule_with_warmup)
    )
    return build(optimizer, warmup, total_steps)


def build_model(job: FinetuneJob):
    """Base model + LoRA, in the recipe's precision, ready to train."""
    import torch

    path = local_model_dir(job.base_model, Path(job.cache_dir))
    model, tokenizer = load_model(path, job.device, job.threads)
    if job.recipe.dtype_name(job.device) == "fp32":
        model = model.float()
    else:
        model = model.to(torch.bfloat16)
    if job.recipe.checkpointing(job.device):
        model.activation_checkpointing_enable()
        model.enable_input_require_grads()
    model = apply_lora(model, job.recipe)
    return model.train(), tokenizer, ImageSpec.from_model(path)


def _mean_across_workers(value: float, count: int) -> float:
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return value / max(count, 1)
    totals = torch.tensor([value, float(count)], dtype=torch.float64)
    dist.all_reduce(totals)
    return float(totals[0] / max(totals[1], 1))


def _save(model, optimizer, scheduler, epoch, history, lineage: str, folder: Path) -> None:
    import torch

    getattr(model, "module", model).save_pretrained(folder)
    state = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
    torch.save({**state, "epoch": epoch, "lineage": lineage}, folder / STATE_FILE)
    (folder / HISTORY_FILE).write_text(json.dumps(history))


def _load_state(folder: Path) -> dict:
    """The optimiser and schedule state: tensors and plain values, never pickled objects.

    Checkpoints live in shared storage (S3): unpickling arbitrary objects from there would run
    whatever code anyone who can write to it put in the file.
    """
    import pickle

    import torch

    try:
        return torch.load(folder / STATE_FILE, weights_only=True)
    except pickle.UnpicklingError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ValueError(
            f"refusing to resume from {folder / STATE_FILE}: it holds more than tensors and "
            f"plain values, and loading it could run code ({first_line})"
        ) from None


def _check_lineage(job: FinetuneJob, folder: Path) -> None:
    saved = _load_state(folder).get("lineage", "")
    if saved != job.lineage:
        raise ValueError(
            "the newest checkpoint under this storage and name comes from another base model, "
            "data set or LoRA shape; give this training its own --name"
        )


def _restore_adapter(model, folder: Path) -> None:
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    set_peft_model_state_dict(model, load_file(str(folder / "adapter_model.safetensors")))


def run_epoch(model, loader, optimizer, scheduler, recipe: Recipe) -> tuple[float, int]:
    import torch

    device = next(model.parameters()).device
    total, steps = 0.0, 0
    for batch in loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        if recipe.dtype_name(device.type) == "bf16":
            batch["pixel_values"] = batch["pixel_values"].to(torch.bfloat16)
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(
            [p for p in model.parameters() if p.requires_grad], recipe.max_grad_norm
        )
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        total += float(loss.detach())
        steps += 1
    return total, steps


def _loader(job: FinetuneJob, tokenizer, model_config, spec: ImageSpec):
    from torch.utils.data import DataLoader

    dataset = ConversationDataset(
        _examples(job), tokenizer, model_config, spec, job.recipe.max_length
    )
    return DataLoader(
        dataset,
        batch_size=job.recipe.batch_size,
        shuffle=True,
        collate_fn=Collator(tokenizer.pad_token_id, spec),
    )


def _resume_state(folder: Path, optimizer, scheduler) -> tuple[int, list[dict]]:
    state = _load_state(folder)
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    return state["epoch"], json.loads((folder / HISTORY_FILE).read_text())


def fit(job: FinetuneJob, session: Session) -> None:
    import torch

    torch.manual_seed(job.recipe.seed)
    model, tokenizer, spec = build_model(job)
    loader = session.prepare_loader(_loader(job, tokenizer, model.config, spec))
    resume = session.restore()
    if resume is not None:
        _check_lineage(job, resume)
        _restore_adapter(model, resume)
    model = session.prepare_model(model)
    optimizer = torch.optim.AdamW(
        parameter_groups(model, job.recipe), weight_decay=job.recipe.weight_decay
    )
    scheduler = _schedule(optimizer, job.recipe, job.recipe.epochs * max(len(loader), 1))
    start, history = _resume_state(resume, optimizer, scheduler) if resume else (0, [])
    for epoch in range(start + 1, job.recipe.epochs + 1):
        if hasattr(loader, "sampler") and hasattr(loader.sampler, "set_epoch"):
            loader.sampler.set_epoch(epoch)  # a different shuffle per epoch on every worker
        total, steps = run_epoch(model, loader, optimizer, scheduler, job.recipe)
        loss = _mean_across_workers(total, steps)
        history.append({"epoch": epoch, "loss": loss, "steps": steps, "resumed_from": start})
        metrics = {"epoch": epoch, "loss": loss}
        if session.rank == 0:
            folder = Path(session.scratch_dir(epoch))
            _save(model, optimizer, scheduler, epoch, history, job.lineage, folder)
            session.report(metrics, folder)
        else:
            session.report(metrics, None)
