"""Chunks and sentences: exact offsets, never across sections, golden boundaries."""

from __future__ import annotations

import json

import pytest

from kernwijzer.ingest.chunking import (
    chunk_document,
    make_splitter,
    own_spans,
    sentences_for,
    split_sentences,
)
from kernwijzer.ingest.cleaning import clean
from kernwijzer.ingest.corpus import Document, SourceInfo
from kernwijzer.ingest.sections import build_sections
from kernwijzer.text.structure import FURNITURE
from tests.conftest import CORPUS
from tests.test_sections import DOC_IDS

GOLDEN = CORPUS.parent / "tests" / "golden"


@pytest.fixture(scope="module")
def splitter(embedder):
    return make_splitter(embedder.tokenize, 200, 30)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks_and_sentences_are_the_text_at_their_offsets(
    documents, splitter, doc_id, update_golden
):
    doc = documents[doc_id]
    sections = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
    chunks = chunk_document(doc, sections, splitter)
    spans = {s.anchor: (b, e) for s, b, e in own_spans(sections)}
    assert chunks
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        begin, end = spans[chunk.anchor]
        assert begin <= chunk.start and chunk.end <= end, "a chunk crosses a section boundary"
    sentences = sentences_for(doc, chunks, sections)
    for sentence in sentences:
        assert doc.text[sentence.start : sentence.end] == sentence.text
        assert "\n" not in sentence.text
    golden = [{"id": c.id, "anchor": c.anchor, "start": c.start, "end": c.end} for c in chunks]
    path = GOLDEN / f"{doc_id}.chunks.json"
    if update_golden or not path.exists():
        path.write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    assert golden == json.loads(path.read_text(encoding="utf-8")), f"review the diff of {path.name}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Eén zin. Nog een zin!", ["Eén zin.", "Nog een zin!"], id="two-sentences"),
        pytest.param(
            "Dit bekend o.a. dat het werkt.", ["Dit bekend o.a. dat het werkt."], id="abbreviation"
        ),
        pytest.param("- Punt een\n- Punt twee", ["Punt een", "Punt twee"], id="list-items"),
        pytest.param("", [], id="empty"),
        pytest.param("Emoji 🙂 blijft. Echt.", ["Emoji 🙂 blijft.", "Echt."], id="emoji"),
    ],
)
def test_split_sentences(text, expected):
    found = split_sentences(text, 10)
    assert [t for _, _, t, _ in found] == expected
    for start, end, piece, _ in found:
        assert text[start - 10 : end - 10] == piece


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        pytest.param(
            "¹ Voor 1fte gaan we uit van 40 uur, ondanks dat huisartsen gemiddeld vaak meer uur"
            " werken. https://www.nivel.nl/nl/publicatie/de-werkweek",
            ["note", "footnote"],
            id="footnote-statement-and-url",
        ),
        pytest.param(
            "³ Pereira Gray DJ, SidawayLee K, White E, Thorne A, Evans PH. Continuity of care"
            " with doctors – a matter of life and death?",
            ["footnote", "footnote"],
            id="reference-authors-and-foreign-title",
        ),
        pytest.param(
            "¹² LHV-afwegingsinstrument Nieuwe aanbieders", ["footnote"], id="short-title"
        ),
        pytest.param(
            "- Alle huisartsen leveren de kerntaken\n  Kernwaarden huisartsenzorg; Kerntaken",
            ["item", "meta"],
            id="table-cell-of-titles",
        ),
        pytest.param(
            "Tekst ervoor.\n\nSpoedeisende zorg\n\n- Spoedzorg kan niet wachten.",
            ["body", "label", "item"],
            id="stand-alone-short-line-is-a-label",
        ),
    ],
)
def test_sentence_kinds(text, kinds):
    assert [kind for _, _, _, kind in split_sentences(text)] == kinds


def test_a_document_title_line_is_not_quotable(documents, splitter):
    doc = documents["lhv-aanbod-brochure"]
    sections = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
    sentences = sentences_for(doc, chunk_document(doc, sections, splitter), sections)
    first = min(sentences, key=lambda s: s.start)
    assert first.text == "Welke zorg biedt de huisarts wel én welke niet"
    assert first.kind == "title"


def test_a_link_teaser_is_furniture_and_navigation_is_not_quoted(splitter):
    """The insurer page: the teaser above a dropped link line is marked, never quoted."""
    info = SourceInfo(id="t", file="t.txt", title="T", chrome=("Meer over zorginkoop",))
    raw = (
        "Huisartsenzorg\n\nOp deze pagina vindt u alle informatie.\n\nContracteren\n\n"
        "Informatie voor zorgverleners over onze zorginkoop\n\nMeer over zorginkoop\n\n"
        "Toestemming vragen\n\nVoor huisartsenzorg is geen toestemming nodig.\n"
    )
    text, marks = clean(raw, info, set())
    assert "Meer over zorginkoop" not in text
    assert [(text[m.start : m.end], m.kind) for m in marks] == [
        ("Informatie voor zorgverleners over onze zorginkoop", FURNITURE)
    ]
    doc = Document(info=info, text=text, raw_sha256="", marks=tuple(marks))
    sections = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
    kinds = {
        s.text: s.kind
        for s in sentences_for(doc, chunk_document(doc, sections, splitter), sections)
    }
    assert kinds["Informatie voor zorgverleners over onze zorginkoop"] == "furniture"
    assert kinds["Op deze pagina vindt u alle informatie."] == "furniture"
    assert kinds["Voor huisartsenzorg is geen toestemming nodig."] == "body"
