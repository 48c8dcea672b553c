"""Batched greedy generation with LLaVA's own prompt tokenisation.

LLaVA splits the prompt at `<image>`, tokenises each chunk on its own, keeps one BOS and puts the
image token between the chunks. A Llama SentencePiece tokenizer can tokenise "\n..." differently at
the start of a chunk than mid-string, so tokenising the whole prompt at once would not give the
ids GalleryGPT was trained on. The image token is then expanded to the model's image positions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from archive_analyzer.model.preprocess import ImageSpec, normalize
from archive_analyzer.model.prompts import IMAGE_PLACEHOLDER, Prompt


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    generated_tokens: int


def llava_prompt_ids(tokenizer, prompt_text: str, image_token_id: int, image_tokens: int):
    """Token ids as LLaVA's tokenizer_image_token builds them, image placeholder expanded."""
    chunks = prompt_text.split(IMAGE_PLACEHOLDER)
    ids = [tokenizer.bos_token_id]
    for index, chunk in enumerate(chunks):
        if index:
            ids.extend([image_token_id] * image_tokens)
        ids.extend(tokenizer(chunk, add_special_tokens=False).input_ids)
    return ids


_CONTROL = {code: None for code in range(32) if chr(code) not in "\n\t"}


def clean_text(text: str) -> str:
    """Generated text minus control characters (PostgreSQL text cannot hold NUL), trimmed."""
    return text.translate(_CONTROL).strip()


def image_token_count(config) -> int:
    vision = config.vision_config
    patches = (vision.image_size // vision.patch_size) ** 2
    return patches + (0 if config.vision_feature_select_strategy == "default" else 1)


class Generator:
    """Wraps a loaded model: uint8 squares + one prompt -> generated paragraphs."""

    def __init__(self, model, tokenizer, spec: ImageSpec, max_new_tokens: int) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.spec = spec
        self.max_new_tokens = max_new_tokens
        self.image_token_id = model.config.image_token_id
        self.image_tokens = image_token_count(model.config)

    def prompt_ids(self, prompt: Prompt) -> list[int]:
        return llava_prompt_ids(self.tokenizer, prompt.text, self.image_token_id, self.image_tokens)

    def __call__(self, pixels: np.ndarray, prompt: Prompt) -> tuple[list[Generation], float]:
        """Generate for a batch of (N, H, W, 3) uint8 squares; return results and seconds."""
        import torch

        started = time.perf_counter()
        ids = self.prompt_ids(prompt)
        count = len(pixels)
        # One prompt for the whole batch: no padding is needed, every row has the same length.
        input_ids = torch.tensor([ids] * count, dtype=torch.long, device=self.model.device)
        attention_mask = torch.ones_like(input_ids)
        pixel_values = torch.from_numpy(normalize(pixels, self.spec)).to(
            self.model.device, self.model.dtype
        )
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids,
                attention_mask=attention_mask,
                pixel_values=pixel_values,
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                num_beams=1,
                eos_token_id=self.tokenizer.eos_token_id,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new_tokens = output[:, input_ids.shape[1] :].cpu()
        results = [self._decode(row, len(ids)) for row in new_tokens]
        return results, time.perf_counter() - started

    def _decode(self, row, prompt_tokens: int) -> Generation:
        tokens = row.tolist()
        eos, pad = self.tokenizer.eos_token_id, self.tokenizer.pad_token_id
        if eos in tokens:
            tokens = tokens[: tokens.index(eos)]
        tokens = [t for t in tokens if t != pad]
        text = clean_text(self.tokenizer.decode(tokens, skip_special_tokens=True))
        return Generation(text=text, prompt_tokens=prompt_tokens, generated_tokens=len(tokens))
