"""`model convert`: GalleryGPT as published -> a transformers-native LlavaForConditionalGeneration.

Accepts a LLaVA-layout base plus a peft LoRA adapter and its `non_lora_trainables.bin` (how
GalleryGPT is distributed), an already-merged LLaVA-layout checkpoint, or an already-native one.
The LoRA is merged in fp32 (W + alpha/r * B @ A), keys are renamed as transformers' own llava
converter renames them, `<image>` and `<pad>` are added and the embeddings grown to a multiple of
64 with rows drawn from the embeddings' distribution, like that converter. The new rows are
never generated: `suppress_tokens` in generation_config.json keeps greedy decoding on the
original vocabulary. The model card (`archive_analyzer.json`) records the hash of every source
file and the conversion version; its hash is the model version stored on every analysis.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from archive_analyzer.errors import ModelError
from archive_analyzer.model import original
from archive_analyzer.model.llama_tokens import SlowLlamaTokenizer, settings_from_base
from archive_analyzer.model.loader import CARD_NAME, local_model_dir
from archive_analyzer.model.prompts import VICUNA_V1_CHAT_TEMPLATE
from archive_analyzer.model.vision import VisionTower, vision_tower

# 2: the slow SentencePiece tokenizer is saved beside the checkpoint (model/llama_tokens.py).
CONVERSION_VERSION = "2"
VOCAB_MULTIPLE = 64
_SKIP_SUFFIXES = (".rotary_emb.inv_freq", "embeddings.position_ids")
_DTYPES = ("float32", "float16", "bfloat16")


@dataclass(frozen=True)
class ConvertRequest:
    base: str
    out: Path
    adapter: str | None = None
    vision_tower: str | None = None
    dtype: str | None = None  # None: the dtype the base declares


def convert(request: ConvertRequest, cache_dir: Path) -> Path:
    """Write the native checkpoint, tokenizer, processor and card to request.out."""
    base = local_model_dir(request.base, cache_dir)
    adapter = local_model_dir(request.adapter, cache_dir) if request.adapter else None
    tower = local_model_dir(request.vision_tower, cache_dir) if request.vision_tower else None
    config = original.read_json(base / "config.json")
    out = Path(request.out)
    if out.resolve() in {p.resolve() for p in (base, adapter, tower) if p}:
        raise ModelError(f"--out {out} must differ from the source directories")
    if out.exists() and any(out.iterdir()):
        # Stale shards or a stale card from an earlier conversion would mix into this one.
        raise ModelError(f"--out {out} is not empty; choose a new directory")
    if "text_config" in config and "vision_config" in config:
        if adapter or tower:
            raise ModelError("the base is already native; --adapter/--vision-tower do not apply")
        details = _copy_native(base, out, request.base.rstrip("/").rsplit("/", 1)[-1])
    else:
        details = _convert_original(base, adapter, tower, config, out, request.dtype)
    sources = {"base": base, "adapter": adapter, "vision_tower": tower}
    _write_card(out, details, {k: v for k, v in sources.items() if v})
    return out


def _convert_original(base, adapter, tower, config, out, dtype_name) -> dict:
    config = original.adapter_llava_config(config, adapter) if adapter else config
    layout = original.check_llava_config(config, adapter or base)
    dtype = _target_dtype(dtype_name or config.get("torch_dtype") or "float32")
    tokenizer = llava_tokenizer(base)  # first: a missing extra should fail before reading weights
    slow = slow_tokenizer(base)
    state = original.read_weights(base)
    lora = _apply_adapter(state, adapter) if adapter else None
    original.check_projector(state, layout, str(adapter or base))
    vision = vision_tower(state, tower, layout)
    state = {k: v for k, v in state.items() if not k.endswith(_SKIP_SUFFIXES)}
    vocab = _grow_vocab(state, layout.vocab_size, len(tokenizer))
    native = {native_key(k): v.to(dtype) for k, v in state.items()}
    del state
    model = _assemble(config, layout, vision, tokenizer, vocab, native, dtype)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    _save_processor(out, tokenizer, vision)
    slow.save(out)
    del model, native
    return {
        "layout": "llava+lora" if adapter else "llava",
        "dtype": str(dtype).removeprefix("torch."),
        "lora": lora,
        "original_vocab_size": layout.vocab_size,
        "vocab_size": vocab,
        "image_token_id": tokenizer.convert_tokens_to_ids("<image>"),
        "tokenizer": {"sentencepiece": True, "legacy": slow.settings.legacy},
    }


def _target_dtype(name: str):
    import torch

    name = str(name).removeprefix("torch.")
    if name not in _DTYPES:
        raise ModelError(f"unsupported dtype {name!r}; choose one of {', '.join(_DTYPES)}")
    return getattr(torch, name)


def _apply_adapter(state: dict, adapter: Path) -> dict:
    trainables = adapter / "non_lora_trainables.bin"
    if not trainables.exists():
        raise ModelError(
            f"the projector is missing: {adapter} has no non_lora_trainables.bin "
            "(LLaVA saves the fine-tuned projector there, beside the LoRA adapter)"
        )
    projector = original.llava_trainables(trainables)
    if not any(k.startswith("model.mm_projector.") for k in projector):
        raise ModelError(f"the projector is missing: {trainables} holds no model.mm_projector.*")
    config, pairs, extra = original.read_adapter(adapter)
    original.apply_overrides(state, projector, str(trainables))
    original.apply_overrides(state, extra, str(adapter))
    merged = original.merge_lora(state, config, pairs)
    return {
        "r": config["r"],
        "alpha": config["lora_alpha"],
        "scaling": original.lora_scaling(config),
        "merged_modules": merged,
    }


def native_key(key: str) -> str:
    """LLaVA's name -> LlavaForConditionalGeneration's (transformers 5) name.

    Equivalent to transformers' llava converter (model.mm_projector.0/2 -> multi_modal_projector
    .linear_1/2, model.* -> language_model.model.*, the vision tower's own CLIP names) followed by
    the renaming transformers 5 applies when it loads such a file.
    """
    if key.startswith(original.VISION_PREFIX):
        return "model.vision_tower." + key.removeprefix(original.VISION_PREFIX)
    for index, name in (("0", "linear_1"), ("2", "linear_2")):
        prefix = f"model.mm_projector.{index}."
        if key.startswith(prefix):
            return f"model.multi_modal_projector.{name}." + key.removeprefix(prefix)
    if key == "lm_head.weight":
        return key
    if key.startswith(("model.embed_tokens.", "model.layers.", "model.norm.")):
        return "model.language_model." + key.removeprefix("model.")
    raise ModelError(f"unexpected tensor {key!r} in a LLaVA-LLaMA checkpoint")


def _grow_vocab(state: dict, vocab_size: int, tokens: int) -> int:
    """Add rows for <image>, <pad> (and padding to a multiple of 64), as the llava converter."""
    import torch

    embed, head = state.get("model.embed_tokens.weight"), state.get("lm_head.weight")
    if embed is None or head is None:
        raise ModelError("the base is incomplete: it has no model.embed_tokens or lm_head weights")
    for name, tensor in (("model.embed_tokens", embed), ("lm_head", head)):
        if tensor.shape[0] != vocab_size:
            raise ModelError(
                f"{name} has {tensor.shape[0]} rows but config vocab_size={vocab_size}"
            )
    # At least two new rows even when the tokenizer is shorter than the embeddings, as the
    # llava converter grows vocab_size + 2.
    new_size = -(-max(tokens, vocab_size + 2) // VOCAB_MULTIPLE) * VOCAB_MULTIPLE
    count = new_size - vocab_size
    rows = _sample_rows(embed.to(torch.float32), 2 * count)
    state["model.embed_tokens.weight"] = torch.cat([embed, rows[:count].to(embed.dtype)])
    state["lm_head.weight"] = torch.cat([head, rows[count:].to(head.dtype)])
    return new_size


def _sample_rows(embed, count: int):
    """Rows near the mean embedding (covariance 1e-5 * sigma), seeded so conversion repeats."""
    import torch

    mean = embed.mean(dim=0)
    centred = embed - mean
    sigma = 1e-5 * (centred.T @ centred) / embed.shape[0]
    # A vocabulary smaller than the hidden size gives a singular sigma; a tiny ridge fixes that.
    ridge = 1e-12 * torch.eye(sigma.shape[0])
    factor = torch.linalg.cholesky(sigma + ridge)
    noise = torch.randn(count, embed.shape[1], generator=torch.Generator().manual_seed(0))
    return mean + noise @ factor.T


def llava_tokenizer(base: Path):
    """The base's Llama tokenizer plus <image> and <pad>, padding on the left."""
    import importlib.util

    from transformers import AddedToken, AutoTokenizer

    from archive_analyzer.errors import MissingExtraError

    has_fast = (base / "tokenizer.json").exists()
    if not has_fast and importlib.util.find_spec("sentencepiece") is None:
        raise MissingExtraError("sentencepiece (to read tokenizer.model)", "convert")
    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the tokenizer in {base}: {exc}") from exc
    tokenizer.add_tokens([AddedToken("<image>", special=True, normalized=False)], True)
    tokenizer.add_special_tokens({"pad_token": "<pad>"})
    tokenizer.padding_side = "left"
    return tokenizer


