"""Executors: where the stages run. Only `ray_engine` imports Ray, and only when chosen."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from archive_analyzer.engine.sizing import ActorPool
from archive_analyzer.stages import Batch
from archive_analyzer.stages.contract import Stage, check_wiring


@dataclass(frozen=True)
class StageSpec:
    """A stage to build where it runs: a class and the config its __init__ takes."""

    name: str
    cls: type[Stage]
    config: Any
    # cpu: stateless tasks; model: the fixed model pool; cpu_actor, embed (a small model, on
    # the model's GPU when there is one) and io (database): autoscaling pools (engine/sizing.py)
    kind: Literal["cpu", "cpu_actor", "embed", "model", "io"] = "cpu"
    batch_size: int | None = None

    def build(self) -> Stage:
        return self.cls(self.config)


@dataclass(frozen=True)
class Resources:
    """How many model actors and what each reserves; decided once from the cluster's size."""

    num_actors: int
    cpus_per_actor: float
    gpus_per_actor: float
    threads: int = 0
    pools: dict[str, ActorPool] = field(default_factory=dict)  # stage name -> its pool

    def pool_threads(self, stage: str) -> int:
        """torch threads for one actor of a pooled stage (1 where nothing was planned)."""
        pool = self.pools.get(stage)
        return pool.threads if pool else 1

    def on_gpu(self, stage: str) -> bool:
        pool = self.pools.get(stage)
        return bool(pool and pool.num_gpus)

    @property
    def threads_per_actor(self) -> int:
        """torch threads per model actor: `threads` when planned, else the CPUs it reserves.

        They differ on CPU clusters, where an actor reserves less than the cores its matmuls
        use, so that the scheduler always keeps a CPU for the decode tasks.
        """
        return self.threads or max(1, int(self.cpus_per_actor))


class Chunk(Protocol):
    """A chunk of reference rows, read where it is called: the driver passes these (small,
    picklable, their length known) instead of the rows, so it never holds every reference."""

    def __call__(self) -> list[dict]: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class InMemory:
    """Rows the caller already holds, as one chunk (a handful of re-runs, a benchmark)."""

    rows: tuple[dict, ...]

    def __call__(self) -> list[dict]:
        return list(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def in_memory(rows: Sequence[dict]) -> list[Chunk]:
    return [InMemory(tuple(rows))] if rows else []


def run_engine(
    name: str, chunks: Sequence[Chunk], stages: list[StageSpec], resources: Resources, **options
) -> Iterator[Batch]:
    if name not in ("ray", "local"):
        raise ValueError(f"unknown engine {name!r}: choose 'ray' or 'local'")
    first = chunks[0]() if chunks else []
    if first:
        # Before any actor loads a model: a stage that needs a column nobody makes fails here.
        check_wiring(first[0], [spec.cls for spec in stages])
    if name == "ray":
        from archive_analyzer.engine.ray_engine import run_ray

        return run_ray(chunks, stages, resources, **options)
    from archive_analyzer.engine.local import run_local

    return run_local(chunks, stages)


def engine_log_path(home: Path, run_id: int) -> Path:
    """Where the engine's own messages (Ray's warnings and errors) of one run are kept."""
    return home / "logs" / f"ray-{run_id}.log"


def release_engines() -> None:
    """At the end of a command: stop the Ray it started (no helper process outlives it)."""
    ray_engine = sys.modules.get("archive_analyzer.engine.ray_engine")
    if ray_engine is not None:
        ray_engine.shutdown_ray()
