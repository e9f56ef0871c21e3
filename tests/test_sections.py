"""Section trees of the real documents, checked structurally and against golden files."""

from __future__ import annotations

import json

import pytest

from kernwijzer.ingest.sections import build_sections, section_at
from tests.conftest import CORPUS

GOLDEN = CORPUS.parent / "tests" / "golden"
DOC_IDS = [
    "lhv-aanbod-web",
    "lhv-aanbod-brochure",
    "verzekeraar-huisartsenzorg",
    "lhv-nhg-kernwaarden",
    "asr-huisartsenzorg",
]


def _tree(doc):
    return build_sections(doc.id, doc.info.title, doc.text, doc.marks)


def test_policy_document_core_values_and_their_questions(documents):
    doc = documents["lhv-nhg-kernwaarden"]
    sections = _tree(doc)
    assert len(sections) > 30
    by_title = {s.title: s for s in sections}
    duiding = by_title["4.2. Duiding kernwaarden"]
    for value in (
        "1. Continuïteit",
        "2. Persoonsgericht",
        "3. Gezamenlijk",
        "4. Medisch generalistisch",
    ):
        section = by_title[value]
        assert section.parent == duiding.anchor, value
        assert section.path == [
            "4. Signalen en duiding kernwaarden",
            "4.2. Duiding kernwaarden",
            value,
        ]
    question = by_title[
        "Hoe is de zorg voor ingeschreven patiënten georganiseerd binnen een huisartsenpraktijk?"
    ]
    assert question.parent == by_title["1. Continuïteit"].anchor
    assert question.path[-2:] == ["1. Continuïteit", question.title]
    assert by_title["Kernpunten continuïteit:"].parent == by_title["1. Continuïteit"].anchor
    assert (
        by_title["Uit welke zorgverleners kan het huisartsteam bestaan?"].parent
        == by_title["3. Gezamenlijk"].anchor
    )


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_offsets_point_at_headings_and_nest(documents, doc_id):
    doc = documents[doc_id]
    sections = _tree(doc)
    anchors = [s.anchor for s in sections]
    assert len(anchors) == len(set(anchors))
    by_anchor = {s.anchor: s for s in sections}
    for s in sections[1:]:
        assert doc.text[s.start : s.end].startswith(s.title)
        parent = by_anchor[s.parent]
        assert parent.start <= s.start and s.end <= parent.end
        assert section_at(sections, s.body_start) is s or s.body_start == s.end


def test_brochure_chapters_and_side_headings(documents):
    sections = _tree(documents["lhv-aanbod-brochure"])
    titles = [(s.level, s.title) for s in sections[1:]]
    assert (1, "2 Dit doet elke huisarts: basisaanbod") in titles
    assert (2, "WAT ZIJN DE KERNTAKEN VAN DE HUISARTSENZORG?") in titles
    assert (1, "4 De huisarts en haar team") in titles


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_section_trees_match_golden(documents, doc_id, update_golden):
    tree = [s.to_dict() for s in _tree(documents[doc_id])]
    path = GOLDEN / f"{doc_id}.sections.json"
    if update_golden or not path.exists():
        path.write_text(json.dumps(tree, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert tree == json.loads(path.read_text(encoding="utf-8")), f"review the diff of {path.name}"
