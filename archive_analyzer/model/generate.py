r"""Batched greedy generation with LLaVA's own prompt tokenisation and decoding.

LLaVA splits the prompt at `<image>`, tokenises each chunk on its own, keeps one BOS and puts the
image token between the chunks. A Llama SentencePiece tokenizer can tokenise "\n..." differently at
the start of a chunk than mid-string, so tokenising the whole prompt at once would not give the
ids GalleryGPT was trained on. The image token is then expanded to the model's image positions.
Chunks are encoded, and answers decoded, by GalleryGPT's slow SentencePiece tokenizer where the
checkpoint carries one (model/llama_tokens.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from archive_analyzer.model.llama_tokens import slow_tokenizer_for
from archive_analyzer.model.preprocess import ImageSpec, normalize
from archive_analyzer.model.prompts import IMAGE_PLACEHOLDER, Prompt


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    generated_tokens: int


def llava_prompt_ids(tokenizer, prompt_text: str, image_token_id: int, image_tokens: int):
    """Token ids as LLaVA's tokenizer_image_token builds them, image placeholder expanded."""
    slow = slow_tokenizer_for(tokenizer)
    chunks = prompt_text.split(IMAGE_PLACEHOLDER)
    ids = [tokenizer.bos_token_id]
    for index, chunk in enumerate(chunks):
        if index:
            ids.extend([image_token_id] * image_tokens)
        if slow is not None:
            ids.extend(slow.encode(chunk))
        else:
            ids.extend(tokenizer(chunk, add_special_tokens=False).input_ids)
    return ids


def left_pad(rows: list[list[int]], pad_id: int):
    """Ids and attention mask with every row padded on the left, so generation continues each
    prompt right where it ends; the mask keeps the pads out of attention and positions."""
    import torch

    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for index, row in enumerate(rows):
        ids[index, width - len(row) :] = torch.tensor(row, dtype=torch.long)
        mask[index, width - len(row) :] = 1
    return ids, mask


def clean_text(text: str) -> str:
    """LLaVA's `.strip()` of the decoded answer, minus NUL, which PostgreSQL text cannot hold."""
    return text.replace("\x00", "").strip()


def image_token_count(config) -> int:
    vision = config.vision_config
    patches = (vision.image_size // vision.patch_size) ** 2
    return patches + (0 if config.vision_feature_select_strategy == "default" else 1)


class Generator:
    """Wraps a loaded model: uint8 squares + one prompt -> generated paragraphs."""

    def __init__(
        self,
        model,
        tokenizer,
        spec: ImageSpec,
        max_new_tokens: int,
        static_cache: bool = True,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.spec = spec
        self.max_new_tokens = max_new_tokens
        self.image_token_id = model.config.image_token_id
        self.image_tokens = image_token_count(model.config)
        self._prompt_ids: dict[str, list[int]] = {}
        # A preallocated KV cache. On CPU the default one is concatenated anew at every token,
        # copying the whole cache each step; on a GPU a static cache lets transformers compile
        # the decode step and replay it as a CUDA graph (about 30 s per new batch shape, then
        # 3.6x the default cache at batch 64 on an H100; bench/RESULTS.md).
        self.static_cache = static_cache

    def prompt_ids(self, prompt: Prompt) -> list[int]:
        # Every batch asks the same few prompts: tokenise each text once.
        if prompt.text not in self._prompt_ids:
            self._prompt_ids[prompt.text] = llava_prompt_ids(
                self.tokenizer, prompt.text, self.image_token_id, self.image_tokens
            )
        return list(self._prompt_ids[prompt.text])

    def __call__(
        self, pixels: np.ndarray, prompt: Prompt | Sequence[Prompt]
    ) -> tuple[list[Generation], float]:
        """Generate for (N, H, W, 3) uint8 squares, one prompt for all or one per row."""
        import torch

        started = time.perf_counter()
        prompts = [prompt] * len(pixels) if isinstance(prompt, Prompt) else list(prompt)
        if len(prompts) != len(pixels):
            raise ValueError(f"{len(prompts)} prompts for {len(pixels)} images")
        rows = [self.prompt_ids(p) for p in prompts]
        input_ids, attention_mask = left_pad(rows, self.tokenizer.pad_token_id)
        device = self.model.device
        pixel_values = torch.from_numpy(normalize(pixels, self.spec)).to(device, self.model.dtype)
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids.to(device),
                attention_mask=attention_mask.to(device),
                pixel_values=pixel_values,
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                num_beams=1,
                eos_token_id=self.tokenizer.eos_token_id,
                pad_token_id=self.tokenizer.pad_token_id,
                cache_implementation="static" if self.static_cache else None,
            )
        new_tokens = output[:, input_ids.shape[1] :].cpu()
        results = [self._decode(new, len(ids)) for new, ids in zip(new_tokens, rows, strict=True)]
        return results, time.perf_counter() - started

    def _decode(self, row, prompt_tokens: int) -> Generation:
        text, count = decode_generated(self.tokenizer, row.tolist())
        return Generation(text=text, prompt_tokens=prompt_tokens, generated_tokens=count)


def decode_generated(tokenizer, tokens: list[int]) -> tuple[str, int]:
    """New tokens -> (text, count): cut at the first </s> (vicuna_v1's stop), pads dropped."""
    if tokenizer.eos_token_id in tokens:
        tokens = tokens[: tokens.index(tokenizer.eos_token_id)]
    tokens = [t for t in tokens if t != tokenizer.pad_token_id]
    slow = slow_tokenizer_for(tokenizer)
    text = slow.decode(tokens) if slow else tokenizer.decode(tokens, skip_special_tokens=True)
    return clean_text(text), len(tokens)
