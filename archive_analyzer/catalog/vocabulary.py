"""The versioned art vocabulary shipped with the package (archive_analyzer/data/vocabulary.json).

Each term has the aspect it belongs to and, only where verified, a Getty AAT id. The vocabulary's
version is stored with every structured analysis, so a changed vocabulary can be re-applied.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

ASPECTS = (
    "composition",
    "colour",
    "line",
    "light_and_shadow",
    "space_and_perspective",
    "texture_and_brushwork",
    "form",
    "mood_and_effect",
)


@dataclass(frozen=True)
class Term:
    term: str
    aspect: str
    aat: str | None
    pattern: re.Pattern


@dataclass(frozen=True)
class Vocabulary:
    version: str
    terms: tuple[Term, ...]
    cues: dict[str, re.Pattern]

    def find_terms(self, text: str) -> list[str]:
        """Canonical terms mentioned in `text`, in vocabulary order, each once."""
        return [t.term for t in self.terms if t.pattern.search(text)]

    def term(self, name: str) -> Term | None:
        return next((t for t in self.terms if t.term == name), None)


def _words(phrases: list[str]) -> re.Pattern:
    # Whole words only ("line" must not match "linen"); longest first so phrases win.
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def parse_vocabulary(data: dict) -> Vocabulary:
    terms = []
    for entry in data["terms"]:
        aspect = entry["aspect"]
        if aspect not in ASPECTS and aspect not in data.get("categories", {}):
            raise ValueError(f"term {entry['term']!r} has unknown aspect {aspect!r}")
        aat = entry.get("aat")
        if aat is not None and not re.fullmatch(r"300\d{6}", aat):
            raise ValueError(f"term {entry['term']!r}: {aat!r} is not an AAT id")
        phrases = [entry["term"], *entry.get("variants", [])]
        terms.append(Term(entry["term"], aspect, aat, _words(phrases)))
    cues = {aspect: _words(words) for aspect, words in data["aspects"].items()}
    if set(cues) != set(ASPECTS):
        raise ValueError(f"vocabulary aspects {sorted(cues)} differ from {sorted(ASPECTS)}")
    return Vocabulary(data["version"], tuple(terms), cues)


@cache
def load_vocabulary() -> Vocabulary:
    text = resources.files("archive_analyzer").joinpath("data", "vocabulary.json").read_text()
    return parse_vocabulary(json.loads(text))
