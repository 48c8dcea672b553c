"""Training and test pairs in LLaVA's conversation JSON, from a local path or an object store.

A file is a JSON list (LLaVA's own layout) or JSON lines; each record has `id`, `image` (a path
relative to the image root, or a URI) and `conversations`, alternating `human` / `gpt` turns.
The first human turn holds `<image>` and the instruction; like LLaVA we move the placeholder to
the front, which is where vicuna_v1 prompts put it at inference.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass

import fsspec
import numpy as np
from PIL import Image

from archive_analyzer.errors import SourceError
from archive_analyzer.imaging import to_rgb
from archive_analyzer.model.preprocess import ImageSpec, square_pixels
from archive_analyzer.model.prompts import IMAGE_PLACEHOLDER

Turn = tuple[str, str]


@dataclass(frozen=True)
class Example:
    id: str
    image: str
    turns: tuple[Turn, ...]

    @property
    def query(self) -> str:
        return self.turns[0][0]

    @property
    def answer(self) -> str:
        return self.turns[0][1]

    def to_record(self) -> dict:
        """Back to LLaVA's conversation layout (what `dataset export` writes)."""
        conversations = []
        for index, (query, answer) in enumerate(self.turns):
            human = f"{IMAGE_PLACEHOLDER}\n{query}" if index == 0 else query
            conversations += [{"from": "human", "value": human}, {"from": "gpt", "value": answer}]
        return {"id": self.id, "image": self.image, "conversations": conversations}


@dataclass(frozen=True)
class ConversationSet:
    location: str
    examples: tuple[Example, ...]
    sha256: str


def _join(root: str, image: str) -> str:
    if "://" in image or image.startswith("/"):
        return image
    return root.rstrip("/") + "/" + image


def _turns(record: dict) -> tuple[Turn, ...]:
    turns = record.get("conversations") or []
    if len(turns) < 2 or len(turns) % 2:
        raise ValueError("conversations must alternate human and gpt turns")
    pairs = []
    for human, gpt in zip(turns[0::2], turns[1::2], strict=True):
        if human.get("from") != "human" or gpt.get("from") != "gpt":
            raise ValueError("conversations must alternate human and gpt turns")
        query = human["value"].replace(IMAGE_PLACEHOLDER, "").strip()
        pairs.append((query, gpt["value"].strip()))
    return tuple(pairs)


def parse_records(text: str) -> list[dict]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        return json.loads(stripped)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def read_conversations(location: str, image_root: str | None = None) -> ConversationSet:
    """Every record of a conversation file; images resolve against image_root or its folder."""
    try:
        with fsspec.open(location, "rb") as handle:
            raw = handle.read()
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read training data {location}: {exc}") from exc
    root = image_root or (location.rsplit("/", 1)[0] if "/" in location else ".")
    examples = []
    for number, record in enumerate(parse_records(raw.decode("utf-8")), start=1):
        try:
            examples.append(
                Example(str(record["id"]), _join(root, record["image"]), _turns(record))
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise SourceError(f"{location}: record {number} is malformed: {exc}") from exc
    if not examples:
        raise SourceError(f"{location} holds no conversations")
    return ConversationSet(location, tuple(examples), hashlib.sha256(raw).hexdigest()[:16])


def write_conversations(examples: list[Example], location: str) -> None:
    """A JSON list in LLaVA's layout, to a local path or an object-store URI."""
    text = json.dumps([e.to_record() for e in examples], ensure_ascii=False, indent=1)
    with fsspec.open(location, "w", encoding="utf-8") as handle:
        handle.write(text)


def load_square(uri: str, spec: ImageSpec) -> np.ndarray:
    """The image as the model sees it: RGB, padded to a square, resized (uint8 HxWx3)."""
    with fsspec.open(uri, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return square_pixels(to_rgb(image), spec)
