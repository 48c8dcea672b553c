"""Scale-out figures: how large each stage's actor pool grew on a 16-CPU Ray, and the sink's
rows/s live, in bulk index mode, and as the writer before the pools (issue #17).

`stage_actor_counts` runs the real stages (decode ... sink) over paintings on a local Ray
started in a subprocess with 16 logical CPUs (a Ray already running in the calling process
would be joined instead) and counts the distinct actor processes that marked each stage's rows
(engine/ray_engine.py's actor_pid columns): the actors that did work, not merely started. With
the tiny model the stages after it see one block at a time, so one actor of each pool may do
all; with the echo engine (an instant model) and the sentence embedder on, blocks reach them
as fast as decoding makes them, as they would behind a pool of GPUs, and the pools grow.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.decode import PAINTINGS

ROOT = Path(__file__).resolve().parents[1]
LOGICAL_CPUS = 16


def stage_actor_counts(
    images: int = 64,
    database_url: str | None = None,
    source: Path | None = None,
    embed: bool = False,
    timeout: float = 900,
    engine: str = "transformers",
) -> dict[str, int]:
    """{stage: actors it used} over `images` paintings on a local 16-CPU Ray; `engine`
    "transformers" runs the tiny model, "echo" the instant stand-in."""
    from bench.database import scratch_database

    if database_url is None:
        with scratch_database() as (db, _home):
            return stage_actor_counts(images, db.url, source, embed, timeout, engine)
    command = [sys.executable, "-m", "bench.scale", "actors", "--url", database_url]
    command += ["--images", str(images), "--source", str(source or _paintings())]
    command += ["--engine", engine] + (["--embed"] if embed else [])
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "PYTHONPATH": _pythonpath()}
    # Each pool's first two actors are up before the first block moves (Ray Data waits for
    # min_size, at most this long): the count is how a started pool shares its work, not how
    # quickly two cores start a dozen actor processes while a short run is already over.
    env["RAY_DATA_DEFAULT_WAIT_FOR_MIN_ACTORS_S"] = str(int(timeout))
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode:
        raise RuntimeError(f"the 16-CPU pool run failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _paintings() -> Path:
    return PAINTINGS if PAINTINGS.is_dir() else ROOT / "examples" / "paintings"


def _pythonpath() -> str:
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def _pool_run(url: str, source: Path, images: int, embed: bool, engine: str) -> dict[str, int]:
    import ray

    from archive_analyzer.db.database import Database
    from archive_analyzer.engine import in_memory, run_engine
    from archive_analyzer.engine.ray_engine import actors_used
    from archive_analyzer.model.prompts import resolve_prompt
    from archive_analyzer.model.tiny import write_tiny_model
    from archive_analyzer.run.wiring import RunContext, build_stages, engine_resources
    from archive_analyzer.settings import load_settings
    from archive_analyzer.sources import list_images
    from archive_analyzer.stages.analyze_echo import ECHO_LOCATION, echo_version
    from bench.database import start_run

    ray.init(num_cpus=LOGICAL_CPUS, include_dashboard=False, log_to_driver=False)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        echo = engine == "echo"
        model = ECHO_LOCATION if echo else str(write_tiny_model(Path(tmp) / "tiny"))
        settings = load_settings(
            None, source=str(source), database_url=url, model=model, max_new_tokens=8,
            batch_size=4, num_actors=1, embed=embed, model_engine=engine,
        )  # fmt: skip
        db = Database(url)
        prompt = resolve_prompt(settings.prompt)
        version = echo_version() if echo else "tiny-scale"
        ctx = RunContext(settings, model, version, prompt, url, start_run(db, "scale"))
        resources = engine_resources(settings, "ray")
        items = [_reference(item) for item in list_images(str(source))[:images]]
        batches = list(run_engine("ray", in_memory(items), build_stages(ctx, resources), resources))
    ray.shutdown()
    return actors_used(batches)


def _reference(item) -> dict:
    return {
        "uri": item.uri,
        "object_id": item.object_id,
        "metadata": json.dumps(item.metadata),
        "fingerprint": item.fingerprint,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("what", choices=["actors"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--source", type=Path, default=_paintings())
    parser.add_argument("--embed", action="store_true")
    parser.add_argument("--engine", choices=["transformers", "echo"], default="transformers")
    args = parser.parse_args(argv)
    print(json.dumps(_pool_run(args.url, args.source, args.images, args.embed, args.engine)))


if __name__ == "__main__":
    main()


# ---- the sink: live, bulk, and the writer before this wave (same write set) ----

PREVIOUS_WRITER = "b690c88"  # main before the pools: one sink actor, live HNSW inserts
BLOCK = 500


def _blocks(rows: int) -> list[dict]:
    from bench.sink import synthetic_block

    return [synthetic_block(n, min(BLOCK, rows - n), "scale", "{}") for n in range(0, rows, BLOCK)]


def _timed_sink(url: str, blocks: list[dict], mode: str) -> float:
    """rows/s of one sink writing `blocks` into a fresh catalog, index rebuild included."""
    import time

    from archive_analyzer.db.database import Database
    from archive_analyzer.db.indexes import index_maintenance
    from archive_analyzer.settings import load_settings
    from archive_analyzer.stages.sink import Sink, SinkConfig
    from bench.database import start_run

    db = Database(url)
    run_id = start_run(db, f"scale-{mode}")
    settings = load_settings(None, index_mode=mode)
    rows = sum(len(b["uri"]) for b in blocks)
    started = time.perf_counter()
    with index_maintenance(db, settings, rows, run_id):
        sink = Sink(SinkConfig(url, run_id))
        for batch in blocks:
            sink(batch)
    return rows / (time.perf_counter() - started)


def _previous_writer(rows: int) -> float:
    """The old tree's Sink in a subprocess, on a scratch database its own migrations built
    (its artworks merge needs the unique object_id that 0011 replaced)."""
    import pickle

    tree = Path(tempfile.mkdtemp(prefix="prevsink-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", PREVIOUS_WRITER], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    data = tree / "blocks.pickle"
    data.write_bytes(pickle.dumps(_blocks(rows)))
    env = {**os.environ, "PYTHONPATH": str(tree), "ARCHIVE_ANALYZER_SQL_DIR": str(tree / "sql")}
    done = subprocess.run(
        [sys.executable, "-c", _OLD_WRITER, str(data)],
        cwd=tree, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"the previous writer failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.strip().splitlines()[-1])


_OLD_WRITER = """
import pickle, sys, time
from archive_analyzer.stages.sink import Sink, SinkConfig
from bench.database import scratch_database, start_run
blocks = pickle.loads(open(sys.argv[1], "rb").read())
with scratch_database() as (db, _home):
    sink = Sink(SinkConfig(db.url, start_run(db, "previous")))
    started = time.perf_counter()
    for batch in blocks:
        sink(batch)
    print(sum(len(b["uri"]) for b in blocks) / (time.perf_counter() - started))
"""


def sink_rates(rows: int = 2000, repeats: int = 5) -> dict:
    """Median rows/s of live, bulk and the previous writer on the same write set, each repeat
    on a fresh catalog, interleaved; min and max beside each."""
    import statistics

    from bench.database import scratch_database

    samples: dict[str, list[float]] = {"live": [], "bulk": [], "previous_writer": []}
    blocks = _blocks(rows)
    for _ in range(repeats):
        for mode in ("live", "bulk"):
            with scratch_database() as (db, _home):
                samples[mode].append(_timed_sink(db.url, blocks, mode))
        samples["previous_writer"].append(_previous_writer(rows))
    out: dict = {name: statistics.median(values) for name, values in samples.items()}
    out["spread"] = {name: (min(v), max(v)) for name, v in samples.items()}
    out["repeats"], out["rows"] = repeats, rows
    return out