def slow_tokenizer(base: Path) -> SlowLlamaTokenizer:
    """GalleryGPT's slow SentencePiece tokenizer, the reference for every prompt id."""
    model = base / "tokenizer.model"
    if not model.exists():
        raise ModelError(
            f"{base} has no tokenizer.model: GalleryGPT tokenises with the slow SentencePiece "
            "LlamaTokenizer, which needs it"
        )
    proto = model.read_bytes()
    return SlowLlamaTokenizer(proto, settings_from_base(base, proto))


def _assemble(config, layout, vision: VisionTower, tokenizer, vocab, native, dtype):
    import torch
    from transformers import GenerationConfig, LlavaConfig, LlavaForConditionalGeneration

    text = _text_config(config, vocab, tokenizer)
    llava = LlavaConfig(
        text_config=text,
        vision_config=vision.config,
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        image_seq_length=vision.patches,
        projector_hidden_act="gelu",
        vision_feature_select_strategy=layout.select_strategy,
        vision_feature_layer=layout.select_layer,
        multimodal_projector_bias=True,
        tie_word_embeddings=False,
    )
    with torch.device("meta"):
        model = LlavaForConditionalGeneration(llava)
    missing, unexpected = model.load_state_dict(native, strict=False, assign=True)
    if missing or unexpected:
        raise ModelError(
            "the checkpoint does not fill a LLaVA of this config: "
            f"missing {sorted(missing)[:5]}, unexpected {sorted(unexpected)[:5]}"
        )
    model.config.dtype = dtype
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        do_sample=False,
        max_new_tokens=512,
        suppress_tokens=_never_generated(tokenizer, layout.vocab_size, vocab),
    )
    return model


