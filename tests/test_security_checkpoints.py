"""Resuming never unpickles code from checkpoint storage (shared S3 in production)."""

import os

import pytest
import torch

from archive_analyzer.train.loop import STATE_FILE, fit
from tests.test_train_loop import OneProcess, job

MARKER_ENV = "AA_TEST_PICKLE_MARKER"


class Payload:
    """What an attacker with write access to the bucket would store: code run by unpickling."""

    def __reduce__(self):
        return (os.system, (f'touch "${MARKER_ENV}"',))


def test_resume_refuses_a_checkpoint_that_would_run_code(tmp_path, tiny_model, monkeypatch):
    torch.set_num_threads(1)
    first = OneProcess(tmp_path / "a")
    fit(job(tmp_path, tiny_model, epochs=1), first)
    folder = first.reports[-1][1]
    state = torch.load(folder / STATE_FILE, weights_only=True)
    torch.save({**state, "lineage": Payload()}, folder / STATE_FILE)
    marker = tmp_path / "pwned"
    monkeypatch.setenv(MARKER_ENV, str(marker))
    with pytest.raises(ValueError, match="refusing to resume .* could run code"):
        fit(job(tmp_path, tiny_model, epochs=2), OneProcess(tmp_path / "b", resume=folder))
    assert not marker.exists()
    # The payload is real: loaded the old way (weights_only=False), it runs.
    torch.load(folder / STATE_FILE, weights_only=False)
    assert marker.exists()
