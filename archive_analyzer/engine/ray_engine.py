"""The Ray Data executor: the only module that imports Ray.

References (URIs) enter the dataset through a datasource whose read tasks each read one chunk
of them (run/references.py: a range of the run's ledger), so the driver never holds them all;
decoding runs as CPU tasks near the data; the model runs in a fixed pool of actors sized from
the cluster (one per GPU, or CPU actors); every other per-row stage (reuse, features,
structure, sink) is an autoscaling actor pool in what the model leaves (engine/sizing.py).
Only small status rows come back to the driver.

Sizing matters on small machines: an actor pool that reserves every CPU starves the read and
decode tasks and Ray Data then waits forever without a word, so model actors never take the
last CPU and writers reserve none.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from archive_analyzer.engine import Chunk, Resources, StageSpec
from archive_analyzer.engine.sizing import ActorPool, model_plan, stage_pools
from archive_analyzer.stages import Batch, batch_len

logger = logging.getLogger(__name__)

# What one decode task may hold: a 200 MP image decoded to RGB is ~600 MB, most are far less.
CPU_TASK_MEMORY = 512 * 2**20
# A small CPU actor (the sentence embedder of the Structure stage) reserves this much.
CPU_ACTOR_CPUS = 0.25


# Set while this process holds a Ray connection it opened, with what to undo at the end.
_OWNED: dict[str, object] = {}


def init_ray(address: str | None = None, log_path: Path | None = None) -> None:
    """Start a local Ray or join a cluster, Ray's own chatter routed to `log_path`.

    A run's output is our progress bar and summary. Ray writes warnings through its Python
    loggers and error lines from its C++ core straight to file descriptor 2 (for example
    "constructor arguments in the object store" for every Ray Data actor pool): both go to
    the log file the run's report names; our own output keeps the terminal.
    """
    import ray

    if ray.is_initialized():
        return  # someone else's connection (a test session, a notebook): theirs to end
    if log_path is not None:
        _route_output(log_path)
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, log_to_driver=True)
    else:
        ray.init(include_dashboard=False, log_to_driver=True, logging_level=logging.WARNING)
    _OWNED["ray"] = True


# Ray's Python loggers that print to the console (Ray Data configures its own when imported).
RAY_LOGGERS = ("ray", "ray.data")


def _route_output(log_path: Path) -> None:
    import ray.data  # noqa: F401  (configures the "ray.data" logger, console included)

    log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    consoles = []
    for name in RAY_LOGGERS:
        ray_logger = logging.getLogger(name)
        for old in list(ray_logger.handlers):
            if isinstance(old, logging.StreamHandler) and not isinstance(old, logging.FileHandler):
                ray_logger.removeHandler(old)
                consoles.append((name, old))
        ray_logger.addHandler(handler)
    _OWNED["ray_logging"] = (handler, consoles)
    _route_fd2(log_path)


def _route_fd2(log_path: Path) -> None:
    """C++ writes to descriptor 2: point it at the log; Python's stderr keeps the terminal."""
    try:
        python_uses_fd2 = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # replaced (pytest's capture): leave it
        python_uses_fd2 = False
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 2)
    _OWNED["fd2"] = saved
    if python_uses_fd2:
        terminal = open(os.dup(saved), "w", buffering=1, encoding=sys.stderr.encoding)  # noqa: SIM115
        _OWNED["stderr"] = sys.stderr
        for handler in logging.getLogger().handlers:
            if getattr(handler, "stream", None) is sys.stderr:
                handler.setStream(terminal)
        sys.stderr = terminal


def shutdown_ray() -> None:
    """End the Ray this process started or joined: a local Ray's processes (raylet, GCS,
    dashboard and runtime-env agents, workers) stop with it. Output goes back to stderr."""
    if not _OWNED.pop("ray", False):
        return
    import ray

    ray.shutdown()
    _restore_output()


def _restore_output() -> None:
    if "stderr" in _OWNED:
        terminal, sys.stderr = sys.stderr, _OWNED.pop("stderr")
        for handler in logging.getLogger().handlers:
            if getattr(handler, "stream", None) is terminal:
                handler.setStream(sys.stderr)
        terminal.close()
    if "fd2" in _OWNED:
        saved = _OWNED.pop("fd2")
        os.dup2(saved, 2)
        os.close(saved)
    if "ray_logging" in _OWNED:
        handler, consoles = _OWNED.pop("ray_logging")
        for name in RAY_LOGGERS:
            logging.getLogger(name).removeHandler(handler)
        handler.close()
        for name, console in consoles:
            logging.getLogger(name).addHandler(console)


def cluster_totals() -> tuple[float, float]:
    import ray

    totals = ray.cluster_resources()
    return float(totals.get("CPU", 0)), float(totals.get("GPU", 0))


