"""Ray engine sizing and plan, and the model-engine option (transformers default, vLLM extra)."""

from __future__ import annotations

import pytest

from archive_analyzer.engine import StageSpec, in_memory
from archive_analyzer.engine.ray_engine import build_dataset, execution_plan, plan_resources
from archive_analyzer.engine.sizing import model_plan, stage_pools
from archive_analyzer.errors import ConfigError, MissingExtraError
from archive_analyzer.model.prompts import resolve_prompt
from archive_analyzer.settings import load_settings
from archive_analyzer.stages.analyze import Analyze, ModelConfig
from archive_analyzer.stages.analyze_vllm import analyzer_class
from archive_analyzer.stages.decode import Decode, DecodeConfig

POOLED = {"reuse": "io", "features": "cpu_actor", "structure": "embed", "sink": "io"}


def _reserved(resources) -> float:
    model = resources.num_actors * resources.cpus_per_actor
    return model + sum(p.max_size * p.num_cpus for p in resources.pools.values())


def test_cpu_sizing_always_leaves_a_decode_cpu(ray_cluster):
    resources = plan_resources(None, 0.0, POOLED)
    assert _reserved(resources) <= 2 - 1  # the fixture's cluster has 2 CPUs; one is decode's
    assert resources.threads_per_actor == 2  # but matmuls use both cores
    assert not any(pool.num_gpus for pool in resources.pools.values())  # no GPU request


@pytest.mark.parametrize(
    ("cpus", "gpus", "model_actors"),
    [(2, 0, None), (16, 0, 1), (16, 0, None), (64, 8, None), (200, 100, None)],
)
def test_pools_at_full_size_leave_a_decode_cpu_and_fit_the_gpus(cpus, gpus, model_actors):
    actors, each_cpus, each_gpus, _ = model_plan(cpus, gpus, model_actors, 0.0)
    pools = stage_pools(cpus, gpus, actors * each_cpus, actors * each_gpus, POOLED)
    cpus_used = actors * each_cpus + sum(p.max_size * p.num_cpus for p in pools.values())
    gpus_used = actors * each_gpus + sum(p.max_size * (p.num_gpus or 0) for p in pools.values())
    assert cpus_used <= cpus - 1 and gpus_used <= gpus + 1e-9
    for pool in pools.values():
        assert 1 <= pool.min_size <= pool.max_size
        assert pool.threads == max(1, int(pool.num_cpus))


def test_pools_grow_with_the_cluster():
    small = stage_pools(2, 0, 0.75, 0, POOLED)
    large = stage_pools(16, 0, 2.0, 0, POOLED)
    gpu = stage_pools(64, 8, 8.0, 7.2, POOLED)
    assert all(pool.max_size == 1 for pool in small.values())  # nothing spare on 2 CPUs
    assert all(pool.min_size >= 2 for pool in large.values())  # 13 spare CPUs
    assert large["structure"].max_size == 9 and large["structure"].threads == 1
    assert gpu["structure"].num_gpus and gpu["structure"].max_size == 8  # one per model GPU
    assert gpu["sink"].max_size == 16 and gpu["sink"].num_cpus == 0


def test_stage_actor_overrides_fix_a_pool_and_unknown_stages_fail():
    pools = stage_pools(16, 0, 2.0, 0, POOLED, {"structure": 4, "sink": 3})
    assert (pools["structure"].min_size, pools["structure"].max_size) == (4, 4)
    assert (pools["sink"].min_size, pools["sink"].max_size) == (3, 3)
    tiny = stage_pools(2, 0, 0.75, 0, POOLED, {"structure": 4})["structure"]
    assert tiny.max_size * tiny.num_cpus <= 0.25  # four actors share the one spare quarter
    with pytest.raises(ConfigError, match="stage_actors"):
        stage_pools(16, 0, 2.0, 0, POOLED, {"decode": 2})
    with pytest.raises(ConfigError, match="stage_actors"):
        load_settings(None, stage_actors={"structur": 2})


def test_decode_tasks_are_not_fused_into_model_actors(ray_cluster, tiny_model, tmp_path):
    prompt = resolve_prompt("formal_analysis")
    model = ModelConfig(str(tiny_model), tmp_path / "cache", prompt, 2, "cpu")
    stages = [
        StageSpec("decode", Decode, DecodeConfig(), "cpu", 4),
        StageSpec("analyze", Analyze, model, "model", 4),
    ]
    items = [{"uri": f"/nowhere/{n}.jpg", "object_id": None} for n in range(8)]
    plan = execution_plan(build_dataset(in_memory(items), stages, plan_resources(None, 0.0)))
    operators = plan.split(" | ")
    assert any(op.endswith("MapBatches(_apply)") for op in operators), plan
    assert "MapBatches(Analyze)" in operators, plan


def test_vllm_engine_names_its_extra_when_missing():
    try:
        import vllm  # noqa: F401
    except ImportError:
        with pytest.raises(MissingExtraError, match=r"archive-analyzer\[gpu\]"):
            analyzer_class("vllm")
    assert analyzer_class("transformers") is Analyze


def test_model_engine_setting_is_validated():
    assert load_settings(None).model_engine == "transformers"
    with pytest.raises(ConfigError, match="model_engine"):
        load_settings(None, model_engine="tensorrt")
