"""Quotes are the source's words: table structure, furniture and footnotes (real index)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernwijzer.answer.compose import compose, select_spans
from kernwijzer.ingest.fidelity import OriginalText
from kernwijzer.retrieval.fusion import Hit
from kernwijzer.text.footnotes import notes_in
from kernwijzer.text.structure import CELL, FURNITURE, UNQUOTABLE
from tests.conftest import CORPUS
from tests.test_sections import DOC_IDS

GOLDEN = CORPUS.parent / "tests" / "golden"


def _citation(kw, index: int):
    """The citation Kernwijzer makes when sentence ``index`` is the best hit."""
    _, citations = compose(
        kw.snapshot,
        [Hit(index, 1.0, 1.0, 0.0, 0.0)],
        kw.settings.updated(citation_margin=1.0, answer_margin=1.0, answer_sentences=1).answer,
        question="",
        language="nl",
        abstain=False,
        top_k=1,
    )
    return citations[0] if citations else None


def _first_sentence_in(kw, doc_id: str, start: int, end: int) -> int | None:
    s = kw.snapshot.sentences
    return next(
        (
            i
            for i, (d, b) in enumerate(zip(s.doc_ids, s.starts, strict=True))
            if d == doc_id and start <= b < end and s.extra[i].get("kind") not in UNQUOTABLE
        ),
        None,
    )


@pytest.fixture(scope="module")
def originals(kw):
    return {
        d: OriginalText.from_raw((CORPUS / doc.info.file).read_text("utf-8"), doc.info)
        for d, doc in kw.snapshot.documents.items()
    }


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_table_cells_quote_without_their_column_header(kw, doc_id, update_golden):
    """Golden: every table cell's quote and ``table_column``; no header is ever a word."""
    doc = kw.snapshot.documents[doc_id]
    rows = []
    for mark in (m for m in doc.marks if m.kind == CELL):
        index = _first_sentence_in(kw, doc_id, mark.start, mark.end)
        if index is None:
            continue  # a cell of titles: not an answer in itself
        c = _citation(kw, index)
        assert c is not None
        if mark.label:
            assert f"{mark.label}:" not in c.quote and f"\n  {mark.label}" not in c.quote
        assert c.table_column == (mark.label or None)
        assert c.start <= c.focus_start < c.focus_end <= c.end  # the answering sentence inside
        for cell in c.table_cells:
            assert c.start <= int(cell["start"]) < int(cell["end"]) <= c.end
        rows.append(
            {
                "cell": doc.text[mark.start : mark.end][:80],
                "quote": c.quote,
                "table_column": c.table_column,
            }
        )
    path = GOLDEN / f"{doc_id}.tables.json"
    if update_golden or not path.exists():
        path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert rows == json.loads(path.read_text(encoding="utf-8")), f"review the diff of {path.name}"


def test_a_list_item_quote_holds_its_answering_sentence(kw):
    for question in ("Wat zijn de voorwaarden voor segment 1?", "Wat betekent urgentie U3?"):
        for c in kw.answer(question).citations:
            assert c.start <= c.focus_start < c.focus_end <= c.end, (question, c.quote[:80])


def test_a_table_row_is_quoted_with_its_cells_labelled_as_structure(kw):
    answer = kw.answer("Hoeveel patiënten kan 1 fte huisarts maximaal bedienen?")
    row = next(c for c in answer.citations if "maximaal 4000 patiënten" in c.quote)
    assert "Bronnen" not in row.quote
    assert "Gebaseerd op 2x de normpraktijk" in row.quote
    cell = next(c for c in row.table_cells if c["column"] == "Bronnen")
    text = kw.snapshot.documents[row.doc_id].text
    assert text[int(cell["start"]) : int(cell["end"])] == "Gebaseerd op 2x de normpraktijk"


def test_page_furniture_is_never_quoted(kw):
    """The insurer page's link teaser and "Op deze pagina …" are in no answer."""
    doc = kw.snapshot.documents["verzekeraar-huisartsenzorg"]
    furniture = [m for m in doc.marks if m.kind == FURNITURE]
    assert [doc.text[m.start : m.end] for m in furniture] == [
        "Informatie voor zorgverleners over onze zorginkoop"
    ]
    for question in (
        "Do I need the insurer's permission for GP care?",
        "Contracteren zorginkoop verzekeraar",
        "Welke informatie staat op deze pagina?",
    ):
        for c in kw.answer(question).citations:
            assert "over onze zorginkoop" not in c.quote, question
            assert not c.quote.startswith("Op deze pagina"), question


def test_footnote_markers_stay_and_their_notes_come_along(kw):
    answer = kw.answer("Hoeveel patiënten heeft een normpraktijk?")
    c = next(c for c in answer.citations if "2095 patiënten" in c.quote)
    assert "2095 patiënten¹³" in c.quote  # the marker as in the source, superscript
    note = next(n for n in c.notes if n["number"] == "13")
    assert (
        note["text"] == "https://www.lhv.nl/opkomen-voor-belangen/feiten-en-cijfers-huisartsenzorg/"
    )
    text = kw.snapshot.documents[c.doc_id].text
    assert text[int(note["start"]) : int(note["end"])] == note["text"]


def test_a_marker_list_brings_every_note():
    text = "Betere zorg^{3,4}.\n\n³ Eerste bron.\n\n⁴ Tweede bron.\n"
    text = text.replace("^{3,4}", "³,⁴")
    assert [(n.number, n.text) for n in notes_in(text, 0, 20)] == [
        ("3", "Eerste bron."),
        ("4", "Tweede bron."),
    ]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_composed_quote_is_in_the_original(kw, originals, data):
    """Property: for random sentence picks and scores, every quote is the original's text."""
    quotable = [
        i for i, e in enumerate(kw.snapshot.sentences.extra) if e.get("kind") not in UNQUOTABLE
    ]
    picks = data.draw(st.lists(st.sampled_from(quotable), min_size=1, max_size=6, unique=True))
    scores = data.draw(st.lists(st.floats(0.0, 1.0), min_size=len(picks), max_size=len(picks)))
    hits = sorted(
        (Hit(i, s, s, 0.0, 0.0) for i, s in zip(picks, scores, strict=True)),
        key=lambda h: -h.score,
    )
    for span in select_spans(kw.snapshot, hits, 8, 1.0, kw.settings.answer.quote_context_chars):
        quote = kw.snapshot.documents[span.doc_id].text[span.start : span.end]
        assert originals[span.doc_id].check(quote) is not None, quote[:200]


def test_a_definition_term_is_a_label_not_words_of_the_quote(kw):
    """The LHV page's "Basisaanbod" term stands above its description: the quote is the
    description, the term its label."""
    c = kw.answer("Wat is het basisaanbod?").citations[0]
    assert c.quote.startswith("Het basisaanbod wordt door iedere huisartsenpraktijk geboden.")
    assert c.table_column == "Basisaanbod"
    assert c.start <= c.focus_start < c.focus_end <= c.end
