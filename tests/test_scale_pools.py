"""The per-row stages as actor pools on a local Ray with 16 logical CPUs (issue #17, item 1):
each pool starts at two actors when the cluster has spare CPUs, and the rows coming back name
the actor processes that really did the work (their pids).

The model is the echo engine (an instant stand-in) and the sentence embedder is on, so blocks
reach the stages after the model as fast as decoding makes them, as they would behind a pool
of GPUs: a second actor then takes blocks while the first is busy."""

from __future__ import annotations

from archive_analyzer.engine.sizing import model_plan, stage_pools
from archive_analyzer.run.wiring import POOLED_STAGES
from bench.scale import LOGICAL_CPUS, stage_actor_counts
from tests.conftest import PAINTINGS, count


def test_every_pooled_stage_gets_several_actors_on_16_cpus(db):
    used = stage_actor_counts(
        images=48, database_url=db.url, source=PAINTINGS, embed=True, engine="echo"
    )
    assert used["analyze"] == 1  # the run asked for one model actor
    # Behind the model every stage's work was shared by two actors or more.
    assert used["structure"] > 1 and used["features"] > 1 and used["sink"] > 1, used
    # Reuse, before the model, sees decode's bursts; it may keep up alone.
    assert used["reuse"] >= 1, used
    # Each pool had two actors from the start and could grow further on this cluster.
    actors, each, _, _ = model_plan(LOGICAL_CPUS, 0, 1, 0.0)
    pools = stage_pools(LOGICAL_CPUS, 0, actors * each, 0, POOLED_STAGES)
    assert all(pool.min_size >= 2 and pool.max_size >= 2 for pool in pools.values()), pools
    assert count(db, "SELECT count(*) FROM images") == 48
    assert count(db, "SELECT count(*) FROM analysis_structure WHERE embedding IS NOT NULL") == 48
