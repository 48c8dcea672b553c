"""Tiny GalleryGPT look-alikes in the ORIGINAL published layout, built in code for the tests.

A LLaVA-LLaMA base (LLaVA key names, `model_type: "llava"` config, a Llama SentencePiece
tokenizer trained here), a peft-layout LoRA adapter with `non_lora_trainables.bin`, and a saved
CLIP vision tower. `reference_logits` runs the original tensors through plain Llama and CLIP
modules with the LoRA merged by hand, independently of archive_analyzer's converter.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import torch

VISION = "model.vision_tower.vision_tower.vision_model."
TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
HIDDEN, VISION_HIDDEN, LAYERS, RANK, ALPHA = 64, 32, 2, 4, 8

# No "\n" in the corpus: like Llama's tokenizer, newlines then go through byte fallback.
CORPUS = [
    "A chat between a curious user and an artificial intelligence assistant.",
    "The assistant gives helpful, detailed, and polite answers to the user's questions.",
    "USER: Please write a paragraph of formal analysis for this painting. ASSISTANT:",
    "The composition is balanced by a strong diagonal that leads the eye into the distance.",
    "Warm ochres and cool blues create a vivid contrast of colour across the canvas.",
    "Chiaroscuro models the figures, with light falling from the upper left.",
]


def sentencepiece_model(vocab_size: int = 400) -> bytes:
    """A Llama-style SentencePiece BPE model: byte fallback, dummy prefix, no normalisation."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS * 10),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type="bpe",
        byte_fallback=True,
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        normalization_rule_name="identity",
        split_digits=True,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    return buffer.getvalue()


def write_tokenizer(directory: Path, model: bytes) -> None:
    """tokenizer.model and the config files LLaVA-LLaMA checkpoints ship with."""
    (directory / "tokenizer.model").write_bytes(model)
    config = {
        "tokenizer_class": "LlamaTokenizer",
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<unk>",
        "legacy": False,
        "model_max_length": 2048,
        "padding_side": "right",
        "clean_up_tokenization_spaces": False,
    }
    (directory / "tokenizer_config.json").write_text(json.dumps(config))
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<unk>"}
    (directory / "special_tokens_map.json").write_text(json.dumps(special))


def _text_config(vocab: int):
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab,
        hidden_size=HIDDEN,
        intermediate_size=2 * HIDDEN,
        num_hidden_layers=LAYERS,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=2048,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
    )


def _vision_config():
    from transformers import CLIPVisionConfig

    return CLIPVisionConfig(
        hidden_size=VISION_HIDDEN,
        intermediate_size=2 * VISION_HIDDEN,
        num_hidden_layers=3,
        num_attention_heads=2,
        image_size=336,
        patch_size=14,
        projection_dim=VISION_HIDDEN,
    )


def _randomise(state: dict, generator: torch.Generator, scale: float = 0.15) -> dict:
    """Weights large enough that logits are O(1): a 1e-5 tolerance then means something."""
    out = {}
    for key, tensor in state.items():
        noise = torch.randn(tensor.shape, generator=generator) * scale
        out[key] = (1.0 + noise) if "norm" in key else noise
    return out


def projector(hidden: int, generator: torch.Generator) -> dict:
    shapes = {
        "0.weight": (hidden, VISION_HIDDEN),
        "0.bias": (hidden,),
        "2.weight": (hidden, hidden),
    }
    shapes["2.bias"] = (hidden,)
    return {
        f"model.mm_projector.{name}": torch.randn(shape, generator=generator) * 0.15
        for name, shape in shapes.items()
    }


def llava_config(vocab: int, hidden: int = HIDDEN) -> dict:
    """config.json as LLaVA/ShareGPT4V save it: a Llama config plus mm_* keys, type "llava"."""
    return {
        "architectures": ["LlavaLlamaForCausalLM"],
        "model_type": "llava",
        "hidden_size": hidden,
        "intermediate_size": 2 * HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "hidden_act": "silu",
        "max_position_embeddings": 2048,
        "rms_norm_eps": 1e-5,
        "vocab_size": vocab,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "pad_token_id": 0,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "use_cache": True,
        "freeze_mm_mlp_adapter": False,
        "image_aspect_ratio": "pad",
        "mm_hidden_size": VISION_HIDDEN,
        "mm_projector_type": "mlp2x_gelu",
        "mm_use_im_patch_token": False,
        "mm_use_im_start_end": False,
        "mm_vision_select_feature": "patch",
        "mm_vision_select_layer": -2,
        "mm_vision_tower": "Lin-Chen/ShareGPT4V-7B_Pretrained_vit-large336-l12",
        "tune_mm_mlp_adapter": False,
    }


@dataclass
class Original:
    base: Path
    adapter: Path
    tower: Path
    state: dict  # the base's tensors, LLaVA names
    lora: dict  # module -> (A, B)
    trainables: dict  # projector from non_lora_trainables.bin, LLaVA names
    vocab: int


def write_base(directory: Path, state: dict, vocab: int, sp_model: bytes, **config) -> None:
    """Weights in two pytorch_model-*.bin shards with an index, as LLaVA's trainer saves them."""
    directory.mkdir(parents=True)
    (directory / "config.json").write_text(json.dumps({**llava_config(vocab), **config}))
    write_tokenizer(directory, sp_model)
    keys = sorted(state)
    halves = {
        "pytorch_model-00001-of-00002.bin": keys[::2],
        "pytorch_model-00002-of-00002.bin": keys[1::2],
    }
    weight_map = {}
    for name, part in halves.items():
        torch.save({k: state[k] for k in part}, directory / name)
        weight_map.update(dict.fromkeys(part, name))
    index = {"metadata": {}, "weight_map": weight_map}
    (directory / "pytorch_model.bin.index.json").write_text(json.dumps(index))


