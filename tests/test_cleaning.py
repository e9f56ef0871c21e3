"""Cleaning repairs extraction artefacts without changing words (real corpus + tiny fixtures)."""

from __future__ import annotations

import re

import pytest

from kernwijzer.ingest.cleaning import _join_wrapped, _repair_words, clean_text
from kernwijzer.ingest.corpus import SourceInfo
from kernwijzer.ingest.tables import render
from kernwijzer.text.structure import CELL, extract


def test_brochure_has_no_line_broken_sentences_or_hyphen_splits(documents):
    text = documents["lhv-aanbod-brochure"].text
    blocks = [b for b in text.split("\n\n") if b.strip()]
    for block in blocks:
        for line in block.split("\n"):
            body = re.sub(r"^\s*-\s+", "", line)
            assert not body[:1].islower(), f"a line starts mid-sentence: {line[:60]!r}"
            assert not re.search(r"[a-zà-ÿ]-$", body), f"a hyphen split survives: {line[-40:]!r}"
    for artefact in (
        "be han",
        "ver houding",
        "heb ben",
        "beschik baar",
        "genees kundige",
        "\ufffd",
        "https://",
        "ge dwongen",
        "pro fes",
    ):
        assert artefact not in text, artefact
    for repaired in (
        "behandeling",
        "afhandelen",
        "verhouding",
        "hebben",
        "beschikbaar",
        "huisartsgeneeskundige",
        "professionals",
        "wijkverpleging",
        "gedwongen",
    ):
        assert repaired in text, repaired
    # Two words side by side stay two words.
    assert "in een breed netwerk" in text and "beperking en psychische" in text


def test_brochure_running_header_dropped_and_chapters_restored(documents):
    text = documents["lhv-aanbod-brochure"].text
    assert text.count("Aanbod huisartsgeneeskundige zorg\n") == 0
    for heading in (
        "1 Wat is huisartsenzorg",
        "2 Dit doet elke huisarts: basisaanbod",
        "WAT ZIJN DE KERNTAKEN VAN DE HUISARTSENZORG?",
    ):
        assert f"\n\n{heading}\n\n" in text
    # A page side-label moves to the start of its page: the heading precedes its content.
    assert text.index("1 Wat is huisartsenzorg") < text.index(
        "in de eerste plaats medisch-generalistische"
    )


def test_web_page_chrome_is_dropped(documents):
    assert "Spring naar content" not in documents["lhv-aanbod-web"].text
    assert "Bekijk ook" not in documents["lhv-aanbod-web"].text
    insurer = documents["verzekeraar-huisartsenzorg"].text
    for chrome in ("Meer contactopties", "Uploaden", "Declareren doet u zo"):
        assert chrome not in insurer
    assert "Inkoopbeleid" not in documents["asr-huisartsenzorg"].text


def test_policy_document_markup_tables_and_footnotes(documents):
    text = documents["lhv-nhg-kernwaarden"].text
    assert "<ul" not in text and "<p>" not in text and "](#)" not in text and "**" not in text
    # A sentence split by a page's footnotes is whole again; the footnotes stay footnotes.
    assert "er moet een diagnose gesteld worden en een beslissing worden genomen" in text
    assert re.search(r"\n\n¹⁰ Visie Huisartsenzorg 2035\n\n", text)
    # A flattened table row reads as a list item with its sources on an indented line; the
    # column header is the cell's label, not a word of the text.
    assert "- 1 fte huisarts kan maximaal 4000 patiënten bedienen" in text
    assert "gewaarborgd.\n  Gebaseerd op 2x de normpraktijk" in text
    assert "Bronnen:" not in text and "Omschrijving:" not in text
    cell = next(m for m in documents["lhv-nhg-kernwaarden"].marks if m.label == "Bronnen")
    assert text[cell.start : cell.end] == "Kernwaarden huisartsenzorg; Visie Huisartsenzorg 2035"
    # The table row split by a page break is one row again.
    assert "vragen van velerlei aard verheldert" in text


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        pytest.param(["be han-", "deling nodig"], "be handeling nodig", id="soft-hyphen"),
        pytest.param(["hart-", "en vaatziekten"], "hart- en vaatziekten", id="elision-kept"),
        pytest.param(["niet-", "verzekerde zorg"], "niet-verzekerde zorg", id="real-compound"),
        pytest.param(["een lange", "regel"], "een lange regel", id="plain-wrap"),
    ],
)
def test_join_wrapped(pieces, expected):
    assert _join_wrapped(pieces, {"niet-verzekerde"}) == expected


def test_repair_words_joins_only_into_corpus_words():
    vocabulary = {"behandeling", "verhouding", "in", "een", "en", "beperking"}
    assert (
        _repair_words("be handeling naar ver houding", vocabulary) == "behandeling naar verhouding"
    )
    assert _repair_words("in een beperking en", vocabulary) == "in een beperking en"
    assert _repair_words("a\ufffdandelen", vocabulary) == "afhandelen"


def test_table_render_merges_continuation_rows():
    rows = [
        "Kerntaak\tOmschrijving",
        "Zorg\t<ul><li>• De huisarts beoordeelt klachten van</li></ul>",
        "\t<p>velerlei aard.</p> <ul>• Tweede punt.</ul>",
    ]
    text, marks = extract(render(rows))
    assert text == (
        "- Zorg\n  - De huisarts beoordeelt klachten van velerlei aard.\n  - Tweede punt."
    )
    assert [(text[m.start : m.end], m.kind, m.label) for m in marks] == [
        ("Zorg", CELL, "Kerntaak"),
        (
            "De huisarts beoordeelt klachten van velerlei aard.\n  - Tweede punt.",
            CELL,
            "Omschrijving",
        ),
    ]


def test_clean_text_web_profile_tiny_fixture():
    info = SourceInfo(id="t", file="t.txt", title="T", chrome=("Knop",), truncate_at="Zie ook:")
    raw = "Titel\n\nKnop\n\n  • Punt\n    Uitleg van het punt.\nTekst.\n\nZie ook:\nMeer"
    assert clean_text(raw, info, set()) == "Titel\n\n- Punt\n  Uitleg van het punt.\n\nTekst.\n"
