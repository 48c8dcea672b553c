"""The model engines beside transformers: echo (no model, labelled stand-in text) and vLLM's
async engine keeping several batches in flight (driven here through a stand-in for vLLM)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from archive_analyzer.catalog.aspects import assign_aspects
from archive_analyzer.catalog.vocabulary import ASPECTS, load_vocabulary
from archive_analyzer.cli import main
from archive_analyzer.engine import Resources, StageSpec
from archive_analyzer.model.prompts import resolve_prompt
from archive_analyzer.run.analyze import analyze
from archive_analyzer.stages.analyze import Analyze, ModelConfig
from archive_analyzer.stages.analyze_echo import ECHO_LABEL, ECHO_NAME, AnalyzeEcho
from archive_analyzer.stages.analyze_vllm import AnalyzeVLLM
from tests import vllm_standin
from tests.conftest import count
from tests.test_contract import decoded_batch
from tests.test_run_model import two_paintings  # noqa: F401  (a fixture)

PROMPT = resolve_prompt("formal_analysis")


def test_echo_answers_each_square_with_a_labelled_analysis_of_real_length(tmp_path):
    stage = AnalyzeEcho(ModelConfig("echo", tmp_path, PROMPT))
    batch = decoded_batch(5, failed={2})
    batch["pixels"][3] = 255  # a light square names another tone
    out = stage(batch)
    assert out["status"][2] == "failed" and out["text"][2] == ""
    texts = [out["text"][n] for n in (0, 1, 3, 4)]
    assert all(text.startswith(ECHO_LABEL) for text in texts)
    assert all(150 <= len(text.split()) <= 250 for text in texts)
    assert texts[0] == texts[1] != texts[2]
    assert set(out["model_version"]) == {stage.model_version}
    assert stage.model_version.startswith("echo-") and "pixels" not in out
    vocabulary = load_vocabulary()
    aspects = assign_aspects(texts[0], vocabulary)
    assert set(ASPECTS) <= set(aspects), sorted(aspects)
    assert len(vocabulary.find_terms(texts[0])) >= 5


def echo_rows(db) -> list[dict]:
    with db.connect() as conn:
        return conn.execute(
            "SELECT a.model_version, a.text, m.name FROM analyses a "
            "JOIN models m ON m.version = a.model_version"
        ).fetchall()


def test_echo_run_loads_no_model_and_labels_every_row(settings_for, db, two_paintings):  # noqa: F811
    # No model configured against a configured database: refused for a real engine (see
    # test_run_model), while echo needs none and writes none into home.
    settings = settings_for(two_paintings, model=None, model_engine="echo", embed=False)
    notes = []
    summary = analyze(settings, engine="local", progress=False, say=notes.append)
    assert summary.status == "succeeded" and summary.analysed == 2
    assert any("no model is loaded" in note for note in notes)
    assert not (settings.home / "models").exists()
    rows = echo_rows(db)
    assert len(rows) == 2
    assert {row["name"] for row in rows} == {ECHO_NAME}
    assert all(r["model_version"].startswith("echo-") and ECHO_LABEL in r["text"] for r in rows)
    # What catalogers read names it too.
    named = f"SELECT count(*) FROM catalog_artworks WHERE model_name = '{ECHO_NAME}'"
    assert count(db, named) == 2
    # Structure found every aspect in the stand-in text, as it would in a model's.
    aspects = "SELECT count(DISTINCT aspect) FROM catalog_aspects WHERE aspect <> 'other'"
    assert count(db, aspects) == len(ASPECTS)


def test_engine_echo_flag_runs_the_pipeline_on_ray(
    ray_cluster,
    database_url,
    db,
    two_paintings,  # noqa: F811
    monkeypatch,
    capsys,
):
    monkeypatch.setenv("ARCHIVE_ANALYZER_DATABASE_URL", database_url)
    monkeypatch.setenv("ARCHIVE_ANALYZER_EMBED", "false")
    assert main(["analyze", str(two_paintings), "--engine", "echo", "--no-progress"]) == 0
    assert "no model is loaded" in capsys.readouterr().out
    assert {row["name"] for row in echo_rows(db)} == {ECHO_NAME}
    assert count(db, "SELECT count(*) FROM analyses") == 2


def marked(start: int, size: int) -> dict:
    batch = decoded_batch(size)
    batch["pixels"] = np.zeros((size, 336, 336, 3), dtype=np.uint8)
    batch["pixels"][:, 0, 0, 0] = np.arange(start, start + size)
    return batch


def test_vllm_keeps_several_batches_in_flight_and_rows_in_order(monkeypatch, tiny_model, tmp_path):
    batches, size = 3, 4
    built = vllm_standin.install(monkeypatch, wait_for=2 * size)
    stage = AnalyzeVLLM(ModelConfig(str(tiny_model), tmp_path, PROMPT, max_new_tokens=8))
    assert stage.concurrent_batches >= batches
    # What the Ray engine does with concurrent_batches: that many calls at once on one actor.
    with ThreadPoolExecutor(stage.concurrent_batches) as pool:
        outs = list(pool.map(stage, [marked(n * 10, size) for n in range(batches)]))
    engine = built["engine"]
    assert engine.max_in_flight > size, "the engine only ever saw one batch"
    for n, out in enumerate(outs):
        assert out["text"] == [f"square {n * 10 + i}" for i in range(size)]
        assert out["generated_tokens"] == [2] * size and set(out["status"]) == {"ok"}
    assert len(engine.requests) == batches * size
    assert engine.args.kwargs["limit_mm_per_prompt"] == {"image": 1}


def collapse_image_tokens(ids: list[int], image_token: int) -> list[int]:
    return [t for i, t in enumerate(ids) if t != image_token or i == 0 or ids[i - 1] != t]


def test_vllm_gets_the_transformers_engines_prompt_ids_and_pixels(
    monkeypatch, tiny_model, tmp_path
):
    built = vllm_standin.install(monkeypatch, wait_for=1)
    config = ModelConfig(str(tiny_model), tmp_path, PROMPT, max_new_tokens=8, device="cpu")
    stage = AnalyzeVLLM(config)
    batch = marked(7, 2)
    batch["pixels"][1] = np.random.default_rng(0).integers(0, 256, (336, 336, 3), np.uint8)
    stage(batch)
    transformers_ids = Analyze(config).generator.prompt_ids(PROMPT)
    image_token = Analyze(config).generator.image_token_id
    requests = built["engine"].requests
    # vLLM expands the one image token itself; everything else is the same ids.
    assert requests[0]["prompt_token_ids"] == collapse_image_tokens(transformers_ids, image_token)
    for request, square in zip(requests, batch["pixels"], strict=True):
        assert np.array_equal(np.asarray(request["multi_modal_data"]["image"]), square)


def test_ray_runs_concurrent_calls_of_a_stage_that_asks_for_them(ray_cluster, tmp_path):
    from archive_analyzer.engine.ray_engine import build_dataset

    model = ModelConfig("unused", tmp_path, PROMPT)
    for cls, calls in ((AnalyzeVLLM, AnalyzeVLLM.concurrent_batches), (Analyze, None)):
        stages = [StageSpec("analyze", cls, model, "model", 4)]
        ds = build_dataset([{"uri": "x"}], stages, Resources(1, 0.5, 0.0))
        compute = ds._logical_plan.dag.compute
        assert compute.max_concurrent_calls_per_actor == calls, cls


@pytest.mark.parametrize("engine", ["echo", "transformers"])
def test_model_engine_choice_is_never_echo_by_default(engine):
    from archive_analyzer.settings import load_settings

    assert load_settings(None).model_engine == "transformers"
    assert load_settings(None, model_engine=engine).model_engine == engine
