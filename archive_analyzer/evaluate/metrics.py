"""BLEU-4, GLEU, METEOR, ROUGE-L and CIDEr-D over tokenised paragraphs.

Each follows the definition of the implementation people report with, so our numbers can be set
next to published ones (tests check them against those packages to 4 decimals):
- BLEU-4: corpus BLEU, uniform weights, closest-reference brevity penalty, no smoothing (nltk).
- GLEU: corpus GLEU, 1- to 4-grams, min(precision, recall) summed over the corpus (nltk).
- METEOR: Lavie & Agarwal's formula (alpha 0.9, beta 3, gamma 0.5) with the exact and Porter-stem
  matching modules only. WordNet synonyms are not used: WordNet's data is not installable from
  PyPI here, so scores equal nltk's meteor_score with its synonym stage empty, and run a little
  lower than METEOR with synonyms.
- ROUGE-L: F1 of the longest common subsequence, best reference, averaged (rouge-score).
- CIDEr-D: tf-idf n-gram cosine with clipping and a length penalty, x10 (pycocoevalcap).
All texts go through one tokenizer: lower case, words and numbers, punctuation dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache

from archive_analyzer.errors import MissingExtraError

Tokens = list[str]
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def tokenize(text: str) -> Tokens:
    return _WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def bleu4(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    matched, total = [0] * 4, [0] * 4
    hyp_length = ref_length = 0
    for refs, hyp in zip(references, hypotheses, strict=True):
        for n in range(1, 5):
            counts = ngrams(hyp, n)
            ceiling: Counter = Counter()
            for ref in refs:
                ceiling |= ngrams(ref, n)
            matched[n - 1] += sum((counts & ceiling).values())
            # A hypothesis shorter than n still counts one n-gram slot, as in nltk.
            total[n - 1] += max(len(hyp) - n + 1, 1)
        hyp_length += len(hyp)
        ref_length += min((abs(len(r) - len(hyp)), len(r)) for r in refs)[1]
    if min(matched) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matched, total, strict=True)) / 4
    brevity = 1.0 if hyp_length > ref_length else math.exp(1 - ref_length / max(hyp_length, 1))
    return brevity * math.exp(log_precision)


def _all_grams(tokens: Tokens) -> Counter:
    grams: Counter = Counter()
    for n in range(1, 5):
        grams.update(ngrams(tokens, n))
    return grams


def gleu(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    matched = total = 0
    for refs, hyp in zip(references, hypotheses, strict=True):
        hyp_grams = _all_grams(hyp)
        options = []
        for ref in refs:
            ref_grams = _all_grams(ref)
            denominator = max(sum(hyp_grams.values()), sum(ref_grams.values()))
            if denominator:
                options.append((sum((hyp_grams & ref_grams).values()), denominator))
        if options:
            best = max(options, key=lambda pair: pair[0] / pair[1])
            matched, total = matched + best[0], total + best[1]
    return matched / total if total else 0.0


@cache
def _stemmer():
    try:
        from nltk.stem.porter import PorterStemmer
    except ImportError as exc:
        raise MissingExtraError("nltk (Porter stemmer for METEOR)", "train") from exc
    return PorterStemmer()


def _match(hyp: list[tuple[int, str]], ref: list[tuple[int, str]]):
    """Pair equal words, scanning the hypothesis from its end and the reference likewise."""
    free: dict[str, list[int]] = {}
    for j, (_, word) in enumerate(ref):
        free.setdefault(word, []).append(j)
    pairs, used_h, used_r = [], set(), set()
    for i in reversed(range(len(hyp))):
        slots = free.get(hyp[i][1])
        if slots:
            j = slots.pop()
            used_h.add(i)
            used_r.add(j)
            pairs.append((hyp[i][0], ref[j][0]))
    rest_h = [w for i, w in enumerate(hyp) if i not in used_h]
    rest_r = [w for j, w in enumerate(ref) if j not in used_r]
    return pairs, rest_h, rest_r


def _chunks(pairs: list[tuple[int, int]]) -> int:
    return 1 + sum(
        1
        for (h0, r0), (h1, r1) in zip(pairs, pairs[1:], strict=False)
        if not (h1 == h0 + 1 and r1 == r0 + 1)
    )


def meteor_pair(ref: Tokens, hyp: Tokens, alpha=0.9, beta=3.0, gamma=0.5) -> float:
    stem = _stemmer().stem
    exact, rest_h, rest_r = _match(list(enumerate(hyp)), list(enumerate(ref)))
    stemmed, _, _ = _match([(i, stem(w)) for i, w in rest_h], [(j, stem(w)) for j, w in rest_r])
    pairs = sorted(exact + stemmed)
    if not pairs:
        return 0.0
    precision, recall = len(pairs) / len(hyp), len(pairs) / len(ref)
    fmean = precision * recall / (alpha * precision + (1 - alpha) * recall)
    return fmean * (1 - gamma * (_chunks(pairs) / len(pairs)) ** beta)


def meteor(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    scores = [
        max(meteor_pair(ref, hyp) for ref in refs)
        for refs, hyp in zip(references, hypotheses, strict=True)
    ]
    return sum(scores) / len(scores) if scores else 0.0


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l_pair(ref: Tokens, hyp: Tokens) -> float:
    common = lcs_length(ref, hyp)
    if not common:
        return 0.0
    precision, recall = common / len(hyp), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def rouge_l(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> float:
    scores = [
        max(rouge_l_pair(ref, hyp) for ref in refs)
        for refs, hyp in zip(references, hypotheses, strict=True)
    ]
    return sum(scores) / len(scores) if scores else 0.0


def _tfidf(tokens: Tokens, df: Counter, log_docs: float):
    vectors = [
        {g: c * (log_docs - math.log(max(1.0, df[g]))) for g, c in ngrams(tokens, n).items()}
        for n in range(1, 5)
    ]
    norms = [math.sqrt(sum(v * v for v in vec.values())) for vec in vectors]
    # The reference implementation measures length as the number of bigrams; kept for parity.
    return vectors, norms, max(len(tokens) - 1, 0)


def _cider_similarity(hyp, ref, sigma: float) -> list[float]:
    (h_vecs, h_norms, h_len), (r_vecs, r_norms, r_len) = hyp, ref
    penalty = math.exp(-((h_len - r_len) ** 2) / (2 * sigma**2))
    values = []
    for h_vec, r_vec, h_norm, r_norm in zip(h_vecs, r_vecs, h_norms, r_norms, strict=True):
        value = sum(min(w, r_vec.get(g, 0.0)) * r_vec.get(g, 0.0) for g, w in h_vec.items())
        if h_norm and r_norm:
            value /= h_norm * r_norm
        values.append(value * penalty)
    return values


def cider_d(
    references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens], sigma: float = 6.0
) -> float:
    df: Counter = Counter()
    for refs in references:
        df.update({g for ref in refs for n in range(1, 5) for g in ngrams(ref, n)})
    log_docs = math.log(len(references)) if references else 0.0
    scores = []
    for refs, hyp in zip(references, hypotheses, strict=True):
        h = _tfidf(hyp, df, log_docs)
        per_n = [0.0] * 4
        for ref in refs:
            for n, value in enumerate(_cider_similarity(h, _tfidf(ref, df, log_docs), sigma)):
                per_n[n] += value
        scores.append(sum(per_n) / 4 / len(refs) * 10.0)
    return sum(scores) / len(scores) if scores else 0.0


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
    refs = [[tokenize(r) for r in group] for group in references]
    hyps = [tokenize(h) for h in hypotheses]
    return Scores(
        bleu4=bleu4(refs, hyps),
        gleu=gleu(refs, hyps),
        meteor=meteor(refs, hyps),
        rouge_l=rouge_l(refs, hyps),
        cider=cider_d(refs, hyps),
    )
