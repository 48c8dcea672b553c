"""Our metrics equal the reference implementations people publish with, to 4 decimals."""

import pytest
from nltk.translate.bleu_score import corpus_bleu
from nltk.translate.gleu_score import corpus_gleu
from nltk.translate.meteor_score import meteor_score
from pycocoevalcap.cider.cider import Cider
from rouge_score.rouge_scorer import RougeScorer

from archive_analyzer.evaluate.metrics import score_texts, tokenize

CASES = [
    (
        [
            "The composition is balanced by a strong diagonal that leads the eye into the "
            "distance, while warm ochres contrast with cool blues.",
            "A strong diagonal organises the composition; warm ochre tones meet cool blue ones.",
        ],
        "The composition is organised by a strong diagonal leading the eye into the distance, "
        "and warm ochres contrast with the cool blue sky.",
    ),
    (
        ["Chiaroscuro models the figures, with light falling from the upper left."],
        "Light falls from the upper left and models the figures in strong chiaroscuro.",
    ),
    (
        ["Loose, visible brushwork gives the surface a lively texture and impasto highlights."],
        "The brushwork is loose and visible, giving the painted surfaces lively textures.",
    ),
    (
        ["Linear perspective opens a deep space behind the foreground figures."],
        "Portrait of a woman.",
    ),
    (["Muted, earthy colours keep the palette harmonious."], "Muted earthy colours."),
]


class NoSynonyms:
    """nltk's METEOR with its WordNet stage empty: exact and stem modules only, like ours."""

    def synsets(self, word):
        return []


def references():
    refs = [[tokenize(r) for r in group] for group, _ in CASES]
    hyps = [tokenize(h) for _, h in CASES]
    return refs, hyps


@pytest.fixture(scope="module")
def ours():
    return score_texts([group for group, _ in CASES], [hyp for _, hyp in CASES])


def test_bleu4_and_gleu_equal_nltk(ours):
    refs, hyps = references()
    assert ours.bleu4 == pytest.approx(corpus_bleu(refs, hyps), abs=1e-4)
    assert ours.gleu == pytest.approx(corpus_gleu(refs, hyps), abs=1e-4)
    assert 0 < ours.bleu4 < 1 and 0 < ours.gleu < 1


def test_meteor_equals_nltk_exact_and_stem(ours):
    refs, hyps = references()
    expected = [meteor_score(r, h, wordnet=NoSynonyms()) for r, h in zip(refs, hyps, strict=True)]
    assert ours.meteor == pytest.approx(sum(expected) / len(expected), abs=1e-4)
    # "organised"/"organises" and "textures"/"texture" only match through the stemmer.
    assert ours.meteor > 0.3


def test_rouge_l_equals_rouge_score(ours):
    class Same:
        def tokenize(self, text):
            return tokenize(text)

    scorer = RougeScorer(["rougeL"], tokenizer=Same())
    expected = [scorer.score_multi(group, hyp)["rougeL"].fmeasure for group, hyp in CASES]
    assert ours.rouge_l == pytest.approx(sum(expected) / len(expected), abs=1e-4)


def test_cider_equals_pycocoevalcap(ours):
    gts = {i: [" ".join(tokenize(r)) for r in group] for i, (group, _) in enumerate(CASES)}
    res = {i: [" ".join(tokenize(hyp))] for i, (_, hyp) in enumerate(CASES)}
    expected, _ = Cider().compute_score(gts, res)
    assert ours.cider == pytest.approx(expected, abs=1e-4)


def test_a_perfect_answer_beats_a_wrong_one():
    reference = [[CASES[0][0][0]], [CASES[1][0][0]]]
    perfect = score_texts(reference, [CASES[0][0][0], CASES[1][0][0]])
    wrong = score_texts(reference, ["Portrait of a woman.", "A landscape."])
    assert perfect.bleu4 == pytest.approx(1.0) and perfect.rouge_l == pytest.approx(1.0)
    for name, value in wrong.as_dict().items():
        assert value < perfect.as_dict()[name], name
