"""Versioned prompt templates in LLaVA's vicuna_v1 conversation format.

The prompt version is the hash of the exact text sent to the model, so any change to a template,
the system sentence or a custom query makes earlier analyses stale, never silently mixed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from archive_analyzer.errors import ConfigError

IMAGE_PLACEHOLDER = "<image>"

VICUNA_V1_SYSTEM = (
    "A chat between a curious user and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the user's questions."
)

# formal_analysis is the paper's prompt; the others ask about one aspect of formal analysis each
# (the aspects GalleryGPT's PaintingForm analyses cover) or the style, in the same phrasing.
QUERIES: dict[str, str] = {
    "formal_analysis": "Please write a paragraph of formal analysis for this painting.",
    "composition": "Please analyze the composition of this painting.",
    "color": "Please analyze the use of color in this painting.",
    "light_and_shadow": "Please analyze the light and shadow in this painting.",
    "line": "Please analyze the use of line in this painting.",
    "space": "Please analyze the space and perspective of this painting.",
    "brushwork": "Please analyze the brushwork and texture of this painting.",
    "style": "What is the artistic style of this painting? Explain the features that show it.",
}


def vicuna_v1(query: str) -> str:
    """LLaVA's conv_vicuna_v1 with one image turn: system, USER turn, open ASSISTANT turn."""
    return f"{VICUNA_V1_SYSTEM} USER: {IMAGE_PLACEHOLDER}\n{query} ASSISTANT:"


@dataclass(frozen=True)
class Prompt:
    name: str
    query: str

    @property
    def text(self) -> str:
        return vicuna_v1(self.query)

    @property
    def version(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


def resolve_prompt(name: str, custom_query: str | None = None) -> Prompt:
    """The `prompt` setting's template, or the `custom_prompt` query under that name."""
    if custom_query:
        if IMAGE_PLACEHOLDER in custom_query:
            # The template already places the one image; a second placeholder has no pixels.
            raise ConfigError(f"custom_prompt must not contain {IMAGE_PLACEHOLDER}")
        return Prompt(name="custom" if name == "formal_analysis" else name, query=custom_query)
    if name not in QUERIES:
        raise ConfigError(f"prompt: unknown prompt {name!r}; choose one of {', '.join(QUERIES)}")
    return Prompt(name=name, query=QUERIES[name])


# vicuna_v1 as a chat template, saved with converted checkpoints, so that plain transformers'
# and vLLM's apply_chat_template build exactly the text above (images first in a user turn).
VICUNA_V1_CHAT_TEMPLATE = (
    "{{- '" + VICUNA_V1_SYSTEM.replace("'", "\\'") + " ' -}}"
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'user' -%}{{- 'USER: ' -}}"
    "{%- if message['content'] is string -%}{{- message['content'] -}}{%- else -%}"
    "{%- for part in message['content'] if part['type'] == 'image' -%}{{- '<image>\\n' -}}"
    "{%- endfor -%}"
    "{%- for part in message['content'] if part['type'] == 'text' -%}{{- part['text'] -}}"
    "{%- endfor -%}{%- endif -%}{{- ' ' -}}"
    "{%- else -%}{{- 'ASSISTANT: ' -}}"
    "{%- if message['content'] is string -%}{{- message['content'] -}}{%- else -%}"
    "{%- for part in message['content'] if part['type'] == 'text' -%}{{- part['text'] -}}"
    "{%- endfor -%}{%- endif -%}{{- '</s>' -}}"
    "{%- endif -%}{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- 'ASSISTANT:' -}}{%- endif -%}"
)
