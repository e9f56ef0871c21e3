"""Corpus metadata and files: valid ones load, bad ones are refused with a named message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kernwijzer.ingest.corpus import CorpusError, load_corpus, load_sources
from kernwijzer.ingest.sections import build_sections
from tests.conftest import make_small_corpus


def _write_meta(folder: Path, entries: list[dict]) -> None:
    (folder / "sources.yaml").write_text(
        yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8"
    )


def test_real_metadata_is_complete_and_invents_nothing():
    infos = {i.id: i for i in load_sources(Path("corpus"))}
    assert len(infos) == 5
    assert infos["verzekeraar-huisartsenzorg"].publisher is None
    assert infos["verzekeraar-huisartsenzorg"].url is None
    assert infos["lhv-nhg-kernwaarden"].url is None
    assert (
        infos["asr-huisartsenzorg"].url
        == "https://www.amersfoortse.nl/zorgaanbieder/huisartsenzorg"
    )


def test_adding_a_document_is_a_file_and_an_entry(tmp_path):
    folder = make_small_corpus(tmp_path)
    page = (Path(__file__).parent / "data" / "avondzorg.html").read_text(encoding="utf-8")
    (folder / "extra.html").write_text(
        page.replace("huisartsenpost bellen", "post &amp; huisarts bellen"), encoding="utf-8"
    )
    (folder / "notes.md").write_text("# Notitie\n\nEen korte notitie.\n", encoding="utf-8")
    entries = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))
    entries += [
        {"id": "extra", "file": "extra.html", "title": "Nieuwe pagina"},
        {"id": "notes", "file": "notes.md", "title": "Notitie"},
    ]
    _write_meta(folder, entries)
    docs = {d.id: d for d in load_corpus(folder)}
    extra = docs["extra"]
    assert "de post & huisarts bellen." in extra.text  # entities decoded
    assert "- Consult op de huisartsenpost" in extra.text
    for chrome in ("Zorginkoop", "cookies", "Lees ook", "Privacy", "© 2026"):
        assert chrome not in extra.text, chrome  # navigation, banner, sidebar, footer
    # The page's own headings are the sections (h2 → level 1, h3 → level 2).
    sections = build_sections(extra.id, extra.info.title, extra.text, extra.marks)
    assert [(s.title, s.level) for s in sections[1:]] == [
        ("Wie levert de zorg?", 1),
        ("Wat spreken wij af met huisartsenposten?", 1),
        ("Bereikbaarheid", 2),
        ("Wat moet de huisarts zelf regelen?", 1),
    ]
    assert "Een korte notitie." in docs["notes"].text


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(lambda f, e: e[0].update(file="missing.txt"), "is missing", id="missing-file"),
        pytest.param(
            lambda f, e: (f / e[0]["file"]).write_bytes(b"caf\xe9 au lait"),
            "not valid UTF-8",
            id="not-utf8",
        ),
        pytest.param(
            lambda f, e: (f / e[0]["file"]).write_bytes(b"\x89PNG\x00\x00"), "binary", id="binary"
        ),
        pytest.param(lambda f, e: e[0].update(colour="red"), "unknown field", id="unknown-field"),
        pytest.param(lambda f, e: e[1].update(id=e[0]["id"]), "duplicate", id="duplicate-id"),
        pytest.param(lambda f, e: e[0].pop("title"), "'title'", id="no-title"),
        pytest.param(lambda f, e: e[0].update(profile="scan"), "profile", id="bad-profile"),
    ],
)
def test_bad_corpus_is_refused_naming_the_entry(tmp_path, mutate, message):
    folder = make_small_corpus(tmp_path)
    entries = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))
    mutate(folder, entries)
    _write_meta(folder, entries)
    with pytest.raises(CorpusError, match=message):
        load_corpus(folder)


def test_metadata_that_is_not_a_list(tmp_path):
    (tmp_path / "sources.yaml").write_text("just: a mapping\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="non-empty list"):
        load_sources(tmp_path)
