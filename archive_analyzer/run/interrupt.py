"""Ctrl-C during a run: the first asks it to stop, the second aborts.

The first Ctrl-C only raises a flag: the run takes no more batches, keeps what its sink has
committed (every block is one transaction), is recorded `interrupted` and the command exits
130. Someone who does not want to wait presses Ctrl-C again and gets a KeyboardInterrupt at
once; a block in flight is then rolled back with its transaction, never half-written.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class StopRequest:
    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt("aborted by a second Ctrl-C")
        self.requested = True


@contextmanager
def first_interrupt_stops() -> Iterator[StopRequest]:
    """SIGINT handled as above while the block runs (signals reach only the main thread; off
    it, e.g. inside a notebook's worker thread, Ctrl-C keeps Python's default)."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def iterated(batches: Iterable) -> Iterator[Iterator]:
    """The batches' iterator, closed however the loop ends: Ray Data shuts its executor (and
    the tasks and actors in flight) down when the iterator closes, else only when it is
    garbage-collected."""
    iterator = iter(batches)
    try:
        yield iterator
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
