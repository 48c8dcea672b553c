"""A training checkpoint -> a native transformers LLaVA directory with its own model card.

The LoRA deltas are folded into the language model's weights and the trained projector replaces
the base one, so the result loads with plain `LlavaForConditionalGeneration.from_pretrained`
(archive_analyzer.model.loader) and `analyze --model` needs no peft. The card names the base
model version, the data and the recipe; its hash is the new model version.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from archive_analyzer.model.loader import CARD_NAME, inspect_model, local_model_dir
from archive_analyzer.train.lora import _peft

# Files of the base directory that describe inputs rather than weights; carried over as they are.
PROCESSOR_FILES = ("preprocessor_config.json", "processor_config.json", "chat_template.jinja")


def merge_checkpoint(
    base_model: str, cache_dir: Path, checkpoint_dir: Path, out: Path, training: dict
) -> Path:
    import torch
    from transformers import AutoTokenizer, LlavaForConditionalGeneration

    peft = _peft()
    base_dir = local_model_dir(base_model, cache_dir)
    dtype = torch.bfloat16 if training["recipe"].get("precision") == "bf16" else torch.float32
    base = LlavaForConditionalGeneration.from_pretrained(base_dir, dtype=dtype)
    merged = peft.PeftModel.from_pretrained(base, str(checkpoint_dir)).merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(out)
    for name in PROCESSOR_FILES:
        if (base_dir / name).exists():
            shutil.copy2(base_dir / name, out / name)
    write_card(base_model, out, training)
    return out


def write_card(base_model: str, out: Path, training: dict) -> dict:
    base = inspect_model(base_model)
    card = {
        "name": training.get("name") or f"{base.name}-finetuned",
        "meaningful": base.meaningful,
        "base_model": {"name": base.name, "version": base.version},
        "finetune": training,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (out / CARD_NAME).write_text(json.dumps(card, indent=2, sort_keys=True))
    return card
