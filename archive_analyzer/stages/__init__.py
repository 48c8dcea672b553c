"""Pipeline stages. Each is a class: `__init__` builds its state once, `__call__(batch) -> batch`.

A batch is a dict of equal-length columns (lists or numpy arrays). Stages never import Ray, so the
same object runs under Ray Data, in a plain loop (archive_analyzer.engine.local) or in a test.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Batch = dict[str, Any]


def batch_len(batch: Batch) -> int:
    return len(next(iter(batch.values()))) if batch else 0


def rows(batch: Batch) -> list[dict[str, Any]]:
    """Row view of a columnar batch (for stages whose work is per image anyway)."""
    keys = list(batch)
    return [
        {key: _plain(value) for key, value in zip(keys, values, strict=True)}
        for values in zip(*batch.values(), strict=True)
    ]


def _plain(value: Any) -> Any:
    # Under Ray, columns arrive as numpy arrays; database drivers want Python scalars.
    return value.item() if isinstance(value, np.generic) else value
