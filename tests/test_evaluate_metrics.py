"""The scores a user reads: known values from the metrics' papers and docs, worked by hand."""

import math
import sys

import pytest

from archive_analyzer.errors import MissingExtraError
from archive_analyzer.evaluate.metrics import score_texts
from archive_analyzer.evaluate.runner import evaluate_model

# Unsmoothed BLEU warns when a paragraph shares no 4-gram; a score of 0 is what we report.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:nltk.translate.bleu_score")

# The example of Papineni et al. (2002) as nltk's bleu_score and meteor_score docs use it.
GUIDE = (
    "It is a guide to action which ensures that the military always obeys the commands of the "
    "party."
)
GUIDE_REFS = [
    "It is a guide to action that ensures that the military will forever heed Party commands.",
    "It is the guiding principle which guarantees the military forces always being under the "
    "command of the Party.",
    "It is the practical guide for the army always to heed the directions of the party.",
]
BOOK = "He read the book because he was interested in world history."
BOOK_REF = "He was interested in world history because he read the book."


def one(reference: str, paragraph: str):
    return score_texts([[reference]], [paragraph])


def test_bleu4_is_the_corpus_score_not_the_mean_of_sentences():
    scores = score_texts([GUIDE_REFS, [BOOK_REF]], [GUIDE, BOOK])
    # nltk's docs: corpus_bleu gives 0.5920..., the mean of the two sentence_bleu 0.6223...
    assert scores.bleu4 == pytest.approx(0.5921, abs=1e-4)
    assert score_texts([GUIDE_REFS], [GUIDE]).bleu4 == pytest.approx(0.5046, abs=1e-4)


def test_bleu4_penalises_a_short_paragraph():
    # Every n-gram of the paragraph is in the reference; only the brevity penalty bites.
    scores = one("the light falls from the upper left onto the sitter", "the light falls from")
    assert scores.bleu4 == pytest.approx(math.exp(1 - 10 / 4))


def test_gleu_by_hand():
    # 'the' x7 against 'the cat is on the mat' (nltk's docs): 2 matches of 22 n-grams.
    assert one("the cat is on the mat", "the the the the the the the").gleu == pytest.approx(2 / 22)
    # min(precision 3/3, recall 3/6); over a corpus the counts add up: (3 + 3) / (6 + 3).
    assert one("the cat sat", "the cat").gleu == pytest.approx(0.5)
    corpus = score_texts([["the cat sat"], ["a dog"]], ["the cat", "a dog"])
    assert corpus.gleu == pytest.approx(6 / 9)


def test_meteor_by_hand():
    # nltk's docs give 0.6944 for this pair; it needs no synonyms, so ours agrees.
    assert score_texts([GUIDE_REFS], [GUIDE]).meteor == pytest.approx(0.6944, abs=1e-4)
    # Identical: 1 chunk of 6 matches, fragmentation penalty 0.5 * (1/6)^3.
    same = "muted earthy colours keep it harmonious"
    assert one(same, same).meteor == pytest.approx(1 - 0.5 / 6**3)
    # Recall weighs 9 times precision: P = 1, R = 1/3, 1 chunk of 2 matches.
    fmean = (1 / 3) / (0.9 + 0.1 / 3)
    assert one("the cat sat on a mat", "the cat").meteor == pytest.approx(fmean * (1 - 0.5 / 8))
    # Word order: 'the cat' + 'sat' are 2 chunks of 3 matches.
    assert one("the cat sat", "sat the cat").meteor == pytest.approx(1 - 0.5 * (2 / 3) ** 3)


def test_meteor_matches_stems_but_not_synonyms():
    # Porter stems: painters/painter, painted/paints -> one chunk of 3 matches.
    assert one("the painter paints", "the painters painted").meteor == pytest.approx(1 - 0.5 / 27)
    # The best of several references counts.
    best = score_texts([["a still life", "the painter paints"]], ["the painters painted"])
    assert best.meteor == pytest.approx(1 - 0.5 / 27)
    # No WordNet: 'large' for 'big' counts no more than an unrelated word (2 of 3, 2 chunks).
    synonym = one("a big canvas", "a large canvas").meteor
    assert synonym == one("a big canvas", "a green canvas").meteor == pytest.approx(1 / 3)


