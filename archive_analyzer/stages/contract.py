"""The batch contract: each row's status, the columns each stage needs and adds.

A batch is a dict of equal-length columns. The names below are the only place a column is named
for the contract; every stage declares, from them, what it `needs` on the way in, what it `adds`
and what it `drops`. `check_wiring` follows a run's stages in order and fails before any work
starts when one needs a column nothing before it made; tests/test_contract.py runs the stages and
checks each output has exactly the declared columns, so a declaration cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum


class Status(StrEnum):
    """A row's outcome. A StrEnum, so it is "ok" on the wire, in Arrow and in the database."""

    OK = "ok"  # decoded, and analysed once it passes the model
    REUSED = "reused"  # its content already has an analysis from this model and prompt
    FAILED = "failed"  # with a reason class (archive_analyzer.reasons) and a message


# Rows that leave an image linked to an analysis: analysed in this run, or reused.
LINKED = (Status.OK, Status.REUSED)

# What the runner lists: references, never pixels.
URI, OBJECT_ID, METADATA, FINGERPRINT = "uri", "object_id", "metadata", "fingerprint"
REFERENCE = (URI, OBJECT_ID, METADATA, FINGERPRINT)

# Decode: the file's facts, the row's outcome, and the model's padded square.
SHA256, WIDTH, HEIGHT, BYTES = "sha256", "width", "height", "bytes"
STATUS, REASON, MESSAGE = "status", "reason", "message"
PIXELS = "pixels"
DECODED = (SHA256, WIDTH, HEIGHT, BYTES)
OUTCOME = (STATUS, REASON, MESSAGE)

# Features: measured from the pixels, before Analyze drops them.
FEATURES = "features"

# Analyze: the model's paragraph and what produced it.
TEXT, PROMPT_TOKENS, GENERATED_TOKENS = "text", "prompt_tokens", "generated_tokens"
INFERENCE_SECONDS = "inference_seconds"
MODEL_VERSION, PROMPT_VERSION, PROMPT_NAME = "model_version", "prompt_version", "prompt_name"
ANALYSIS = (
    TEXT,
    PROMPT_TOKENS,
    GENERATED_TOKENS,
    INFERENCE_SECONDS,
    MODEL_VERSION,
    PROMPT_VERSION,
    PROMPT_NAME,
)

# Structure: the paragraph made searchable.
ASPECTS, TERMS, EMBEDDING = "aspects", "terms", "embedding"
VOCABULARY_VERSION = "vocabulary_version"
STRUCTURE = (ASPECTS, TERMS, EMBEDDING, VOCABULARY_VERSION)

# Sink: the small status rows that travel back to the driver.
RESULT = (URI, STATUS, REASON)


class ContractError(ValueError):
    """Stages wired so that one needs a column no stage before it makes (a programming error)."""


class Stage:
    """Base of the stages: the contract as class attributes, read without building anything.

    `returns`, when set, replaces the batch by exactly those columns (the sink's status rows).
    """

    needs: tuple[str, ...] = ()
    adds: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()
    returns: tuple[str, ...] | None = None

    @classmethod
    def output_columns(cls, columns: Iterable[str]) -> tuple[str, ...]:
        """The columns this stage hands on, given the columns it receives."""
        if cls.returns is not None:
            return cls.returns
        kept = [c for c in columns if c not in cls.drops]
        return (*kept, *(c for c in cls.adds if c not in kept))


def check_wiring(columns: Iterable[str], stages: Sequence[type[Stage]]) -> tuple[str, ...]:
    """The columns after `stages` run in order on `columns`; raises if one lacks an input."""
    available = tuple(columns)
    for stage in stages:
        missing = [c for c in stage.needs if c not in available]
        if missing:
            raise ContractError(
                f"{stage.__name__} needs {', '.join(missing)}, which no stage before it adds "
                f"(it receives {', '.join(available)})"
            )
        available = stage.output_columns(available)
    return available
