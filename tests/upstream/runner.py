"""Install transformers 4.37.2 (LLaVA's pin) once into .cache/tf437 and run reference.py in it.

No network at test time once the cache exists; the first run installs from the package index.
If that install fails the upstream comparisons are skipped with the pip error as the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock

HERE = Path(__file__).resolve().parent
CACHE = HERE.parents[1] / ".cache" / "tf437"
PACKAGES = ("transformers==4.37.2", "tokenizers==0.15.2", "sentencepiece", "protobuf")


def install() -> Path:
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    done = CACHE / ".complete"
    with FileLock(str(CACHE) + ".lock"):
        if not done.exists():
            command = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
            command += ["--no-warn-conflicts", "--target", str(CACHE), *PACKAGES]
            result = subprocess.run(command, capture_output=True, text=True, timeout=900)
            if result.returncode != 0:
                pytest.skip(f"cannot install transformers 4.37.2: {result.stderr[-500:]}")
            done.touch()
    return CACHE


def run_upstream(request: dict) -> tuple[dict, np.ndarray | None]:
    """The answer of reference.py under transformers 4.37.2, and its pixels if images were sent."""
    target = install()
    with tempfile.TemporaryDirectory(prefix="upstream-") as tmp:
        request = dict(request, pixels_out=str(Path(tmp) / "pixels.npy"))
        (Path(tmp) / "request.json").write_text(json.dumps(request))
        env = dict(os.environ, PYTHONPATH=f"{target}{os.pathsep}{HERE}", USE_TORCH="0")
        env.update(USE_TF="0", USE_FLAX="0", TRANSFORMERS_VERBOSITY="error")
        result = subprocess.run(
            [sys.executable, str(HERE / "reference.py"), "request.json", "answer.json"],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        answer = json.loads((Path(tmp) / "answer.json").read_text())
        assert answer["transformers"] == "4.37.2"
        pixels = np.load(request["pixels_out"]) if request.get("images") else None
    return answer, pixels
