"""Metadata sync without inference: a manifest row that changed while its image did not is
applied in the run (the manifest is the truth for the fields it maps, a blank clears), with no
model call, counted in the plan and the report, and kept as history."""

from __future__ import annotations

import shutil

from archive_analyzer.run.analyze import analyze, plan_only
from archive_analyzer.run.report import format_report
from tests.conftest import PAINTINGS, count

QUIET = {"say": lambda *_: None}
HEADER = "object_id,image_uri,title,artist,date\n"


def run(settings):
    summary = analyze(settings, engine="local", progress=False, **QUIET)
    assert summary.status == "succeeded", summary.error
    return summary


def fields(db, object_id):
    with db.connect() as conn:
        return conn.execute(
            "SELECT title, artist, date_text, year_start, medium FROM artworks "
            "WHERE object_id = %s",
            (object_id,),
        ).fetchone()


def broken_model(tiny_model, folder):
    """A copy of the tiny model whose weights are garbage of the same size: the model version
    is unchanged (the card names it), but loading it fails. A run that never loads it works."""
    copy = shutil.copytree(tiny_model, folder)
    for weights in copy.glob("*.safetensors"):
        weights.write_bytes(b"\0" * weights.stat().st_size)
    return copy


def test_a_corrected_title_and_a_blanked_field_are_applied_without_inference(
    db, settings_for, tiny_model, tmp_path
):
    folder = tmp_path / "works"
    folder.mkdir()
    for name, path in zip(("a.jpg", "b.jpg"), sorted(PAINTINGS.glob("*.jpg"))[:2], strict=True):
        shutil.copy(path, folder / name)
    manifest = tmp_path / "works.csv"
    manifest.write_text(HEADER + "A1,a.jpg,Sunflowrs,Vincent,1888\nB1,b.jpg,Irises,Vincent,1889\n")
    settings = settings_for(folder, manifest=str(manifest))
    run(settings)
    with db.connect() as conn:  # a field the manifest does not map is left alone
        conn.execute("UPDATE artworks SET medium = 'oil on canvas' WHERE object_id = 'A1'")
    analyses = count(db, "SELECT count(*) FROM analyses")

    manifest.write_text(HEADER + "A1,a.jpg,Sunflowers,,1888\nB1,b.jpg,Irises,Vincent,1889\n")
    model = broken_model(tiny_model, tmp_path / "broken-model")
    settings = settings.model_copy(update={"model": str(model)})
    counts, _ = plan_only(settings, **QUIET)
    assert counts == {
        "new": 0,
        "changed": 0,
        "stale": 0,
        "metadata": 1,
        "unchanged": 1,
        "conflict": 0,
    }

    summary = run(settings)
    assert (summary.analysed, summary.reused, summary.failed) == (0, 0, 0)
    assert summary.plan["metadata"] == 1 and summary.counts()["metadata_synced"] == 1
    assert count(db, "SELECT count(*) FROM analyses") == analyses
    assert fields(db, "A1") == {
        "title": "Sunflowers",
        "artist": None,
        "date_text": "1888",
        "year_start": 1888,
        "medium": "oil on canvas",
    }
    with db.connect() as conn:
        history = conn.execute(
            "SELECT h.field, h.old_value, h.new_value, h.run_id FROM artwork_metadata_history h "
            "JOIN artworks a ON a.id = h.artwork_id WHERE a.object_id = 'A1' ORDER BY h.field"
        ).fetchall()
    assert history == [
        {"field": "artist", "old_value": "Vincent", "new_value": None, "run_id": summary.run_id},
        {"field": "medium", "old_value": None, "new_value": "oil on canvas", "run_id": None},
        {
            "field": "title",
            "old_value": "Sunflowrs",
            "new_value": "Sunflowers",
            "run_id": summary.run_id,
        },
    ]
    run_row = db.fetch_one("run_by_id", {"run_id": summary.run_id})
    report = format_report(run_row, [])
    assert "metadata 1" in report and "metadata_synced 1" in report

    counts, _ = plan_only(settings, **QUIET)
    assert counts["metadata"] == 0 and counts["unchanged"] == 2


def test_a_json_manifest_without_a_field_leaves_it_and_null_clears_it(db, settings_for, tmp_path):
    folder = tmp_path / "works"
    folder.mkdir()
    shutil.copy(sorted(PAINTINGS.glob("*.jpg"))[3], folder / "a.jpg")
    manifest = tmp_path / "works.jsonl"
    manifest.write_text('{"object_id": "A1", "image_uri": "a.jpg", "title": "T", "artist": "V"}\n')
    settings = settings_for(folder, manifest=str(manifest))
    run(settings)
    manifest.write_text('{"object_id": "A1", "image_uri": "a.jpg", "title": null}\n')
    run(settings)
    assert fields(db, "A1")["title"] is None and fields(db, "A1")["artist"] == "V"
