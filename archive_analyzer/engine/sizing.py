"""How many actors each stage gets, and what each reserves, from the cluster's size.

Pure arithmetic (no Ray): the Ray engine feeds it `ray.cluster_resources()`, tests feed it any
cluster they like. The model actors are planned first; every per-row stage after them is an
autoscaling pool in what they leave:

- one CPU always stays free for the decode tasks: an actor pool that reserves every CPU starves
  them and Ray Data then waits forever without a word;
- "cpu_actor" and "embed" pools share the rest (the sentence embedder of Structure costs ~90 ms
  of one core per paragraph, the visual features a few ms per image), one CPU and one torch
  thread per actor, or a fraction of a CPU when that is all there is;
- "embed" runs on the model's GPU when the cluster has GPUs: the model actors leave it a slice;
- "io" pools (the database reader and writer) wait on PostgreSQL, not on a CPU: they reserve
  none, and their size is bounded by the connections a database should take from one run.

A pool starts at two actors when it may grow to two (one slow batch or restarting actor then
never stalls its stage) and grows with its queue up to its maximum. `overrides` fixes a stage's
pool size; the pool's CPU share is then divided among that many actors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from archive_analyzer.errors import ConfigError

# What the decode tasks keep; what a small CPU actor reserves at least.
DECODE_CPUS = 1.0
MIN_ACTOR_CPUS = 0.05
# The GPU slice the embedder of Structure takes beside a model actor (MiniLM needs ~0.1 GB).
EMBED_GPU_SHARE = 0.1
# The share of the CPUs left by the model that each CPU pool may grow into.
CPU_SHARES = {"embed": 0.75, "cpu_actor": 0.25}
# Database connections one run's io pools may hold, per pool.
MAX_IO_ACTORS = 16
IO_CPUS_PER_ACTOR = 4  # one reader and one writer per four cluster CPUs


@dataclass(frozen=True)
class ActorPool:
    """One stage's actors: the range its pool moves in and what each actor reserves."""

    min_size: int
    max_size: int
    num_cpus: float
    num_gpus: float | None = None
    in_flight: int | None = None  # batches queued on each actor; None: Ray Data's default

    @property
    def threads(self) -> int:
        """torch threads per actor: the CPUs it reserves, at least one."""
        return max(1, int(self.num_cpus))


def model_plan(
    cpus: float, gpus: float, num_actors: int | None, gpus_per_actor: float
) -> tuple[int, float, float, int]:
    """(actors, CPUs each, GPUs each, torch threads): one per GPU, else CPU actors."""
    if cpus < 2:
        raise ConfigError(f"the Ray cluster has {cpus:g} CPUs; a run needs at least 2")
    free = cpus - DECODE_CPUS - 0.25
    if gpus and gpus_per_actor == 0:
        gpus_per_actor = 1.0 - EMBED_GPU_SHARE  # the embedder shares each model GPU
    if gpus_per_actor:
        actors = num_actors or max(1, int(gpus // gpus_per_actor))
        return actors, min(1.0, free / actors), gpus_per_actor, 0
    actors = num_actors or max(1, int((cpus - 1) // 2))
    # Matmuls still use every core: decoding a 336 px square costs milliseconds against seconds
    # of model time per batch, so the actors' threads share the decode CPUs.
    return actors, min(2.0, free / actors), 0.0, max(1, int(cpus // actors))


def stage_pools(
    cpus: float,
    gpus: float,
    model_cpus: float,
    model_gpus: float,
    pooled: dict[str, str],
    overrides: dict[str, int] | None = None,
) -> dict[str, ActorPool]:
    """The pool of each stage in `pooled` (stage name -> kind), in what the model leaves."""
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(pooled))
    if unknown:
        raise ConfigError(f"stage_actors names {unknown}; pooled stages: {sorted(pooled)}")
    spare = max(0.0, cpus - model_cpus - DECODE_CPUS)
    gpu_left = gpus - model_gpus
    pools = {}
    for name, kind in pooled.items():
        sharing = sum(1 for k in pooled.values() if k == kind)
        pools[name] = _pool(kind, cpus, spare / sharing, gpus, gpu_left, overrides.get(name))
    return pools


def _pool(
    kind: str, cpus: float, spare: float, gpus: float, gpu_left: float, fixed: int | None
) -> ActorPool:
    if kind == "io":
        top = fixed or max(1, min(MAX_IO_ACTORS, int(cpus // IO_CPUS_PER_ACTOR)))
        return ActorPool(fixed or min(2, top), top, 0.0)
    if kind == "embed" and gpus >= 1 and gpu_left >= EMBED_GPU_SHARE * int(gpus) - 1e-9:
        top = fixed or int(gpus)
        return ActorPool(min(2, top) if not fixed else fixed, top, 0.0, EMBED_GPU_SHARE)
    if kind not in CPU_SHARES:
        raise ConfigError(f"unknown stage kind {kind!r}")
    share = max(MIN_ACTOR_CPUS, spare * CPU_SHARES[kind])
    if fixed:
        return ActorPool(fixed, fixed, _down(max(MIN_ACTOR_CPUS, min(1.0, share / fixed))))
    per_actor = 1.0 if share >= 2 else share
    top = max(1, math.floor(share / per_actor + 1e-9))
    return ActorPool(min(2, top), top, _down(per_actor))


def _down(cpus: float) -> float:
    # Rounded down, so that the pools' reservations never add up past what was left.
    return math.floor(cpus * 1000) / 1000
