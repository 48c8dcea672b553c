"""The per-row stages as actor pools on a local Ray with 16 logical CPUs (issue #17, item 1):
each pool starts at two actors when the cluster has spare CPUs, and the rows coming back name
the actor processes that really did the work (their pids)."""

from __future__ import annotations

from archive_analyzer.engine.sizing import model_plan, stage_pools
from archive_analyzer.run.wiring import POOLED_STAGES
from bench.scale import LOGICAL_CPUS, stage_actor_counts
from tests.conftest import PAINTINGS, count


def test_every_pooled_stage_gets_several_actors_on_16_cpus(db):
    used = stage_actor_counts(images=48, database_url=db.url, source=PAINTINGS)
    # Upstream of the model, blocks arrive in bursts from the decode tasks: a second actor
    # takes blocks while the first is busy (which of the two stages it shows in varies).
    assert max(used["reuse"], used["features"]) > 1, used
    assert used["analyze"] == 1  # the run asked for one model actor
    for stage in POOLED_STAGES:
        assert used[stage] >= 1, used  # every pool marked the rows it handled
    # Downstream the tiny model feeds them one block at a time: one actor may do it all, but
    # each pool had two and could grow further on this cluster.
    actors, each, _, _ = model_plan(LOGICAL_CPUS, 0, 1, 0.0)
    pools = stage_pools(LOGICAL_CPUS, 0, actors * each, 0, POOLED_STAGES)
    assert all(pool.min_size >= 2 and pool.max_size >= 2 for pool in pools.values()), pools
    assert count(db, "SELECT count(*) FROM images") == 48
