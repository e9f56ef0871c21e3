"""Quotes against the original source files (issue: quotes exactly as the source says them)."""

from __future__ import annotations

import re

import pytest

from kernwijzer.answer.compose import select_spans
from kernwijzer.ingest.cleaning import REPAIRS
from kernwijzer.ingest.fidelity import OriginalText, letters
from kernwijzer.retrieval.fusion import Hit
from kernwijzer.text.structure import UNQUOTABLE
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def originals(documents):
    return {
        d: OriginalText.from_raw((CORPUS / doc.info.file).read_text("utf-8"), doc.info)
        for d, doc in documents.items()
    }


def test_every_repair_is_declared_with_a_one_line_reason():
    assert REPAIRS
    for name, reason in REPAIRS.items():
        assert re.fullmatch(r"[a-z-]+", name) and reason.strip() and "\n" not in reason


def test_comparison_ignores_layout_but_not_words():
    assert letters("Be han-\n\ndeling, U3 --> 24 uur") == letters("behandeling U3 → 24 uur")
    assert letters("vervangen¹⁵") != letters("vervangen")  # a footnote marker is text


@pytest.mark.parametrize(
    ("doc", "quote", "expected"),
    [
        pytest.param(
            "lhv-nhg-kernwaarden",
            "1 fte huisarts kan maximaal 4000 patiënten bedienen; bij meer patiënten moet de "
            "continuïteit aantoonbaar worden gewaarborgd.",
            (),
            id="table-cell-verbatim",
        ),
        pytest.param(
            "lhv-nhg-kernwaarden",
            "1 fte huisarts kan maximaal 4000 patiënten bedienen; bij meer patiënten moet de "
            "continuïteit aantoonbaar worden gewaarborgd.\n  Bronnen: Gebaseerd op 2x de "
            "normpraktijk",
            None,
            id="table-header-inserted",
        ),
        pytest.param(
            "lhv-nhg-kernwaarden",
            "1 fte huisarts kan maximaal 4000 patiënten bedienen; bij meer patiënten moet de "
            "continuïteit aantoonbaar worden gewaarborgd.\n  Gebaseerd op 2x de normpraktijk",
            ("markup",),
            id="table-row-without-its-header",
        ),
        pytest.param(
            "lhv-nhg-kernwaarden",
            "Er wordt minimaal het basisaanbod huisartsenzorg aangeboden.",
            ("markup", "table-page-break"),
            id="table-cell-across-a-page-break",
        ),
        pytest.param(
            "lhv-nhg-kernwaarden",
            "worden vastgesteld door het NHG en andere belanghebbenden.\n\n"
            "¹⁰ Visie Huisartsenzorg 2035",
            ("page-footnotes",),
            id="footnote-moved-after-its-paragraph",
        ),
        pytest.param(
            "lhv-nhg-kernwaarden",
            "worden vastgesteld door het NHG en andere belanghebbenden.\n\n"
            "¹⁰ Visie Huisartsenzorg 2099",
            None,
            id="footnote-that-the-original-lacks",
        ),
        pytest.param(
            "lhv-aanbod-brochure",
            "Veel klachten kan de huisarts zelf afhandelen",
            ("lost-ligature",),
            id="ligature",
        ),
        pytest.param(
            "lhv-nhg-kernwaarden",
            "het netwerk om de patiënt heen al bekend is². Zo voelen patiënten",
            (),
            id="footnote-marker-kept",
        ),
        pytest.param(
            "lhv-nhg-kernwaarden",
            "het netwerk om de patiënt heen al bekend is. Zo voelen patiënten",
            None,
            id="footnote-marker-lost",
        ),
        pytest.param(
            "verzekeraar-huisartsenzorg",
            "Informatie voor zorgverleners over onze zorginkoop\n\nToestemming vragen",
            None,
            id="stitched-across-a-dropped-link-line",
        ),
        pytest.param(
            "lhv-nhg-kernwaarden",
            "In de huisartsenzorg is niet zozeer sprake van ingewikkelde voorbehouden "
            "handelingen, maar is het eerste patiëntencontact op het spreekuur vaak het meest "
            "complexe: er moet een diagnose gesteld worden",
            ("page-footnotes",),
            id="sentence-across-page-footnotes",
        ),
    ],
)
def test_quotes_are_checked_against_the_original(originals, doc, quote, expected):
    assert originals[doc].check(quote) == expected


def test_every_sentence_quotes_the_original(kw, originals):
    """Compose the quote of every answerable sentence: each is in the original file."""
    snap = kw.snapshot
    failures = []
    for i, extra in enumerate(snap.sentences.extra):
        if extra.get("kind") in UNQUOTABLE:
            continue
        hit = Hit(i, 1.0, 1.0, 0.0, 0.0)
        spans = select_spans(snap, [hit], 1, 1.0, kw.settings.answer.quote_context_chars)
        if not spans:
            # Only a heading over nothing but page furniture has no quote.
            assert extra.get("kind") == "heading", snap.sentences.texts[i]
            continue
        span = spans[0]
        quote = snap.documents[span.doc_id].text[span.start : span.end]
        if originals[span.doc_id].check(quote) is None:
            failures.append(quote)
    assert not failures, [q[:200] for q in failures]
