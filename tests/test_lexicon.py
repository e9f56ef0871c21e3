"""The English -> Dutch lexicon: its parsing, its reading of questions, and its data."""

from __future__ import annotations

import re
import unicodedata
from importlib import resources

import pytest

from kernwijzer.retrieval.answertype import (
    asks_quantity,
    cue_matches,
    has_amount,
    has_shape,
    quantity_missing,
)
from kernwijzer.retrieval.lexicon import load_lexicon, parse, read_english
from tests.conftest import CORPUS

TINY = """
# comment
-: what, how, does
huisartsenzorg: gp care, general practice care
huisarts huisartsen: gp, general practitioner
zorg: care
toestemming: permission, consent
"""


def test_longest_phrase_wins_and_each_phrase_gives_its_dutch_forms():
    lexicon = parse(TINY)
    reading = lexicon.read("Does GP care need the GP's permission?")
    assert reading.groups == (("huisartsenzorg",), ("huisarts", "huisartsen"), ("toestemming",))
    assert reading.gloss == "huisartsenzorg huisarts toestemming"
    assert reading.untranslated == ("need",)
    assert reading.content_words == 4


def test_asking_words_stop_words_numbers_and_codes_are_not_untranslated():
    reading = parse(TINY).read("What does U3 mean for the 2095 patients of a GP?")
    assert reading.untranslated == ("mean", "patients")
    assert reading.gloss == "U3 2095 huisarts"


def test_a_phrase_reduced_to_one_word_does_not_gloss_that_word():
    # "at most" and "in person" lose their stop words and key on "most" and "person";
    # sorting first must not make them the gloss of the plain word.
    lexicon = parse("fysiek: in person\nmaximaal: at most\nmeest: most\npersoon: person\n")
    assert lexicon.read("Which person sees most?").gloss == "persoon meest"
    assert lexicon.read("Which person sees most?").groups == (
        ("persoon", "fysiek"),
        ("meest", "maximaal"),
    )


def test_a_malformed_line_is_refused_with_its_number():
    with pytest.raises(ValueError, match="line 2"):
        parse("zorg: care\nno colon here\n")
    with pytest.raises(ValueError, match="line 1"):
        parse("zorg:\n")


def test_every_dutch_form_in_the_lexicon_occurs_in_the_corpus():
    # Written from the corpus's words: a form the corpus never uses can match nothing.
    text = " ".join(p.read_text(encoding="utf-8").lower() for p in CORPUS.glob("*.txt"))
    text = "".join(" " if unicodedata.category(ch) == "No" else ch for ch in text)  # ¹⁴
    words = set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text))
    own = parse(resources.files("kernwijzer").joinpath("lexicon.txt").read_text("utf-8"))
    forms = {form for group in own.phrases.values() for form in group}
    assert len(forms) > 1000
    assert sorted(forms - words) == []


@pytest.mark.parametrize(
    ("question", "dutch"),
    [
        ("Do I need the insurer's permission for GP care?", {"toestemming", "huisartsenzorg"}),
        ("Why is the basic package of GP care under pressure?", {"basisaanbod", "knel"}),
        ("Is 2095 patients per full-time GP a binding standard?", {"norm", "fte"}),
        ("Is 2095 patients per full time GP a binding standard?", {"norm", "fte"}),
        ("How do I renew my driving licence?", {"rijbewijs"}),
        # The glossary's domain terms are read whole, not word by word ("arts hulp").
        ("Can a physician assistant replace the GP?", {"PA", "vervangen"}),
        ("Which extra services are offered out of hours?", {"extra aanbod", "ANW-zorg"}),
    ],
)
def test_english_questions_are_read_in_the_corpus_s_dutch(question, dutch):
    assert dutch <= set(read_english(question).terms)


def test_a_misspelt_english_word_is_read_as_the_word_it_stands_for():
    reading = read_english("Can a physican assistant replce the GP?")
    assert {"PA", "vervangen"} <= set(reading.terms)
    assert not reading.untranslated
    assert "toestemming" in read_english("Do I need the insurers permision?").terms


def test_a_hyphenated_word_the_lexicon_lacks_is_read_as_its_parts():
    reading = read_english("Who may run a quit-smoking course?")
    assert {"stoppen met roken", "scholing"} <= set(reading.terms)
    # A compound the lexicon lists whole keeps its own sense, not its parts' ("house").
    assert "intern" in read_english("Is there an in-house pharmacy?").terms
    assert "huis" not in read_english("Is there an in-house pharmacy?").terms


@pytest.mark.parametrize(
    "word",
    # a real if rare English word; Dutch asked in English; a code; a short word
    ["overpaid", "remunerate", "huisarts", "praktijkhouder", "POH", "ANIOS", "dose"],
)
def test_real_words_dutch_words_and_codes_are_not_taken_for_misspellings(word):
    assert load_lexicon().spelled(word) == word


def test_words_the_corpus_never_speaks_of_stay_untranslated():
    reading = read_english("What is the correct ibuprofen dose for a child with fever?")
    assert {"ibuprofen", "dose", "fever"} <= set(reading.untranslated)


def test_quantity_questions_and_amounts():
    assert asks_quantity("Hoeveel patiënten heeft een normpraktijk?")
    assert asks_quantity("How much does a practice nurse earn?")
    assert asks_quantity("Wat kost een valrisicobeoordeling?")
    assert not asks_quantity("Mag een PA de huisarts vervangen?")
    assert has_amount("Een normpraktijk heeft 2095 patiënten")
    assert has_amount("minimaal twee dagen per week")
    assert not has_amount("patiënten¹³ krijgen zorg")  # a footnote mark is not a number
    assert quantity_missing("Hoe vaak moet dat?", "De huisarts doet dat regelmatig.")


def test_an_english_answer_says_how_it_was_read_in_dutch(kw):
    english = kw.answer("Why is the basic package of GP care under pressure?")
    assert english.language == "en"
    assert {"basisaanbod", "huisartsenzorg", "knel"} <= set(english.dutch_reading.split())
    assert kw.answer("Waarom staat het basisaanbod onder druk?").dutch_reading is None


def test_a_why_question_asks_for_a_sentence_that_gives_a_reason():
    assert cue_matches("Waarom bieden huisartsen extra aanbod?") == ["reason"]
    assert cue_matches("Why is the basic package under pressure?") == ["reason"]
    assert cue_matches("Wat is een normpraktijk?") == []
    assert has_shape("reason", "Daardoor komt het basisaanbod in de knel.")
    assert not has_shape("reason", "Het basisaanbod is zorg die elke huisarts biedt.")
