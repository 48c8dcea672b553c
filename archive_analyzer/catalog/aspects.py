"""The analysis paragraph split into sentences, each assigned to the formal aspects it treats.

A sentence may serve several aspects ("the diagonal of light" is composition and light); a
sentence matching no aspect is kept under "other" so the structured form loses no text.
"""

from __future__ import annotations

import re

from archive_analyzer.catalog.vocabulary import ASPECTS, Vocabulary

OTHER = "other"
# A sentence ends at . ! ? followed by space and a capital/quote/digit; "c. 1830" and "St. Ives"
# do not end one.
_BOUNDARY = re.compile(r"(?<!\bc\.)(?<!\bSt\.)(?<!\bMr\.)(?<=[.!?])\s+(?=[\"'“A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _BOUNDARY.split(" ".join(text.split())) if s.strip()]


def assign_aspects(text: str, vocabulary: Vocabulary) -> dict[str, list[str]]:
    """{aspect: [sentences]} in the order of ASPECTS, then "other"; aspects without text omitted."""
    found: dict[str, list[str]] = {}
    for sentence in split_sentences(text):
        aspects = [a for a in ASPECTS if vocabulary.cues[a].search(sentence)]
        for term in vocabulary.terms:
            if term.aspect in ASPECTS and term.pattern.search(sentence):
                aspects.append(term.aspect)
        for aspect in dict.fromkeys(aspects) or [OTHER]:
            found.setdefault(aspect, []).append(sentence)
    order = {name: i for i, name in enumerate((*ASPECTS, OTHER))}
    return dict(sorted(found.items(), key=lambda item: order[item[0]]))
