"""The per-row stages as actor pools on a local Ray with 16 logical CPUs (issue #17, item 1):
each pool starts at two actors when the cluster has spare CPUs, and the rows coming back name
the actor processes that really did the work (their pids).

The model is the echo engine (an instant stand-in) and the sentence embedder is on, so blocks
reach the stages after the model as fast as decoding makes them, as they would behind a pool
of GPUs. Structure (~80 ms of CPU per image) is then the pipeline's bottleneck, and its second
actor takes blocks while the first is busy; a stage that idles between blocks (the sink) may
keep up with one (bench/RESULTS.md counts them over a longer run)."""

from __future__ import annotations

from archive_analyzer.engine.sizing import model_plan, stage_pools
from archive_analyzer.run.wiring import POOLED_STAGES
from bench.scale import LOGICAL_CPUS, stage_actor_counts
from tests.conftest import PAINTINGS, count


def test_pools_start_at_two_actors_on_16_cpus_and_the_bottleneck_shares_its_work(db):
    used = stage_actor_counts(
        images=48, database_url=db.url, source=PAINTINGS, embed=True, engine="echo"
    )
    assert used["analyze"] == 1  # the run asked for one model actor
    assert used["structure"] > 1, used  # the bottleneck's work was shared
    for stage in POOLED_STAGES:
        assert used[stage] >= 1, used  # every pool marked the rows it handled
    # Each pool had two actors from the start and could grow further on this cluster.
    actors, each, _, _ = model_plan(LOGICAL_CPUS, 0, 1, 0.0)
    pools = stage_pools(LOGICAL_CPUS, 0, actors * each, 0, POOLED_STAGES)
    assert all(pool.min_size >= 2 and pool.max_size >= 2 for pool in pools.values()), pools
    assert count(db, "SELECT count(*) FROM images") == 48
    assert count(db, "SELECT count(*) FROM analysis_structure WHERE embedding IS NOT NULL") == 48
