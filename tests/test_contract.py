"""The batch contract: stages wired as the run wires them, and each stage's real output.

The model stage's shared behaviour (out-of-memory halving, per-image failures) is driven through
`ModelStage` with a small stand-in engine, handed over exactly as Analyze hands its Generator and
AnalyzeVLLM its vLLM call; vLLM itself is not installed here.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from archive_analyzer.db.database import Database
from archive_analyzer.engine import Resources, StageSpec, in_memory, run_engine
from archive_analyzer.metadata import artwork_fields
from archive_analyzer.model.generate import Generation
from archive_analyzer.model.loader import inspect_model
from archive_analyzer.model.prompts import resolve_prompt
from archive_analyzer.run.wiring import RunContext, build_stages
from archive_analyzer.stages.analyze import Analyze, ModelConfig, ModelStage
from archive_analyzer.stages.analyze_echo import AnalyzeEcho
from archive_analyzer.stages.analyze_vllm import AnalyzeVLLM
from archive_analyzer.stages.contract import (
    PIXELS,
    REFERENCE,
    RESULT,
    ContractError,
    Status,
    check_wiring,
)
from archive_analyzer.stages.decode import Decode, DecodeConfig
from archive_analyzer.stages.sink import STAGING_COLUMNS, Sink
from bench.database import start_run
from tests.conftest import EXAMPLES, count

PROMPT = resolve_prompt("formal_analysis")
ENGINES = (Analyze, AnalyzeVLLM, AnalyzeEcho)


def run_stages(settings, tiny_model, db: Database, run_id: int) -> list[StageSpec]:
    """The stages in the order the run wires them (run.wiring.build_stages)."""
    version = inspect_model(str(tiny_model)).version
    ctx = RunContext(settings, str(tiny_model), version, PROMPT, db.url, run_id)
    return build_stages(ctx, Resources(1, 1.0, 0.0))


def with_engine(stages: list[StageSpec], engine: type) -> list[StageSpec]:
    return [dataclasses.replace(s, cls=engine) if s.kind == "model" else s for s in stages]


def test_status_values_stay_plain_strings_on_the_wire():
    assert [str(s) for s in Status] == ["ok", "reused", "failed"]
    assert json.dumps([Status.REUSED]) == '["reused"]' and f"{Status.FAILED}" == "failed"


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.__name__)
def test_the_sink_needs_only_what_the_stages_before_it_add(engine, settings_for, tiny_model):
    settings = settings_for(EXAMPLES)
    stages = with_engine(
        run_stages(settings, tiny_model, Database(settings.database_url), 1), engine
    )
    assert stages[-1].cls is Sink and sum(s.cls is engine for s in stages) == 1
    # The run lists references only; everything else is made on the way.
    assert check_wiring(REFERENCE, [s.cls for s in stages]) == RESULT
    before_sink = check_wiring(REFERENCE, [s.cls for s in stages[:-1]])
    assert set(Sink.needs) <= set(before_sink) and PIXELS not in before_sink


def test_a_stage_wired_before_its_inputs_is_refused_before_anything_loads(tiny_model, tmp_path):
    model = ModelConfig(str(tiny_model), tmp_path / "cache", PROMPT, 2, "cpu")
    stages = [
        StageSpec("analyze", Analyze, model, "model", 4),
        StageSpec("decode", Decode, DecodeConfig(), "cpu", 4),
    ]
    items = [{"uri": str(EXAMPLES / "irinainina_066.jpg")}]
    with pytest.raises(ContractError, match="Analyze needs status, reason, message, pixels"):
        next(run_engine("local", in_memory(items), stages, Resources(1, 1.0, 0.0)))


def test_every_staging_column_is_declared_or_parsed_from_metadata():
    parsed = {*artwork_fields("object", {}), "metadata_hash"}  # the sink hashes the manifest row
    assert set(STAGING_COLUMNS) <= set(Sink.needs) | parsed
    assert set(Sink.needs) - set(STAGING_COLUMNS) - parsed  # structure and features, via store


def reference_rows(tmp_path) -> list[dict]:
    """Paintings, one painting again under a second key (reused) and two bad files (failed)."""
    # All under one source folder: Decode refuses a file outside the run's source.
    paintings = [Path(shutil.copy(p, tmp_path)) for p in sorted(EXAMPLES.glob("*.jpg"))[:3]]
    shutil.copy(paintings[0], tmp_path / "again.jpg")
    (tmp_path / "notes.jpg").write_text("not an image")
    uris = [*map(str, paintings), str(tmp_path / "again.jpg"), str(tmp_path / "notes.jpg")]
    uris.append(str(tmp_path / "missing.jpg"))
    return [
        {"uri": uri, "object_id": f"o{n}", "metadata": "{}", "fingerprint": f"f{n}"}
        for n, uri in enumerate(uris)
    ]


def test_each_stage_outputs_exactly_the_columns_it_declares(settings_for, db, tiny_model, tmp_path):
    items = reference_rows(tmp_path)
    settings = settings_for(tmp_path, embed=False)
    stages = run_stages(settings, tiny_model, db, start_run(db, "contract"))
    batch = {column: [item[column] for item in items] for column in REFERENCE}
    # The local engine's loop (engine/local.py), one stage at a time so each output is seen.
    for spec in stages:
        out = spec.build()(batch)
        assert set(out) == set(spec.cls.output_columns(batch)), spec.name
        assert {len(column) for column in out.values()} == {len(items)}, spec.name
        batch = out
    assert sorted(batch["status"]) == ["failed"] * 2 + ["ok"] * 3 + ["reused"]
    # The enum reached PostgreSQL as "ok"/"reused": the merges select on those strings.
    linked = "SELECT count(*) FROM images i JOIN analyses a ON a.image_sha256 = i.sha256"
    assert count(db, linked) == 4
    assert count(db, "SELECT count(*) FROM failures") == 2


class SmallDevice:
    """A stand-in engine: fits `capacity` squares per call, fails on poisoned squares."""

    def __init__(self, capacity: int, oom_alone=(), error_alone=()) -> None:
        self.capacity, self.oom_alone, self.error_alone = capacity, oom_alone, error_alone
        self.calls: list[int] = []

    def __call__(self, pixels: np.ndarray) -> tuple[list[Generation], float]:
        self.calls.append(len(pixels))
        marks = {int(square[0, 0, 0]) for square in pixels}
        if len(pixels) > self.capacity or marks & set(self.oom_alone):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if marks & set(self.error_alone):
            raise ValueError("NaN in logits")
        return [Generation(f"square {int(p[0, 0, 0])}", 5, 3) for p in pixels], 0.5 * len(pixels)


def decoded_batch(size: int, failed=()) -> dict:
    """Decode's output for `size` squares, each marked by its index in its first pixel."""
    pixels = np.zeros((size, 8, 8, 3), dtype=np.uint8)
    pixels[:, 0, 0, 0] = np.arange(size)
    status = [Status.FAILED if n in failed else Status.OK for n in range(size)]
    reason = ["not_an_image" if n in failed else "" for n in range(size)]
    return {
        "uri": [f"u{n}" for n in range(size)],
        "status": status,
        "reason": reason,
        "message": [""] * size,
        PIXELS: pixels,
    }


