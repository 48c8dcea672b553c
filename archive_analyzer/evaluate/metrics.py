"""BLEU-4, GLEU, METEOR, ROUGE-L and CIDEr-D over tokenised paragraphs, computed by the libraries
people publish with, so our numbers can be set next to theirs.

GalleryGPT ships no evaluation script. It reports GLEU, which only nltk implements, so BLEU-4,
GLEU and METEOR come from nltk, ROUGE-L from rouge-score and CIDEr-D from pycocoevalcap:
- BLEU-4: nltk `corpus_bleu` (uniform weights, closest-reference brevity penalty, no smoothing);
  corpus level, which differs from averaging `sentence_bleu`.
- GLEU: nltk `corpus_gleu` (1- to 4-grams, min(precision, recall) summed over the corpus).
- METEOR: nltk `meteor_score` (alpha 0.9, beta 3, gamma 0.5), best reference, averaged over
  paragraphs. Not pycocoevalcap's `Meteor`: that runs METEOR 1.5 as a Java subprocess.
  Only the exact and Porter-stem modules run: no package on PyPI ships WordNet in a form nltk can
  read (`wn` downloads its data at run time), so the synonym stage is given an empty WordNet.
  Scores can run a little lower than METEOR with synonyms; they never depend on whether a
  machine happens to have nltk_data.
- ROUGE-L: rouge-score `rougeL` F1, best reference (`score_multi`), averaged.
- CIDEr-D: pycocoevalcap `Cider` (tf-idf over the test set's references, sigma 6, x10). Its
  document frequencies come from the test set, so one example alone always scores 0.
Every metric sees the same tokens: lower case, words and numbers, punctuation dropped.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from archive_analyzer.errors import MissingExtraError

Tokens = list[str]
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def tokenize(text: str) -> Tokens:
    return _WORD.findall(text.lower())


def _library(module: str, package: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(f"{package} (evaluation metrics)", "eval") from exc


_LIBRARIES = {
    "nltk.translate.meteor_score": "nltk",
    "rouge_score.rouge_scorer": "rouge-score",
    "pycocoevalcap.cider.cider": "pycocoevalcap",
}


def check_installed() -> None:
    """Fail before hours of generation, not after, when the eval extra is missing."""
    for module, package in _LIBRARIES.items():
        _library(module, package)


class _Pretokenised:
    """rouge-score's tokenizer interface over texts we already tokenised and joined by spaces."""

    @staticmethod
    def tokenize(text: str) -> Tokens:
        return text.split()


class _NoWordNet:
    """nltk's METEOR synonym stage with no synsets: exact and stem matching only."""

    @staticmethod
    def synsets(word: str) -> list:
        return []


def bleu4(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    bleu = _library("nltk.translate.bleu_score", "nltk")
    return float(bleu.corpus_bleu(references, hypotheses))


def gleu(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    gleu_score = _library("nltk.translate.gleu_score", "nltk")
    return float(gleu_score.corpus_gleu(references, hypotheses))


def meteor(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    score = _library("nltk.translate.meteor_score", "nltk").meteor_score
    scores = [
        score(refs, hyp, wordnet=_NoWordNet())
        for refs, hyp in zip(references, hypotheses, strict=True)
    ]
    return sum(scores) / len(scores)


def rouge_l(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    scorer_module = _library("rouge_score.rouge_scorer", "rouge-score")
    scorer = scorer_module.RougeScorer(["rougeL"], tokenizer=_Pretokenised())
    scores = [
        scorer.score_multi([" ".join(r) for r in refs], " ".join(hyp))["rougeL"].fmeasure
        for refs, hyp in zip(references, hypotheses, strict=True)
    ]
    return sum(scores) / len(scores)


def cider_d(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    cider = _library("pycocoevalcap.cider.cider", "pycocoevalcap").Cider()
    gts = {i: [" ".join(r) for r in refs] for i, refs in enumerate(references)}
    res = {i: [" ".join(hyp)] for i, hyp in enumerate(hypotheses)}
    score, _ = cider.compute_score(gts, res)
    return float(score)


@dataclass(frozen=True)
class Scores:
    bleu4: float
    gleu: float
    meteor: float
    rouge_l: float
    cider: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def score_texts(references: Sequence[Sequence[str]], hypotheses: Sequence[str]) -> Scores:
    """All five metrics for generated paragraphs against one or more references each."""
    if len(references) != len(hypotheses) or not hypotheses:
        raise ValueError(
            f"need one reference group per paragraph, got {len(references)} for "
            f"{len(hypotheses)} paragraphs"
        )
    refs = [[tokenize(r) for r in group] for group in references]
    hyps = [tokenize(h) for h in hypotheses]
    return Scores(
        bleu4=bleu4(refs, hyps),
        gleu=gleu(refs, hyps),
        meteor=meteor(refs, hyps),
        rouge_l=rouge_l(refs, hyps),
        cider=cider_d(refs, hyps),
    )