def test_rouge_l_by_hand_and_best_reference():
    # Lin (2004): LCS 3 of 4 words, and 'the gunman' (2 of 4) when the order is reversed.
    assert one("police killed the gunman", "police kill the gunman").rouge_l == pytest.approx(0.75)
    assert one("police killed the gunman", "the gunman kill police").rouge_l == pytest.approx(0.5)
    best = score_texts([["a still life", "police killed the gunman"]], ["police kill the gunman"])
    assert best.rouge_l == pytest.approx(0.75)


def test_cider_d_by_hand():
    # Two paragraphs equal to their references and sharing no word: every cosine is 1, x10.
    # (A paragraph shorter than 4 words has no 4-gram and would lose a quarter.)
    refs = [["warm ochres glow softly"], ["cool blue shadows recede"]]
    paragraphs = ["warm ochres glow softly", "cool blue shadows recede"]
    assert score_texts(refs, paragraphs).cider == pytest.approx(10.0)
    # Document frequencies come from the test set: with one example every idf is log(1) = 0.
    assert one("warm ochres glow", "warm ochres glow").cider == 0.0
    half = score_texts(refs, ["warm ochres glow softly", "a portrait of a woman"])
    assert 0 < half.cider < 10.0


def test_case_and_punctuation_change_no_score():
    refs = [[GUIDE_REFS[0]], [BOOK_REF]]
    plain = score_texts(refs, [GUIDE, BOOK])
    shouted = score_texts(refs, [GUIDE.upper().replace(" ", ", "), "  " + BOOK.upper() + "!!"])
    assert shouted == plain
    # Apostrophes stay inside a word for every metric: "artist's" is not "artist s".
    split = one("the artist s palette glows", "the artist's palette glows").as_dict()
    assert all(value < 1.0 for value in split.values()), split


def test_a_perfect_answer_beats_a_partial_one_beats_a_wrong_one():
    refs = [[GUIDE_REFS[0]], [BOOK_REF]]
    perfect = score_texts(refs, [GUIDE_REFS[0], BOOK_REF])
    partial = score_texts(refs, [GUIDE, BOOK])
    wrong = score_texts(refs, ["Portrait of a woman.", "A landscape."])
    assert perfect.bleu4 == perfect.gleu == perfect.rouge_l == pytest.approx(1.0)
    for name, value in partial.as_dict().items():
        assert wrong.as_dict()[name] < value < perfect.as_dict()[name], name


def test_an_empty_paragraph_scores_zero():
    scores = score_texts([[GUIDE_REFS[0]], [BOOK_REF]], ["", "..."])
    assert scores.as_dict() == dict.fromkeys(scores.as_dict(), 0.0)


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError, match="one reference group per paragraph"):
        score_texts([[BOOK_REF]], [BOOK, GUIDE])
    with pytest.raises(ValueError):
        score_texts([], [])


@pytest.mark.parametrize(
    "module",
    ["nltk.translate.meteor_score", "rouge_score.rouge_scorer", "pycocoevalcap.cider.cider"],
)
def test_a_missing_library_names_the_eval_extra(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # import of it now raises ImportError
    with pytest.raises(MissingExtraError, match=r"archive-analyzer\[eval\]"):
        one(BOOK_REF, BOOK)


def test_evaluate_stops_before_generating_when_a_library_is_missing(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "rouge_score.rouge_scorer", None)
    # No database, model or data: the check comes before anything is opened or generated.
    with pytest.raises(MissingExtraError, match="rouge-score"):
        evaluate_model(None, str(tmp_path / "no-model"), str(tmp_path / "no-data"), tmp_path)
