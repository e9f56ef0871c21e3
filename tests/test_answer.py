"""Answers on the real index: the right quotes, verbatim, linked, abstaining when they should."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernwijzer.answer.compose import verify, widen
from kernwijzer.answer.related import as_question
from kernwijzer.retrieval.answerability import coverage
from kernwijzer.retrieval.question import QuestionError, Turn
from kernwijzer.text.tokens import tokens
from kernwijzer.web.cards import text_fragment

NEVER_REPLACE = "een PA of VS nooit een huisarts kan vervangen"
ALSO_NEVER = "maar nooit een huisarts vervangen"


@pytest.mark.parametrize(
    "question", ["Mag een PA de huisarts vervangen?", "may a PA replace a GP?"]
)
def test_pa_question_quotes_both_passages(kw, question):
    answer = kw.answer(question)
    assert not answer.abstained
    assert any(NEVER_REPLACE in c.quote for c in answer.citations[:2])
    quotes = " ".join(c.quote for c in answer.citations)
    assert NEVER_REPLACE in quotes and ALSO_NEVER in quotes
    assert answer.language == ("en" if question.startswith("may") else "nl")
    first = next(c for c in answer.citations if NEVER_REPLACE in c.quote)
    assert first.doc_id == "lhv-nhg-kernwaarden" and first.publisher.startswith("LHV en NHG")
    assert first.link == (
        f"/bron/lhv-nhg-kernwaarden?q={first.start}-{first.end}"
        f"&f={first.focus_start}-{first.focus_end}#{first.anchor}"
    )
    assert first.section_path[-1].startswith("Hoe is de zorg voor ingeschreven")


def test_every_quote_is_verbatim_and_linked(kw):
    for question in (
        "Wat betekent urgentie U3?",
        "Hoe declareer ik huisartsenzorg?",
        "What are the core tasks of a GP?",
    ):
        answer = kw.answer(question)
        assert answer.citations
        for c in answer.citations:
            assert verify(c, kw.snapshot)
            doc = kw.snapshot.documents[c.doc_id]
            assert c.anchor in doc.by_anchor
            assert c.start <= c.focus_start < c.focus_end <= c.end


def test_list_introductions_bring_their_list(kw):
    answer = kw.answer("Wat betekent urgentie U3?")
    quote = next(
        c.quote for c in answer.citations if "U3 → beoordeling binnen enkele uren" in c.quote
    )
    assert "U0 → reanimatie" in quote and "U5 →" in quote


def test_a_footnote_that_states_something_is_quoted(kw):
    answer = kw.answer("Hoeveel uur per week rekent het document voor één fte huisarts?")
    assert any("Voor 1fte gaan we uit van 40 uur" in c.quote for c in answer.citations[:5])
    assert not any(c.quote.startswith("https://") for c in answer.citations)


def test_a_section_that_is_a_list_is_quoted_whole(kw):
    """A hit on the heading "4.1. Signalen" quotes the list the section is."""
    from kernwijzer.answer.compose import _heading_quote

    doc = kw.snapshot.documents["lhv-nhg-kernwaarden"]
    section = doc.by_anchor["4-1-signalen"]
    _, (start, end) = _heading_quote(doc.text, section.body_start, 1000)
    quote = doc.text[start:end]
    assert quote.startswith("De eigenaar van de huisartsenpraktijk")
    assert "Onduidelijke organisatieconstructies" in quote


def test_a_label_is_quoted_with_what_it_names(kw):
    answer = kw.answer("Wat is spoedeisende zorg?")
    assert all(c.quote.strip() != "Spoedeisende zorg" for c in answer.citations)
    labelled = [c.quote for c in answer.citations if c.quote.startswith("Spoedeisende zorg\n")]
    assert labelled and "- Spoedzorg is zorg die niet kan wachten" in labelled[0]


def test_widen_extends_to_the_list_a_sentence_introduces():
    text = "Er zijn vijf kerntaken:\n\n- Een\n- Twee\n\nVerder."
    assert widen(text, 0, 23) == (0, text.index("\n\nVerder"))


@pytest.mark.parametrize(
    "question",
    [
        "Wat is de juiste dosering amoxicilline bij een kind van 20 kilo?",
        "Will it rain in Utrecht tomorrow?",
        # Touches the glossary ("referral" → poortwachtersrol), but no passage is about it.
        "May GPs use ChatGPT to write referral letters?",
    ],
)
def test_out_of_scope_questions_abstain_in_their_language(kw, question):
    answer = kw.answer(question)
    assert answer.abstained
    assert answer.answer.startswith(
        "De bronnen beantwoorden" if "kind" in question else "The sources do not"
    )
    assert all(not c.supports for c in answer.citations)


def test_follow_up_uses_the_previous_turn(kw):
    answer = kw.answer(
        "En een verpleegkundig specialist?", history=[Turn("Mag een PA de huisarts vervangen?")]
    )
    assert any("nooit een huisarts" in c.quote for c in answer.citations[:3])


@pytest.mark.parametrize(
    "question", ["En een VS?", "and a nurse practitioner?", "Ook voor kinderen?", "Or a POH?"]
)
def test_a_follow_up_with_nothing_to_follow_asks_what_it_refers_to(kw, question):
    with pytest.raises(QuestionError) as refused:
        kw.answer(question)
    assert "follow-up" in refused.value.in_language("en")
    assert "vervolgvraag" in refused.value.in_language("nl")
    assert kw.answer(question, history=[Turn("Mag een PA de huisarts vervangen?")]).citations
    # A whole question that happens to open with "En" or "Ook" is a question.
    assert kw.answer("En hoe zit het met de normpraktijk en het aantal patiënten?").citations


def test_a_short_new_question_after_a_turn_stands_on_its_own(kw):
    answer = kw.answer(
        "Wat betekent urgentie U3?", history=[Turn("Mag een PA de huisarts vervangen?")]
    )
    assert any("U3" in c.quote for c in answer.citations[:2])
    assert not any("nooit een huisarts" in c.quote for c in answer.citations[:2])


def test_source_filter_limits_documents(kw):
    answer = kw.answer("Stoppen met roken", documents={"asr-huisartsenzorg"})
    assert answer.citations and {c.doc_id for c in answer.citations} == {"asr-huisartsenzorg"}


@pytest.mark.parametrize(
    ("question", "message"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("   \n\t ", "empty", id="whitespace"),
        pytest.param("x" * 100_000, "limit", id="100kB"),
        pytest.param("\x00\x01\x02", "empty", id="control-only"),
        pytest.param(None, "text", id="not-text"),
        pytest.param("???", "no words", id="punctuation-only"),
        pytest.param("x", "no words", id="one-letter"),
        pytest.param("12345", "no words", id="bare-number"),
        pytest.param("wat is het?", "no words", id="stop-words-only"),
        pytest.param("Waarom?", "no words", id="question-word-only"),
    ],
)
def test_bad_questions_are_refused(fake_kw, question, message):
    with pytest.raises(QuestionError, match=message):
        fake_kw.answer(question)


def test_a_contentless_follow_up_borrows_the_previous_question(kw):
    answer = kw.answer("Waarom?", history=[Turn("Mag een PA de huisarts vervangen?")])
    assert answer.citations
    assert kw.answer("U3?").citations  # a code is a word to search for
    for nothing in ("???", "12345", "?!"):
        # Not a letter to ask with: refused even after a question, nothing borrowed.
        with pytest.raises(QuestionError, match="no words"):
            kw.answer(nothing, history=[Turn("Mag een PA de huisarts vervangen?")])


def test_markup_and_odd_characters_are_text(fake_kw):
    answer = fake_kw.answer("<script>alert(1)</script> wat is U3? \x07")
    assert answer.question.startswith("<script>alert(1)</script>")
    assert all(verify(c, fake_kw.snapshot) for c in answer.citations)


@pytest.mark.parametrize("broken", ["wat is U3? \ud800", "wat is U3? \udcff", "wat is U3? \ufffd"])
def test_text_that_was_not_utf8_is_refused_not_guessed(fake_kw, broken):
    # A lone surrogate is how Python passes a non-UTF-8 argv byte; U+FFFD how a web
    # decoder does. Either way part of the question is lost, so it is not answered.
    with pytest.raises(QuestionError, match="not valid UTF-8"):
        fake_kw.answer(broken)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_answer_never_raises_and_never_misquotes(fake_kw, text):
    try:
        answer = fake_kw.answer(text)
    except QuestionError:
        return
    assert all(verify(c, fake_kw.snapshot) for c in answer.citations)


def test_domain_terms_count_as_evidence_only_when_the_passage_has_them():
    question = "Is a concept that only offers urgent care considered GP care?"
    vocabulary = set(tokens("spoedzorg concept praktijk"))
    # "spoedzorg" starts with "spoed": a Dutch compound about the same thing.
    with_term = coverage(question, "en", "Als een concept alleen spoedzorg biedt", vocabulary)
    without = coverage(question, "en", "De praktijk heeft een vast team.", vocabulary)
    assert with_term == 1.0
    assert without == 0.0


def test_see_also_offers_the_sources_own_questions(kw):
    answer = kw.answer("Hoeveel patiënten heeft een normpraktijk?")
    assert 1 <= len(answer.related) <= 3
    titles = {s.title for d in kw.snapshot.documents.values() for s in d.sections}
    assert all(q in titles and q.endswith("?") for q in answer.related)
    assert kw.answer("What is the maximum dose of ibuprofen?").related == []


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "WAT ZIJN DE KERNTAKEN VAN DE HUISARTSENZORG?",
            "Wat zijn de kerntaken van de huisartsenzorg?",
        ),
        ("Bent u huisarts?", None),
        ("Spoedeisende zorg", None),
    ],
)
def test_a_title_as_a_question(title, expected):
    assert as_question(title) == expected


def test_copied_links_find_the_sentence_on_the_public_page():
    assert text_fragment("Zorg in de ANW-uren") == "#:~:text=Zorg%20in%20de%20ANW%2Duren"
    long = (
        "De huisarts biedt zorg, ook 's avonds & in het weekend, aan alle ingeschreven patiënten."
    )
    assert text_fragment(long) == (
        "#:~:text=De%20huisarts%20biedt%20zorg%2C,aan%20alle%20ingeschreven%20pati%C3%ABnten."
    )
