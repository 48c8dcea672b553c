"""Ray Train: the fine-tuning loop on N data-parallel workers (GPUs when present, else CPUs).

Ray Train is Ray, so it lives in the engine package; the loop itself (archive_analyzer.train.loop)
only sees a Session. Checkpoints go to a local folder or an object store (`s3://...`) under
`<storage>/<name>`; running again with the same storage and name resumes from the newest one.

On a small CPU machine each worker reserves a fraction of a CPU and one torch thread, so two
workers fit on two cores next to Ray's own processes (see ENVIRONMENT.md on the silent hang).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from archive_analyzer.errors import MissingExtraError


def _use_assigned_gpu() -> None:
    """Make plain "cuda" mean this worker's GPU: Ray Train shows co-located workers all of the
    node's GPUs, and loading every worker's copy onto GPU 0 first could exhaust it."""
    import ray.train.torch
    import torch

    device = ray.train.torch.get_device()
    if device.type == "cuda":
        torch.cuda.set_device(device)


class RaySession:
    """The Session the training loop needs, backed by ray.train's worker context."""

    def __init__(self) -> None:
        import ray.train

        context = ray.train.get_context()
        self.rank = context.get_world_rank()
        self.world_size = context.get_world_size()
        _use_assigned_gpu()
        self.scratch = Path(tempfile.mkdtemp(prefix="aa-train-"))

    def prepare_model(self, model):
        import ray.train.torch

        # DDP registers hooks on trainable parameters only: LoRA's and the projector's.
        return ray.train.torch.prepare_model(model)

    def prepare_loader(self, loader):
        import ray.train.torch

        return ray.train.torch.prepare_data_loader(loader, move_to_device=False)

    def restore(self) -> Path | None:
        import ray.train

        checkpoint = ray.train.get_checkpoint()
        if checkpoint is None:
            return None
        return Path(checkpoint.to_directory(str(self.scratch / "resume")))

    def scratch_dir(self, epoch: int) -> Path:
        folder = self.scratch / f"epoch-{epoch}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def report(self, metrics: dict, checkpoint_dir: Path | None) -> None:
        import ray.train

        checkpoint = None
        if checkpoint_dir is not None:
            checkpoint = ray.train.Checkpoint.from_directory(str(checkpoint_dir))
        ray.train.report(metrics, checkpoint=checkpoint)


def _worker(config: dict) -> None:
    from archive_analyzer.train.loop import fit
    from archive_analyzer.train.recipe import FinetuneJob

    session = RaySession()
    try:
        fit(FinetuneJob.model_validate(config), session)
    finally:
        # report() has uploaded every checkpoint by now; the local copies are scratch.
        shutil.rmtree(session.scratch, ignore_errors=True)


@dataclass(frozen=True)
class TrainOutcome:
    checkpoint_dir: Path
    checkpoint_uri: str
    metrics: dict


def run_ray_train(
    job_config: dict,
    num_workers: int,
    use_gpu: bool,
    storage_path: str,
    name: str,
    cpus_per_worker: float,
    download_to: Path,
) -> TrainOutcome:
    """Train on Ray Train workers; return the newest checkpoint, downloaded locally."""
    try:
        import ray.train
        from ray.train.torch import TorchTrainer
    except ImportError as exc:
        raise MissingExtraError("ray[train]", "train") from exc
    resources = {"CPU": cpus_per_worker, **({"GPU": 1} if use_gpu else {})}
    trainer = TorchTrainer(
        _worker,
        train_loop_config=job_config,
        scaling_config=ray.train.ScalingConfig(
            num_workers=num_workers, use_gpu=use_gpu, resources_per_worker=resources
        ),
        run_config=ray.train.RunConfig(
            name=name,
            storage_path=storage_path,
            checkpoint_config=ray.train.CheckpointConfig(num_to_keep=2),
        ),
    )
    result = trainer.fit()
    if result.checkpoint is None:
        raise RuntimeError("training finished without writing a checkpoint")
    local = Path(result.checkpoint.to_directory(str(download_to)))
    return TrainOutcome(local, result.checkpoint.path, dict(result.metrics or {}))


@dataclass(frozen=True)
class WorkerPlan:
    use_gpu: bool
    cpus_per_worker: float
    threads: int


def plan_workers(
    num_workers: int, device: str, cpus_per_worker: float | None, address: str | None = None
) -> WorkerPlan:
    """GPUs when the cluster has them (one per worker); on CPUs, leave one CPU for Ray itself."""
    from archive_analyzer.engine.ray_engine import cluster_totals, init_ray
    from archive_analyzer.errors import ConfigError

    init_ray(address)
    cpus, gpus = cluster_totals()
    use_gpu = device == "cuda" or (device == "auto" and gpus >= 1)
    if use_gpu and gpus < num_workers:
        raise ConfigError(
            f"num_workers {num_workers} needs {num_workers} GPUs; the cluster has {gpus:g}"
        )
    if cpus_per_worker is None:
        spare = max(cpus - 1, cpus / 2) / num_workers
        cpus_per_worker = 1.0 if use_gpu else max(0.25, min(4.0, spare))
    return WorkerPlan(use_gpu, cpus_per_worker, max(1, int(cpus_per_worker)))