def _never_generated(tokenizer, vocab_size: int, grown: int) -> list[int]:
    """Ids GalleryGPT could never emit: the rows added here, <image> and <pad>."""
    added = {tokenizer.convert_tokens_to_ids("<image>"), tokenizer.pad_token_id}
    return sorted(added | set(range(vocab_size, grown)))


_LLAMA_KEYS = (
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "hidden_act",
    "max_position_embeddings",
    "rms_norm_eps",
    "rope_theta",
    "rope_scaling",
    "attention_bias",
    "mlp_bias",
    "initializer_range",
)


def _text_config(config: dict, vocab: int, tokenizer):
    from transformers import LlamaConfig

    values = {k: config[k] for k in _LLAMA_KEYS if config.get(k) is not None}
    return LlamaConfig(
        **values,
        vocab_size=vocab,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )


def _save_processor(out: Path, tokenizer, vision: VisionTower) -> None:
    from transformers import LlavaProcessor

    tokenizer.save_pretrained(out)
    vision.image_processor.save_pretrained(out)
    LlavaProcessor(
        image_processor=vision.image_processor,
        tokenizer=tokenizer,
        patch_size=vision.config.patch_size,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=VICUNA_V1_CHAT_TEMPLATE,
    ).save_pretrained(out)


def _copy_native(base: Path, out: Path, default_name: str) -> dict:
    """An already-native checkpoint: copied as is, so it gains a card and a stable version.
    The name and meaningfulness of an earlier card carry over (a tiny demo model stays one)."""
    import json

    earlier = json.loads((base / CARD_NAME).read_text()) if (base / CARD_NAME).exists() else {}
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(base.rglob("*")):
        if path.is_file() and path.name not in (CARD_NAME, ".complete"):
            target = out / path.relative_to(base)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return {
        "layout": "native",
        "name": earlier.get("name", default_name),
        "meaningful": earlier.get("meaningful", True),
    }


def file_hashes(directory: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.name in (CARD_NAME, ".complete"):
            continue
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 24):
                digest.update(chunk)
        hashes[str(path.relative_to(directory))] = digest.hexdigest()
    return hashes


def _write_card(out: Path, details: dict, sources: dict[str, Path]) -> None:
    import json

    details = dict(details)
    card = {
        "name": details.pop("name", "gallerygpt"),
        "meaningful": details.pop("meaningful", True),
        "conversion": {"version": CONVERSION_VERSION, **details},
        # Hashes, not locations: the same files give the same version wherever they were read.
        "sources": {role: file_hashes(path) for role, path in sources.items()},
    }
    (out / CARD_NAME).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