def model_stage(device, tmp_path) -> ModelStage:
    # The same hand-over as Analyze's (its Generator) and AnalyzeVLLM's (its vLLM call).
    return ModelStage(ModelConfig("unused", tmp_path, PROMPT), "model-v1", device)


def test_both_engines_share_the_model_stage_behaviour():
    for engine in ENGINES:
        assert issubclass(engine, ModelStage) and "__call__" not in vars(engine)
        assert (engine.needs, engine.adds, engine.drops) == (
            ModelStage.needs,
            ModelStage.adds,
            ModelStage.drops,
        )


def test_model_stage_halves_on_out_of_memory_and_isolates_bad_images(tmp_path):
    device = SmallDevice(capacity=2, oom_alone={5}, error_alone={6})
    out = model_stage(device, tmp_path)(decoded_batch(8, failed={1}))
    assert set(out) == set(ModelStage.output_columns(decoded_batch(1)))
    assert out["status"] == ["ok", "failed", "ok", "ok", "ok", "failed", "failed", "ok"]
    assert [out["reason"][n] for n in (1, 5, 6)] == ["not_an_image", "out_of_memory", "model_error"]
    assert "NaN in logits" in out["message"][6]
    assert [out["text"][n] for n in (0, 2, 3, 4, 7)] == [f"square {n}" for n in (0, 2, 3, 4, 7)]
    assert out["text"][1] == "" and out["generated_tokens"][7] == 3
    assert out["model_version"] == ["model-v1"] * 8 and device.calls[0] == 7  # one row failed


def test_a_broken_engine_raises_instead_of_failing_every_image(tmp_path):
    stage = model_stage(SmallDevice(capacity=8, error_alone=set(range(4))), tmp_path)
    with pytest.raises(ValueError, match="NaN in logits"):
        stage(decoded_batch(4))
