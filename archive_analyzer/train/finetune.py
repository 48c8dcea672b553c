"""`finetune` end to end: conversations -> Ray Train LoRA run -> merged model directory.

The driver reads and checks the data (so a malformed file fails before any worker starts),
sends plain config to the workers, downloads the newest checkpoint and merges it into a native
model directory, local or uploaded to an object store, with a card and so a new model version.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import fsspec
from pydantic import BaseModel, ConfigDict, Field

from archive_analyzer.model.loader import inspect_model
from archive_analyzer.redact import redact
from archive_analyzer.train.data import read_conversations
from archive_analyzer.train.loop import HISTORY_FILE
from archive_analyzer.train.merge import merge_checkpoint
from archive_analyzer.train.recipe import FinetuneJob, Recipe


class FinetuneRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str = Field(description="conversation JSON / JSONL, local or object-store URI")
    image_root: str | None = None
    base_model: str
    out: str = Field(description="where the merged model directory goes (local or s3://)")
    storage: str = Field(description="checkpoint storage: absolute folder or s3://bucket/prefix")
    name: str = Field("finetune", pattern=r"^[A-Za-z0-9_.-]+$")
    num_workers: int = Field(2, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    cpus_per_worker: float | None = Field(None, gt=0)
    model_name: str | None = None
    recipe: Recipe = Recipe()


@dataclass(frozen=True)
class FinetuneResult:
    out: str
    model_version: str
    history: list[dict]
    started_epoch: int
    checkpoint: str


def _storage(path: str) -> str:
    # Ray Train wants an absolute path or a URI; a relative folder means "here".
    return path if "://" in path else str(Path(path).expanduser().resolve())


def _publish(local: Path, target: str) -> str:
    if "://" not in target:
        return str(local)
    fs, root = fsspec.core.url_to_fs(target)
    fs.put(str(local).rstrip("/") + "/", root.rstrip("/"), recursive=True)
    return target


def _lineage(request: FinetuneRequest, data_sha256: str) -> str:
    recipe = request.recipe
    shape = (recipe.lora_r, recipe.lora_alpha, recipe.train_projector)
    identity = f"{inspect_model(request.base_model).version}:{data_sha256}:{shape}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def finetune(
    request: FinetuneRequest, cache_dir: Path, ray_address: str | None = None
) -> FinetuneResult:
    from archive_analyzer.engine.ray_train import plan_workers, run_ray_train

    conversations = read_conversations(request.data, request.image_root)
    inspect_model(request.base_model)  # fail now, not on every worker
    plan = plan_workers(request.num_workers, request.device, request.cpus_per_worker, ray_address)
    job = FinetuneJob(
        base_model=request.base_model,
        cache_dir=str(cache_dir),
        examples=[{"id": e.id, "image": e.image, "turns": e.turns} for e in conversations.examples],
        recipe=request.recipe,
        device="cuda" if plan.use_gpu else "cpu",
        threads=plan.threads,
        lineage=_lineage(request, conversations.sha256),
    )
    with tempfile.TemporaryDirectory(prefix="aa-finetune-") as scratch:
        outcome = run_ray_train(
            job.model_dump(mode="json"),
            request.num_workers,
            plan.use_gpu,
            _storage(request.storage),
            request.name,
            plan.cpus_per_worker,
            Path(scratch) / "checkpoint",
        )
        history = json.loads((outcome.checkpoint_dir / HISTORY_FILE).read_text())
        training = {
            "name": request.model_name,
            "data": {
                "location": redact(request.data),
                "sha256": conversations.sha256,
                "examples": len(conversations.examples),
            },
            "recipe": request.recipe.model_dump(mode="json"),
            "workers": request.num_workers,
            "device": job.device,
            "epochs": history,
            "checkpoint": redact(outcome.checkpoint_uri),
        }
        local_out = Path(request.out) if "://" not in request.out else Path(scratch) / "merged"
        merge_checkpoint(request.base_model, cache_dir, outcome.checkpoint_dir, local_out, training)
        out = _publish(local_out, request.out)
        version = inspect_model(str(local_out)).version
    return FinetuneResult(
        out, version, history, history[-1]["resumed_from"], outcome.checkpoint_uri
    )
