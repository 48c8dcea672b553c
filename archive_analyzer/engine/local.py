"""The plain loop: every stage built once in this process, batches pushed through in order.

Used for debugging, for benchmarks' baselines and anywhere Ray is not wanted.
"""

from __future__ import annotations

from collections.abc import Iterator

from archive_analyzer.engine import StageSpec
from archive_analyzer.stages import Batch


def _chunks(items: list[dict], size: int) -> Iterator[Batch]:
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        yield {key: [item[key] for item in chunk] for key in chunk[0]}


def run_local(items: list[dict], stages: list[StageSpec]) -> Iterator[Batch]:
    if not items:
        return
    built = [stage.build() for stage in stages]
    size = min(s.batch_size for s in stages if s.batch_size) if stages else len(items)
    for batch in _chunks(items, size):
        for stage in built:
            batch = stage(batch)
        yield batch
