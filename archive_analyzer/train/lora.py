"""LoRA on the language model through peft, the projector trained in full, the tower frozen."""

from __future__ import annotations

from archive_analyzer.errors import MissingExtraError
from archive_analyzer.train.recipe import Recipe

PROJECTOR = "multi_modal_projector"


def _peft():
    try:
        import peft
    except ImportError as exc:
        raise MissingExtraError("peft", "train") from exc
    return peft


def language_linear_pattern(model) -> str:
    """A regex naming every Linear inside the language model (lm_head lives outside it)."""
    import torch

    language = model.model.language_model
    leaves = {
        name.rsplit(".", 1)[-1]
        for name, module in language.named_modules()
        if isinstance(module, torch.nn.Linear)
    }
    return rf".*language_model\..*\.({'|'.join(sorted(leaves))})"


def lora_config(model, recipe: Recipe):
    peft = _peft()
    return peft.LoraConfig(
        r=recipe.lora_r,
        lora_alpha=recipe.lora_alpha,
        lora_dropout=recipe.lora_dropout,
        target_modules=language_linear_pattern(model),
        modules_to_save=[PROJECTOR] if recipe.train_projector else None,
        bias="none",
        task_type=None,
    )


def apply_lora(model, recipe: Recipe):
    """The peft model: only LoRA matrices and (by default) the projector require gradients."""
    peft = _peft()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return peft.get_peft_model(model, lora_config(model, recipe))


def parameter_groups(model, recipe: Recipe) -> list[dict]:
    """Separate optimiser groups so the projector's learning rate can differ from LoRA's."""
    lora, projector = [], []
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            (projector if PROJECTOR in name else lora).append(parameter)
    projector_lr = recipe.projector_learning_rate or recipe.learning_rate
    groups = [{"params": lora, "lr": recipe.learning_rate}]
    if projector:
        groups.append({"params": projector, "lr": projector_lr})
    return groups
