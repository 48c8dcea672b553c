"""Token ids and labels for training, masked as LLaVA masks them.

The prompt of every round (system sentence, USER turn, the image's expanded positions) gets the
label IGNORE, so only the assistant's answer and its closing `</s>` are learned. The first
round's prompt ids are exactly what inference builds (archive_analyzer.model.generate), so the
model learns from the same ids it will later be asked with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from archive_analyzer.model.generate import image_token_count, llava_prompt_ids
from archive_analyzer.model.preprocess import ImageSpec, normalize
from archive_analyzer.model.prompts import IMAGE_PLACEHOLDER, vicuna_v1
from archive_analyzer.train.data import Example, load_square

IGNORE = -100  # the label torch's cross entropy skips


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[int]


def answer_ids(tokenizer, prompt_tail: str, answer: str) -> list[int]:
    """Ids of ' answer' as they come when tokenised after the prompt, as in one conversation.

    Tokenising prompt and answer together and splitting by character offsets keeps whatever
    the tokenizer does at the seam (a SentencePiece '▁The'); if the seam changed the prompt's
    own ids, the answer is tokenised on its own so the prompt stays as inference builds it.
    """
    joint = tokenizer(
        prompt_tail + " " + answer, add_special_tokens=False, return_offsets_mapping=True
    )
    split = next(
        (i for i, (_, end) in enumerate(joint["offset_mapping"]) if end > len(prompt_tail)),
        len(joint["input_ids"]),
    )
    alone = tokenizer(prompt_tail, add_special_tokens=False).input_ids
    if joint["input_ids"][:split] == alone:
        return list(joint["input_ids"][split:])
    return tokenizer(" " + answer, add_special_tokens=False).input_ids


def encode(
    tokenizer, example: Example, image_token_id: int, image_tokens: int, max_length: int
) -> Encoded:
    ids: list[int] = []
    labels: list[int] = []
    for index, (query, answer) in enumerate(example.turns):
        if index == 0:
            prompt = vicuna_v1(query)
            prompt_ids = llava_prompt_ids(tokenizer, prompt, image_token_id, image_tokens)
            tail = prompt.split(IMAGE_PLACEHOLDER)[-1]
        else:
            tail = f"USER: {query} ASSISTANT:"
            prompt_ids = tokenizer(tail, add_special_tokens=False).input_ids
        target = answer_ids(tokenizer, tail, answer) + [tokenizer.eos_token_id]
        ids += prompt_ids + target
        labels += [IGNORE] * len(prompt_ids) + target
    if len(ids) > max_length:
        first_answer = labels.index(next(label for label in labels if label != IGNORE))
        if first_answer >= max_length:
            raise ValueError(
                f"example {example.id}: its prompt alone is {first_answer} tokens, over "
                f"max_length {max_length}"
            )
        ids, labels = ids[:max_length], labels[:max_length]
    return Encoded(ids, labels)


class ConversationDataset:
    """Examples -> (Encoded, uint8 square); images are read where the worker runs."""

    def __init__(self, examples, tokenizer, model_config, spec: ImageSpec, max_length: int):
        self.examples = list(examples)
        self.tokenizer = tokenizer
        self.image_token_id = model_config.image_token_id
        self.image_tokens = image_token_count(model_config)
        self.spec = spec
        self.max_length = max_length

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int):
        example = self.examples[index]
        encoded = encode(
            self.tokenizer, example, self.image_token_id, self.image_tokens, self.max_length
        )
        return encoded, load_square(example.image, self.spec)


class Collator:
    """Right-pads a batch (training has no generation, so no left padding is needed)."""

    def __init__(self, pad_token_id: int, spec: ImageSpec) -> None:
        self.pad_token_id = pad_token_id
        self.spec = spec

    def __call__(self, items):
        import torch

        width = max(len(encoded.input_ids) for encoded, _ in items)
        input_ids = torch.full((len(items), width), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(items), width), IGNORE, dtype=torch.long)
        attention_mask = torch.zeros((len(items), width), dtype=torch.long)
        for row, (encoded, _) in enumerate(items):
            length = len(encoded.input_ids)
            input_ids[row, :length] = torch.tensor(encoded.input_ids)
            labels[row, :length] = torch.tensor(encoded.labels)
            attention_mask[row, :length] = 1
        squares = np.stack([square for _, square in items])
        pixel_values = torch.from_numpy(normalize(squares, self.spec))
        return {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "pixel_values": pixel_values,
            "labels": labels,
        }
