"""The run's row never keeps a credential: the collection (a source URI by default) is redacted."""

from __future__ import annotations

import shutil

from archive_analyzer.run.analyze import analyze
from tests.conftest import EXAMPLES


def test_collection_with_credentials_is_stored_redacted(tmp_path, db, settings_for):
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(sorted(EXAMPLES.glob("*.jpg"))[0], folder)
    collection = "https://archivist:hunter2-secret@images.example.org/collection"
    for _ in range(2):  # the second run finds the first by the same (redacted) key
        analyze(settings_for(folder, collection=collection), engine="local", progress=False)
    with db.connect() as conn:
        stored = [r["collection"] for r in conn.execute("SELECT collection FROM runs")]
    assert stored == ["https://archivist:***@images.example.org/collection"] * 2
    assert all("hunter2" not in value for value in stored)
