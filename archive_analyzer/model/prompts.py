"""Versioned prompt templates in LLaVA's vicuna_v1 conversation format.

The prompt version is the hash of the exact text sent to the model, so any change to a template,
the system sentence or a custom query makes earlier analyses stale, never silently mixed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

IMAGE_PLACEHOLDER = "<image>"

VICUNA_V1_SYSTEM = (
    "A chat between a curious user and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the user's questions."
)

# The queries GalleryGPT's paper and demo use. formal_analysis is the paper's prompt.
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
    if custom_query:
        return Prompt(name="custom" if name == "formal_analysis" else name, query=custom_query)
    if name not in QUERIES:
        raise ValueError(f"unknown prompt {name!r}; choose one of {', '.join(QUERIES)}")
    return Prompt(name=name, query=QUERIES[name])
