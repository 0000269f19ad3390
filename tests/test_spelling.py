"""The guarded dictionary corrector: fixes real misspellings, never names, numbers or URLs."""

from __future__ import annotations

import pytest
from conftest import corpus, read_jsonl

from cleaner import Pipeline
from cleaner.document import Document
from cleaner.ruleset import load_rules
from cleaner.steps.spelling import SpellingStep

pytest.importorskip("symspellpy")


@pytest.fixture(scope="module")
def speller():
    return SpellingStep(load_rules("spelling-en").spelling)


def fix(speller, text):
    return speller(Document(text=text)).text


def test_fixes_isolated_misspelling(speller):
    assert fix(speller, "The firm had recieved the payment.") == "The firm had received the payment."


@pytest.mark.parametrize(
    "text",
    [
        "Mr Nguyen met Zhejiang officials.",  # capitalised names
        "The patchier results came as no surprise.",  # rare but correct word
        "Visit www.exampel.com or mail info@exampel.org today.",  # URL and e-mail
        "The recieved stock and recieved cash were both counted.",  # repeated in the document
        "Model abc123 and x86 chips.",  # digits
        "a well-knwn fact",  # hyphenated
    ],
)
def test_guards_leave_text_alone(speller, text):
    assert fix(speller, text) == text


def test_real_birkbeck_misspellings_are_fixed_at_edit_distance_one(speller):
    from symspellpy.editdistance import DistanceAlgorithm, EditDistance

    dist = EditDistance(DistanceAlgorithm.DAMERAU_OSA)
    fixed = total = 0
    for rec in read_jsonl(corpus("birkbeck_misspellings.jsonl.gz")):
        wrong, right = rec["text"], rec["gold"]
        if not (wrong.isalpha() and wrong.islower() and right.isalpha() and right.islower()):
            continue
        if len(wrong) < 5 or dist.compare(wrong, right, 1) != 1:
            continue
        total += 1
        fixed += speller.suggest(wrong) == right
        if total >= 600:
            break
    assert total >= 300
    assert fixed / total >= 0.5


def test_spelling_is_off_in_default_and_on_with_the_pack():
    text = "The firm had recieved the payment."
    assert Pipeline.from_rules("default").clean("The firm had recievd it.").text == "The firm had recievd it."
    assert Pipeline(load_rules("default", "spelling-en")).clean(text).text == "The firm had received the payment."


def test_context_picks_the_candidate_that_fits_the_sentence(speller):
    # "extand" is one edit from extend, expand and extant: frequency alone cannot choose
    assert fix(speller, "The bank said it would not extand the loan.") == "The bank said it would not extend the loan."
    assert fix(speller, "He wants to expaind the business.") == "He wants to expand the business."


@pytest.mark.parametrize(
    "text",
    [
        "The theater center analyzed the program and traveled to the orthopedic clinic.",  # US spellings
        "Output rose to 16 mln bpd.",  # abbreviations have no vowel
        "OPEC said opec output would rise.",  # written as a name elsewhere in the document
        "Exports of invisibles helped.",  # plurals of dictionary words
    ],
)
def test_variants_abbreviations_and_names_are_left_alone(speller, text):
    assert fix(speller, text) == text


@pytest.mark.parametrize(
    "text",
    [  # sentences from Reuters bodies; each word is one edit from a commoner dictionary word
        "The loans are priced at 1/4 point over libor, the company said.",
        "It sells through department and specialty stores.",
        "Nor do we see any need to plow resources into a technology we may not use.",
        "A former official of the bank pled guilty today to conspiring to accept money.",
        "Dealers on the forex market said the dollar opened firmer.",
    ],
)
def test_words_the_wider_word_list_knows_are_left_alone(speller, text):
    pytest.importorskip("wordfreq")
    assert fix(speller, text) == text


def test_the_word_list_guard_still_lets_common_misspellings_through(speller):
    pytest.importorskip("wordfreq")
    assert fix(speller, "The company said it had recieved the statment.") == (
        "The company said it had received the statement."
    )


def test_a_document_in_another_language_is_left_alone(speller):
    german = "Die Gemeinde hat beschlossen, dass die Arbeiten an der neuen Brücke im Frühjahr beginnen sollen."
    assert fix(speller, german) == german  # an English dictionary would make "beginnen" "beginner"


def test_spelling_runs_after_repeats_so_cleaning_twice_changes_nothing():
    """'used twice in the document' must be judged on the lines that stay: a repeated line used to keep
    its word from correction, and the second run, without the repeat, corrected it (hypothesis found it)."""
    pipe = Pipeline(load_rules("default", "spelling-en"))
    text = "The firm had recieved the payment on Monday.\nThe firm had recieved the payment on Monday."
    once = pipe.clean(text)
    assert once.text == "The firm had received the payment on Monday."  # once the repeat is gone, used once
    assert pipe.clean(once.text).text == once.text
