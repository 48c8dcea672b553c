"""Ray engine sizing and plan, and the model-engine option (transformers default, vLLM extra)."""

from __future__ import annotations

import pytest

from archive_analyzer.engine import StageSpec, in_memory
from archive_analyzer.engine.ray_engine import (
    CPU_ACTOR_CPUS,
    actor_pools,
    build_dataset,
    execution_plan,
    plan_resources,
)
from archive_analyzer.errors import ConfigError, MissingExtraError
from archive_analyzer.model.prompts import resolve_prompt
from archive_analyzer.settings import load_settings
from archive_analyzer.stages.analyze import Analyze, ModelConfig
from archive_analyzer.stages.analyze_vllm import analyzer_class
from archive_analyzer.stages.decode import Decode, DecodeConfig


def test_cpu_sizing_always_leaves_a_decode_cpu(ray_cluster):
    resources = plan_resources(None, 0.0)
    reserved = resources.num_actors * resources.cpus_per_actor + CPU_ACTOR_CPUS
    assert reserved <= 2 - 1  # the fixture's cluster has 2 CPUs; one must stay for decoding
    assert resources.threads_per_actor == 2  # but matmuls use both cores


def test_every_actor_pool_together_leaves_a_decode_cpu(ray_cluster):
    pools = actor_pools(plan_resources(None, 0.0)).values()
    assert sum(pool.size * pool.num_cpus for pool in pools) <= 2 - 1
    assert not any(pool.num_gpus for pool in pools)  # a CPU cluster: no GPU request at all


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
