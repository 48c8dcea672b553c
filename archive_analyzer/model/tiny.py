"""A tiny random-weight LLaVA with an offline tokenizer: the real classes, saved like real weights.

Used by the demo when no GalleryGPT checkpoint is configured, by tests and by benchmarks. It is
loaded through exactly the same loader as a converted GalleryGPT directory; its text is noise.
"""

from __future__ import annotations

import json
from pathlib import Path

from archive_analyzer.model.config import llava_config
from archive_analyzer.model.preprocess import CLIP_MEAN, CLIP_STD

SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]

# A little art vocabulary so the random model's byte-level BPE has real words to emit.
_CORPUS = [
    "A chat between a curious user and an artificial intelligence assistant.",
    "The assistant gives helpful, detailed, and polite answers to the user's questions.",
    "USER: Please write a paragraph of formal analysis for this painting. ASSISTANT:",
    "The composition is balanced by a strong diagonal that leads the eye into the distance.",
    "Warm ochres and cool blues create a vivid contrast of colour across the canvas.",
    "Chiaroscuro models the figures, with light falling from the upper left.",
    "Loose, visible brushwork gives the surface a lively texture and impasto highlights.",
    "Linear perspective and atmospheric haze open a deep space behind the foreground.",
    "Contour lines are crisp; the palette is muted, earthy and harmonious.",
]


def build_tokenizer(vocab_size: int = 512):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE(unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    core.train_from_iterator(_CORPUS, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        padding_side="left",
        extra_special_tokens={"image_token": "<image>"},
    )


def tiny_config(tokenizer, image_size: int = 336, hidden: int = 64, layers: int = 2):
    return llava_config(
        tokenizer,
        vision=(hidden, hidden * 2, layers, 4),
        text=(hidden, hidden * 2, layers, 4, 4),
        image_size=image_size,
    )


def _image_processor(image_size: int):
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    return CLIPImageProcessorPil(
        size={"shortest_edge": image_size},
        crop_size={"height": image_size, "width": image_size},
        image_mean=list(CLIP_MEAN),
        image_std=list(CLIP_STD),
    )


def write_tiny_model(out: str | Path, seed: int = 0, image_size: int = 336) -> Path:
    """Write a tiny LLaVA directory (config, safetensors, tokenizer, processor, model card)."""
    import torch
    from transformers import LlavaForConditionalGeneration

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer()
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(tiny_config(tokenizer, image_size)).eval()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    _image_processor(image_size).save_pretrained(out)
    card = {"name": "tiny-random-llava", "meaningful": False, "seed": seed, "conversion": None}
    (out / "archive_analyzer.json").write_text(json.dumps(card, indent=2, sort_keys=True))
    return out