def object_store_bytes_used() -> int:
    """Bytes held in the cluster's object stores now (benchmarks sample it for peaks)."""
    import ray
    from ray._private.internal_api import get_memory_info_reply, get_state_from_address

    # Ray has no public call for this. Name our cluster: other local clusters may be running.
    state = get_state_from_address(ray.get_runtime_context().gcs_address)
    reply = get_memory_info_reply(state, timeout_seconds=10.0)
    return int(reply.store_stats.object_store_bytes_used)


def plan_resources(
    num_actors: int | None,
    gpus_per_actor: float,
    pooled: dict[str, str] | None = None,
    overrides: dict[str, int] | None = None,
) -> Resources:
    """The model's actors (one per GPU, or CPU actors that leave CPUs for decoding), then an
    autoscaling pool for each stage in `pooled` (name -> kind) in what they leave."""
    cpus, gpus = cluster_totals()
    actors, actor_cpus, actor_gpus, threads = model_plan(cpus, gpus, num_actors, gpus_per_actor)
    model_cpus, model_gpus = actors * actor_cpus, actors * actor_gpus
    pools = stage_pools(cpus, gpus, model_cpus, model_gpus, pooled or {}, overrides)
    return Resources(actors, actor_cpus, actor_gpus, threads=threads, pools=pools)


def _apply(batch: Batch, spec: StageSpec) -> Batch:
    # Stateless CPU stages are cheap to build, so each task builds its own.
    return spec.build()(batch)


# CPU tasks reserve a whole CPU and memory for one large image. The memory reservation also
# keeps Ray Data from fusing decode into the model actors (it fuses a task map into the next
# actor map when their resource requests match), which would decode on the model's CPUs, one
# batch at a time, instead of ahead of it on the other CPUs.
CPU_TASK_ARGS = {"num_cpus": 1, "memory": CPU_TASK_MEMORY}


# A stage of an actor kind that no plan sized (a benchmark's or a test's own stages).
UNPLANNED = {
    "cpu_actor": ActorPool(1, 1, CPU_ACTOR_CPUS),
    "embed": ActorPool(1, 1, CPU_ACTOR_CPUS),
    "io": ActorPool(1, 1, 0.0),
}


def stage_pool(spec: StageSpec, resources: Resources) -> ActorPool:
    if spec.kind == "model":
        # Fixed size: loading a model costs seconds to minutes, so actors never scale down and
        # back up; two batches in flight keep an actor busy while the next one arrives.
        size, gpus = resources.num_actors, resources.gpus_per_actor or None
        return ActorPool(size, size, resources.cpus_per_actor, gpus, 2)
    return resources.pools.get(spec.name) or UNPLANNED[spec.kind]


# Each actor stage marks its rows with its process id, in a column of its own: the rows coming
# back tell how many actors each pool really used (reports and benchmarks count them).
ACTOR_COLUMN = "actor_pid:"


class PooledStage:
    """A stage in an actor pool: built once per actor, its rows marked with the actor's pid,
    and the marks of the stages before it carried past stages that return only their own
    columns (the sink)."""

    stage_name = ""

    def __init__(self, cls: type, config) -> None:
        self.stage = cls(config)
        self.column = ACTOR_COLUMN + self.stage_name

    def __call__(self, batch: Batch) -> Batch:
        carried = {k: v for k, v in batch.items() if k.startswith(ACTOR_COLUMN)}
        out = self.stage(batch)
        return {**carried, **out, self.column: [os.getpid()] * batch_len(out)}


def _pooled(spec: StageSpec) -> type:
    # Named after the stage's class, so that Ray Data's operator reads MapBatches(Sink).
    return type(spec.cls.__name__, (PooledStage,), {"stage_name": spec.name})


def actors_used(batches: list[Batch]) -> dict[str, int]:
    """Distinct actors per stage over the batches a run returned."""
    pids: dict[str, set] = {}
    for batch in batches:
        for key, values in batch.items():
            if key.startswith(ACTOR_COLUMN):
                pids.setdefault(key[len(ACTOR_COLUMN) :], set()).update(int(v) for v in values)
    return {stage: len(found) for stage, found in pids.items()}


def concurrent_calls(calls: int) -> dict:
    """ActorPoolStrategy arguments for `calls` batches running at once on each actor, with as
    many more queued behind them, so the actor's engine never waits between batches."""
    return {
        "max_tasks_in_flight_per_actor": 2 * calls,
        "max_concurrent_calls_per_actor": calls,
        "enable_true_multi_threading": True,
    }


