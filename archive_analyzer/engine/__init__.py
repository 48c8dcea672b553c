"""Executors: where the stages run. Only `ray_engine` imports Ray, and only when chosen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from archive_analyzer.stages import Batch

StageBuilder = Callable[[], Callable[[Batch], Batch]]


@dataclass(frozen=True)
class StageSpec:
    """A stage to build where it runs: a class and the config its __init__ takes."""

    name: str
    cls: type
    config: Any
    kind: Literal["cpu", "model", "io"] = "cpu"
    batch_size: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def build(self) -> Callable[[Batch], Batch]:
        return self.cls(self.config)


@dataclass(frozen=True)
class Resources:
    """How many model actors and what each reserves; decided once from the cluster's size."""

    num_actors: int
    cpus_per_actor: float
    gpus_per_actor: float


def run_engine(
    name: str, items: list[dict], stages: list[StageSpec], resources: Resources, **options
) -> Iterator[Batch]:
    if name == "ray":
        from archive_analyzer.engine.ray_engine import run_ray

        return run_ray(items, stages, resources, **options)
    if name == "local":
        from archive_analyzer.engine.local import run_local

        return run_local(items, stages)
    raise ValueError(f"unknown engine {name!r}: choose 'ray' or 'local'")
