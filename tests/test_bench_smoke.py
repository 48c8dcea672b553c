"""The benchmarks run and produce their rows (at toy sizes; no timing is asserted here)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

from bench import decode, echo, model_stage, pipeline, sink
from bench.__main__ import main as bench_main

ROOT = Path(__file__).resolve().parents[1]


def assert_measured(rows, count: int) -> None:
    assert len(rows) == count
    for row in rows:
        assert row.result and row.baseline, row
        assert row.ratio is not None and row.ratio > 0, row
        assert row.met in (True, False), row


def test_gpu_script_runs_in_smoke_mode(tmp_path):
    figures = tmp_path / "gpu.json"
    done = subprocess.run(
        [str(ROOT / "bench" / "gpu.sh"), "--smoke", "--json", str(figures)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHON": str(ROOT / ".venv" / "bin" / "python")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for label in ("one image per generate call", "transformers batched", "vLLM engine"):
        assert label in done.stdout
    measured = json.loads(figures.read_text())
    hf = measured["transformers"]
    assert hf["single"] > 0 and hf["batched"] > 0 and measured["bandwidth"] > 0
    assert hf["by_batch"] and all(rate > 0 for rate in hf["by_batch"].values())
    # Smoke mode never runs vLLM (it needs a GPU and minutes of startup); it must say so, not
    # pass off some other failure as "not measured".
    assert measured["vllm"] == "skipped in smoke mode (CPU)"
    assert "not measured: skipped in smoke mode (CPU)" in done.stdout


def test_vllm_absence_is_reported_as_such():
    """What can be measured here about vLLM: whether it is installed, and the reason given."""
    from bench import gpu

    installed = importlib.util.find_spec("vllm") is not None
    reason = gpu.vllm_available()
    assert (reason is None) == installed
    if not installed:
        assert "pip install 'archive-analyzer[gpu]'" in reason


def test_decode_benchmark_compares_both_formats():
    rows = decode.run(quick=True)
    assert_measured(rows, 3)
    assert {"JPEG", "TIFF"} == {row.measure.split()[4] for row in rows[:2]}
    assert rows[2].measure.startswith("fast vs exact pixels") and rows[2].ratio < 1


def test_sink_benchmark_writes_both_ways():
    assert_measured(sink.run(quick=True), 1)


def test_model_benchmark_reports_roofline_and_batching():
    rows = model_stage.run(quick=True)
    assert_measured(rows, 2)
    assert "roofline" in rows[0].measure


def test_pipeline_and_memory_benchmarks(ray_cluster):
    rows = pipeline.run(quick=True)
    assert_measured(rows, 4)
    assert [row.measure.split(",")[0] for row in rows[2:]] == [
        "driver peak RSS",
        "object store peak",
    ]


def test_bench_prints_one_table(capsys):
    assert bench_main(["--quick", "--only", "decode", "catalog"]) == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert table[0].split("|")[1].strip() == "measurement"
    assert any("decode" in line for line in table[2:])
    assert any("search" in line for line in table[2:])


def test_model_stage_rows_report_interleaved_spreads():
    figures = model_stage.model_stage_rows(repeats=2, quick=True)
    for key in ("batched_ips", "single_ips", "speedup", "cpu_roofline_fraction"):
        spread = figures[key]
        assert 0 < spread["min"] <= spread["median"] <= spread["max"], key


def test_echo_pipeline_rate_names_the_bounding_stage(ray_cluster):
    figures = echo.echo_pipeline_rate(2, repeats=1, embed=False)
    rate = figures["pipeline_echo_images_per_s"]  # None when the machine's load swamped it
    assert (rate is None and figures["pairs_swamped_by_load"] == 1) or rate > 0
    stages = figures["stage_cpu_ms_per_image"]
    assert set(stages) == {"decode", "reuse", "features", "analyze", "structure", "sink"}
    assert figures["bounding_stage"] in stages and all(ms >= 0 for ms in stages.values())


TEXT_MODES = ("text", "text+filters", "page2", "facets")


def test_catalog_bench_writes_figures_and_exact_overlap(tmp_path):
    """`python -m bench.catalog --json`: every mode's figures, and the full-text modes return
    exactly the top 10 that ranking every match gives (ties by object id)."""
    from bench import catalog
    from bench.catalog_modes import MODES

    figures = tmp_path / "catalog.json"
    catalog.main(["--rows", "300", "--queries", "2", "--json", str(figures)])
    report = json.loads(figures.read_text())
    assert report["rows"] == 300 and list(report["modes"]) == list(MODES)
    for mode, values in report["modes"].items():
        for key in ("p50_ms", "p95_ms", "p95_ms_4_clients"):
            assert values[key] > 0, (mode, key)
        assert 0 <= values["top10_overlap"] <= 1, mode
    for mode in TEXT_MODES:
        assert report["modes"][mode]["top10_overlap"] == 1.0, mode
    for mode in ("semantic", "similar", "semantic+filters"):
        assert report["modes"][mode]["top10_overlap"] >= 0.95, mode


def test_overlap_counts_only_the_exact_rows():
    from bench.catalog_modes import overlap

    exact = [{"k": n} for n in range(10)]
    assert overlap(exact[::-1], exact, ("k",)) == 1.0  # order within the top 10 is not scored
    assert overlap(exact[:7] + [{"k": 99}] * 3, exact, ("k",)) == 0.7
    assert overlap([], [], ("k",)) == 1.0 and overlap(exact, [], ("k",)) == 0.0