def _add_stage(ds, spec: StageSpec, resources: Resources):
    import ray.data

    common = {"batch_size": spec.batch_size, "batch_format": "numpy"}
    if spec.kind == "cpu":
        return ds.map_batches(_apply, fn_kwargs={"spec": spec}, **common, **CPU_TASK_ARGS)
    pool = stage_pool(spec, resources)
    in_flight = {"max_tasks_in_flight_per_actor": pool.in_flight} if pool.in_flight else {}
    calls = getattr(spec.cls, "concurrent_batches", 1)
    if calls > 1:  # a stage that queues batches on one shared engine (AnalyzeVLLM)
        in_flight = concurrent_calls(calls)
    # A crashed actor (segfault, OOM kill, lost node) is restarted and its in-flight batches run
    # again (Ray Data's defaults: max_restarts=-1, max_task_retries=-1; passing them explicitly
    # is deprecated). The sink's upserts make a replay harmless;
    # tests/test_reliability_faults.py checks the behaviour the accounting relies on.
    return ds.map_batches(
        _pooled(spec),
        fn_constructor_args=(spec.cls, spec.config),
        compute=ray.data.ActorPoolStrategy(
            min_size=pool.min_size, max_size=pool.max_size, **in_flight
        ),
        num_cpus=pool.num_cpus,
        num_gpus=pool.num_gpus,
        **common,
    )


def execution_plan(ds) -> str:
    """The operators Ray Data will run, fused ones joined by '->' (for tests and benchmarks)."""
    from ray.data._internal.logical.optimizers import get_execution_plan

    # Ray Data has no public call for this; its own planner is what `iter_batches` runs.
    plan, _ = get_execution_plan(ds._logical_plan)
    return " | ".join(op.name for op in _walk(plan.dag))


def _walk(op) -> list:
    upstream = [found for parent in op.input_dependencies for found in _walk(parent)]
    return [*upstream, op]


# Reads reserve little: a chunk of reference rows is one small query. Their request differs
# from decode's, so Ray Data does not fuse decoding into the reads (one task per chunk).
READ_TASK_ARGS = {"num_cpus": 0.1}


def _read_chunk(chunk: Chunk, block_size: int) -> Iterator:
    """One read task: a chunk's reference rows, as blocks of `block_size` rows."""
    import pyarrow as pa

    rows = chunk()
    for start in range(0, len(rows), block_size):
        table = pa.Table.from_pylist(rows[start : start + block_size])
        # A column of only None in one block is "null"-typed: make it text, as in the others.
        for index, column in enumerate(table.schema):
            if pa.types.is_null(column.type):
                table = table.set_column(index, column.name, table[index].cast(pa.string()))
        yield table


def reference_datasource(chunks: Sequence[Chunk], block_size: int):
    """A Ray datasource whose read tasks each read one chunk of references, where they run:
    the driver holds the chunks (a query's bounds each), never the rows."""
    from ray.data import Datasource, ReadTask
    from ray.data.block import BlockMetadata

    class References(Datasource):
        def estimate_inmemory_data_size(self) -> int | None:
            return None

        def get_read_tasks(self, parallelism, per_task_row_limit=None, data_context=None):
            unknown = BlockMetadata(
                num_rows=None, size_bytes=None, input_files=None, exec_stats=None
            )
            return [
                ReadTask(
                    functools.partial(_read_chunk, chunk, block_size),
                    unknown,
                    per_task_row_limit=per_task_row_limit,
                )
                for chunk in chunks
            ]

        def get_name(self) -> str:
            return "References"

    return References()


def build_dataset(
    chunks: Sequence[Chunk], stages: list[StageSpec], resources: Resources, block_size: int = 16
):
    """The lazy Ray dataset of a run: reference rows read chunk by chunk, one operator per
    stage."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the CLI draws one bar for the whole run
    if not logger.isEnabledFor(logging.DEBUG):
        # Ray Data narrates every execution at INFO; people read our bar and summary instead.
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    source = reference_datasource(chunks, block_size)
    # Blocks of ~block_size rows, so decoding spreads over many tasks: Ray Data splits each
    # read task's output to reach this count (it merges a task's small outputs otherwise).
    blocks = max(1, math.ceil(sum(len(chunk) for chunk in chunks) / block_size))
    ds = ray.data.read_datasource(source, override_num_blocks=blocks, **READ_TASK_ARGS)
    for spec in stages:
        ds = _add_stage(ds, spec, resources)
    return ds


def run_ray(
    chunks: Sequence[Chunk], stages: list[StageSpec], resources: Resources, block_size: int = 16
) -> Iterator[Batch]:
    if not chunks:
        return iter(())
    ds = build_dataset(chunks, stages, resources, block_size)
    return ds.iter_batches(batch_size=None, batch_format="numpy")
