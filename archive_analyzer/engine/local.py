"""The plain loop: every stage built once in this process, batches pushed through in order.

Used for debugging, for benchmarks' baselines and anywhere Ray is not wanted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from archive_analyzer.engine import Chunk, StageSpec
from archive_analyzer.stages import Batch


def _batches(chunks: Sequence[Chunk], size: int | None) -> Iterator[Batch]:
    for chunk in chunks:  # read one chunk at a time: the run's references are never all here
        items = chunk()
        step = size or len(items) or 1
        for start in range(0, len(items), step):
            part = items[start : start + step]
            yield {key: [item[key] for item in part] for key in part[0]}


def run_local(chunks: Sequence[Chunk], stages: list[StageSpec]) -> Iterator[Batch]:
    if not chunks:
        return
    built = [stage.build() for stage in stages]
    size = min((s.batch_size for s in stages if s.batch_size), default=None)
    for batch in _batches(chunks, size):
        for stage in built:
            batch = stage(batch)
        yield batch