def write_adapter(
    directory: Path,
    lora: dict,
    trainables: dict | None,
    rank: int = RANK,
    vocab: int = 400,
    hidden: int = HIDDEN,
) -> None:
    from safetensors.torch import save_file

    directory.mkdir(parents=True)
    config = {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "r": rank,
        "lora_alpha": ALPHA,
        "lora_dropout": 0.05,
        "bias": "none",
        "target_modules": list(TARGETS),
        "base_model_name_or_path": "Lin-Chen/ShareGPT4V-7B",
    }
    (directory / "adapter_config.json").write_text(json.dumps(config))
    # LLaVA's LoRA output also holds the fine-tune's LLaVA config; its loader builds from it.
    (directory / "config.json").write_text(json.dumps(llava_config(vocab, hidden)))
    tensors = {}
    for module, (a, b) in lora.items():
        tensors[f"base_model.model.{module}.lora_A.weight"] = a.contiguous()
        tensors[f"base_model.model.{module}.lora_B.weight"] = b.contiguous()
    save_file(tensors, str(directory / "adapter_model.safetensors"))
    if trainables is not None:
        named = {f"base_model.model.{k}": v for k, v in trainables.items()}
        torch.save(named, directory / "non_lora_trainables.bin")


def write_tower(directory: Path, vision_state: dict) -> None:
    """A saved CLIPVisionModel: config, preprocessor config, `vision_model.*` weights."""
    from safetensors.torch import save_file

    from archive_analyzer.model.vision import default_image_processor

    directory.mkdir(parents=True)
    _vision_config().save_pretrained(directory)
    default_image_processor(336).save_pretrained(directory)
    named = {
        "vision_model." + k.removeprefix(VISION): v.contiguous() for k, v in vision_state.items()
    }
    save_file(named, str(directory / "model.safetensors"))


def random_lora(state: dict, generator: torch.Generator, hidden_in: int | None = None) -> dict:
    lora = {}
    for key, weight in sorted(state.items()):
        module = key.removesuffix(".weight")
        if module.rsplit(".", 1)[-1] in TARGETS and key.startswith("model.layers."):
            out_features, in_features = weight.shape
            a = torch.randn(RANK, hidden_in or in_features, generator=generator) * 0.15
            lora[module] = (a, torch.randn(out_features, RANK, generator=generator) * 0.15)
    return lora


def base_state(vocab: int, generator: torch.Generator) -> dict:
    from transformers import CLIPVisionModel, LlamaForCausalLM

    text = LlamaForCausalLM(_text_config(vocab)).state_dict()
    vision = CLIPVisionModel(_vision_config()).state_dict()
    state = _randomise({k: v for k, v in text.items() if "rotary" not in k}, generator)
    state.update(_randomise({VISION + k: v for k, v in vision.items()}, generator))
    state.update(projector(HIDDEN, generator))  # ShareGPT4V's projector, replaced by the adapter's
    return state


def build_original(root: Path, seed: int = 0) -> Original:
    generator = torch.Generator().manual_seed(seed)
    sp_model = sentencepiece_model()
    import sentencepiece as spm

    vocab = spm.SentencePieceProcessor(model_proto=sp_model).get_piece_size()
    state = base_state(vocab, generator)
    lora = random_lora(state, generator)
    trainables = projector(HIDDEN, generator)
    write_base(root / "base", state, vocab, sp_model)
    write_adapter(root / "adapter", lora, trainables, vocab=vocab)
    write_tower(root / "tower", {k: v for k, v in state.items() if k.startswith(VISION)})
    return Original(root / "base", root / "adapter", root / "tower", state, lora, trainables, vocab)


def merged_by_hand(original: Original) -> dict:
    state = dict(original.state)
    for module, (a, b) in original.lora.items():
        state[module + ".weight"] = state[module + ".weight"] + (ALPHA / RANK) * (b @ a)
    state.update(original.trainables)
    return state


def reference_logits(state: dict, vocab: int, input_ids: list[int], image_id: int, pixels):
    """LLaVA-1.5's forward written out: CLIP layer -2 patches -> MLP-GELU -> spliced into Llama."""
    from transformers import CLIPVisionModel, LlamaForCausalLM

    text = LlamaForCausalLM(_text_config(vocab)).eval()
    text.load_state_dict(
        {
            k: v
            for k, v in state.items()
            if not k.startswith("model.mm_projector") and not k.startswith(VISION)
        }
    )
    vision = CLIPVisionModel(_vision_config()).eval()
    vision.load_state_dict(
        {k.removeprefix(VISION): v for k, v in state.items() if k.startswith(VISION)}
    )
    with torch.no_grad():
        patches = vision(pixels, output_hidden_states=True).hidden_states[-2][:, 1:]
        hidden = torch.nn.functional.linear(
            patches, state["model.mm_projector.0.weight"], state["model.mm_projector.0.bias"]
        )
        features = torch.nn.functional.linear(
            torch.nn.functional.gelu(hidden),
            state["model.mm_projector.2.weight"],
            state["model.mm_projector.2.bias"],
        )
        ids = torch.tensor([input_ids])
        is_image = ids == image_id
        embeds = text.model.embed_tokens(ids.masked_fill(is_image, 0))
        embeds[is_image] = features.reshape(-1, features.shape[-1])
        return text(inputs_embeds=embeds).logits
