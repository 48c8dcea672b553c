"""The fine-tuning settings, with GalleryGPT's recipe as the defaults.

GalleryGPT: LoRA r=128, alpha=256 on every Linear of the language model except lm_head; the
projector fully trained; the vision tower frozen; lr 2e-5 for both; 2 epochs, cosine schedule,
3% warmup; bf16 and gradient checkpointing (on GPUs; CPUs get fp32, bf16 is ~500x slower there).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lora_r: int = Field(128, ge=1)
    lora_alpha: float = Field(256, gt=0)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    learning_rate: float = Field(2e-5, gt=0)
    projector_learning_rate: float | None = Field(None, gt=0, description="None: learning_rate")
    train_projector: bool = True
    epochs: int = Field(2, ge=1)
    batch_size: int = Field(16, ge=1, description="examples per worker and step")
    warmup_ratio: float = Field(0.03, ge=0, lt=1)
    schedule: Literal["cosine", "linear", "constant"] = "cosine"
    weight_decay: float = Field(0.0, ge=0)
    max_grad_norm: float = Field(1.0, gt=0)
    max_length: int = Field(2048, ge=64)
    precision: Literal["auto", "bf16", "fp32"] = "auto"
    gradient_checkpointing: Literal["auto", "on", "off"] = "auto"
    seed: int = 0

    def dtype_name(self, device: str) -> str:
        if self.precision == "auto":
            return "bf16" if device == "cuda" else "fp32"
        return self.precision

    def checkpointing(self, device: str) -> bool:
        if self.gradient_checkpointing == "auto":
            return device == "cuda"
        return self.gradient_checkpointing == "on"


class FinetuneJob(BaseModel):
    """What one worker needs: plain data, so it travels to Ray Train workers as config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_model: str
    cache_dir: str
    examples: list[dict]
    recipe: Recipe = Recipe()
    device: Literal["cpu", "cuda"] = "cpu"
    threads: int = Field(1, ge=1)
    # Base model version, data hash and LoRA shape: a checkpoint only resumes the same training.
    lineage: str = ""
