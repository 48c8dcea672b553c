"""The LLaVA-1.5 configuration as GalleryGPT is wired, built in code.

Tiny test models (`model/tiny.py`) and the benchmarks' larger stand-ins share it, so every
model the project builds has GalleryGPT's feature layer, select strategy and projector.
"""

from __future__ import annotations


def llava_config(
    tokenizer,
    *,
    vision: tuple[int, int, int, int],
    text: tuple[int, int, int, int, int],
    image_size: int = 336,
    patch: int = 14,
    max_positions: int = 2048,
    vocab_size: int | None = None,
):
    """A LLaVA-1.5 config built in code, as GalleryGPT is wired: CLIP features from the
    second-to-last layer without the CLS token, a GELU projector, a Llama language model.

    vision: (hidden, intermediate, layers, heads); text: (hidden, intermediate, layers, heads,
    key/value heads). Tiny test models and the benchmarks' larger ones share this wiring.
    """
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig

    v_hidden, v_intermediate, v_layers, v_heads = vision
    t_hidden, t_intermediate, t_layers, t_heads, t_kv_heads = text
    vision_config = CLIPVisionConfig(
        hidden_size=v_hidden,
        intermediate_size=v_intermediate,
        num_hidden_layers=v_layers,
        num_attention_heads=v_heads,
        image_size=image_size,
        patch_size=patch,
        projection_dim=v_hidden,
    )
    text_config = LlamaConfig(
        vocab_size=vocab_size or len(tokenizer),
        hidden_size=t_hidden,
        intermediate_size=t_intermediate,
        num_hidden_layers=t_layers,
        num_attention_heads=t_heads,
        num_key_value_heads=t_kv_heads,
        max_position_embeddings=max_positions,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return LlavaConfig(
        vision_config=vision_config,
        text_config=text_config,
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        image_seq_length=(image_size // patch) ** 2,
        projector_hidden_act="gelu",
        vision_feature_select_strategy="default",
        vision_feature_layer=-2,
    )
