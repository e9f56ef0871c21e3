"""Adding and replacing documents from their published form (issue 16), end to end.

Real files made for the tests (``tests/data``, see ``make_fixtures.py``), the real corpus
texts, a real Chroma index, the real model, and the real CLI and app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from kernwijzer.cli import main
from kernwijzer.config import load_settings
from kernwijzer.ingest.catalogue import CatalogueError, NewDocument, add_document, list_sources
from kernwijzer.ingest.corpus import load_corpus
from kernwijzer.ingest.extract import extract
from kernwijzer.ingest.sections import build_sections
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.web.app import build_app
from kernwijzer.web.cards import card, citation_text
from tests.conftest import BROWSER_ARGS, CHROMIUM, make_small_corpus, settings_env, start_app

DATA = Path(__file__).parent / "data"
BROCHURE_2026_SECTIONS = [
    ("Inleiding", 1),
    ("Voor wie", 1),
    ("1 Wat is huisartsenzorg", 1),
    ("WAT ZIJN DE KERNWAARDEN VAN DE HUISARTSENZORG?", 2),
    ("2 Dit doet elke huisarts: basisaanbod", 1),
    ("WAT ZIJN DE KERNTAKEN VAN DE HUISARTSENZORG?", 2),
    ("3 Dit kan de huisarts extra doen: extra aanbod", 1),
    ("4 De huisarts en haar team", 1),
    ("Tot slot", 1),
]


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its hash: 'unchanged' means byte for byte."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _corpus(tmp_path: Path) -> Path:
    return make_small_corpus(
        tmp_path / "corpus", ("lhv-aanbod-web", "asr-huisartsenzorg", "lhv-aanbod-brochure")
    )


# ---------------------------------------------------------------------- extraction quality


def test_pdf_headings_by_type_size_and_its_table():
    ex = extract(DATA / "brochure-2026.pdf")
    assert (ex.kind, ex.pages, ex.headings, ex.tables, ex.table_rows) == ("pdf", 4, 9, 1, 6)
    assert ex.text.startswith("Aanbod huisartsgeneeskundige zorg, editie 2026\n")
    # Running header and page numbers are page furniture, not text.
    assert "editie 2026 ·" not in ex.text.replace("editie 2026\n", "")
    assert not re.search(r"^\d+$", ex.text, re.MULTILINE)
    # Words the layout wrapped are whole again; real hyphens ("zorg- en") are kept.
    assert "nog altijd meer werkdruk ervaren dan tien jaar geleden." in ex.text
    assert "(regionale) zorg- en welzijnsorganisaties" in ex.text
    assert "gezondheidsklachten en -vragen van de patiënt" in ex.text


def test_pdf_sections_and_table_cells_after_cleaning(tmp_path):
    folder = _corpus(tmp_path)
    add_document(folder, NewDocument(DATA / "brochure-2026.pdf", doc_id="brochure-2026"), 5_000_000)
    doc = {d.id: d for d in load_corpus(folder)}["brochure-2026"]
    sections = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
    assert [(s.title, s.level) for s in sections[1:]] == BROCHURE_2026_SECTIONS
    # The table's rows are list items; its header row is each cell's label, never its text.
    cells = [m for m in doc.marks if m.kind == "cell"]
    assert {m.label for m in cells} == {"Zorgverlener", "Taken"}
    rows = [doc.text[m.start : m.end] for m in cells if m.label == "Zorgverlener"]
    assert rows == [
        "Doktersassistent",
        "Praktijkondersteuner (POH)",
        "POH-GGZ",
        "Verpleegkundig specialist of physician assistant",
        "Praktijkmanager",
    ]
    assert "Zorgverlener" not in doc.text and "Taken\n" not in doc.text


def test_pdf_headings_in_body_type_by_bold_and_numbering(tmp_path):
    """A plainer PDF: every heading in body type, chapters bold, subsections numbered."""
    from fpdf import FPDF

    from tests.data.make_fixtures import FONT

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, "Standpunt waarneming", new_x="LMARGIN", new_y="NEXT")
    body = "De praktijk regelt de waarneming zo dat patiënten altijd een huisarts bereiken. " * 3
    for heading, bold in (
        ("1 Aanleiding", True),
        ("1.1 Doel van dit standpunt", False),
        ("1.2 Reikwijdte", False),
        ("2 Afspraken", True),
    ):
        pdf.ln(4)
        pdf.set_font("DejaVu", "B" if bold else "", 10)
        pdf.multi_cell(0, 5, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 5, body.strip(), new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "standpunt.pdf"
    pdf.output(str(path))
    folder = _corpus(tmp_path)
    added = add_document(folder, NewDocument(path), 5_000_000)
    doc = {d.id: d for d in load_corpus(folder)}[added.info.id]
    sections = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
    assert [(s.title, s.level) for s in sections[1:]] == [
        ("1 Aanleiding", 1),
        ("1.1 Doel van dit standpunt", 2),
        ("1.2 Reikwijdte", 2),
        ("2 Afspraken", 1),
    ]
    assert added.info.title == "Standpunt waarneming"


def test_html_main_text_without_the_page_around_it():
    ex = extract(DATA / "avondzorg.html")
    assert (ex.kind, ex.headings, ex.tables, ex.table_rows) == ("html", 5, 1, 4)
    for chrome in ("Zorginkoop", "cookies", "Akkoord", "Lees ook", "Fysiotherapie", "Privacy"):
        assert chrome not in ex.text, chrome
    assert ex.found == {"title": "Avond-, nacht- en weekendzorg", "date": "2026-03-01"}


def test_word_heading_styles_are_the_sections(tmp_path):
    folder = _corpus(tmp_path)
    added = add_document(folder, NewDocument(DATA / "notitie.docx"), 5_000_000)
    assert (added.extracted.kind, added.extracted.tables, added.extracted.table_rows) == (
        "docx",
        1,
        3,
    )
    assert added.info.kind == "Word document (DOCX)" and added.info.date is None
    doc = {d.id: d for d in load_corpus(folder)}[added.info.id]
    sections = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
    assert [(s.title, s.level) for s in sections[1:]] == [
        ("Wie levert de zorg?", 1),
        ("Bereikbaarheid", 2),
        ("Wat moet de huisarts zelf regelen?", 1),
    ]
    assert "- Consult op de post" in doc.text
    assert {m.label for m in doc.marks if m.kind == "cell"} == {"Urgentie", "Gezien binnen"}


def test_plain_text_with_markdown_headings(tmp_path):
    folder = _corpus(tmp_path)
    note = tmp_path / "standpunt.md"
    note.write_text(
        "Standpunt over waarneming\n\n# Aanleiding\n\nDe praktijk regelt waarneming.\n\n"
        "## Afspraken\n\n- Een vaste waarnemer per week\n- Overdracht via het dossier\n",
        encoding="utf-8",
    )
    added = add_document(
        folder, NewDocument(note, title="Standpunt over waarneming", version="1"), 5_000_000
    )
    assert added.info.id == "standpunt-over-waarneming" and added.info.kind == "text"
    assert added.unknown == ["publisher", "date", "url"] and added.info.version == "1"
    doc = {d.id: d for d in load_corpus(folder)}[added.info.id]
    sections = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
    assert [(s.title, s.level) for s in sections[1:]] == [("Aanleiding", 1), ("Afspraken", 2)]
    assert "#" not in doc.text and "- Overdracht via het dossier" in doc.text
    assert (folder / str(added.info.original)).read_text(encoding="utf-8") == note.read_text(
        encoding="utf-8"
    )


def test_a_page_saved_in_its_own_encoding_and_text_with_a_bom(tmp_path):
    page = (DATA / "avondzorg.html").read_text(encoding="utf-8")
    legacy = tmp_path / "avondzorg-1252.html"
    legacy.write_bytes(
        page.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
        .replace("Telefonisch advies", "Telefonisch advies (€ 0)")
        .encode("cp1252")
    )
    ex = extract(legacy)
    assert "- Visite bij de patiënt thuis" in ex.text and "(€ 0)" in ex.text
    note = tmp_path / "bom.txt"
    note.write_bytes("\ufeffNotitie met BOM\n\nDe huisarts kent haar patiënten.\n".encode())
    assert extract(note).text.startswith("Notitie met BOM\n")


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("scan.pdf", "no text layer"),
        ("beveiligd.pdf", "password-protected"),
        ("avondzorg.html", "already in the corpus"),  # added once below, then again
        ("missing.pdf", "no such file"),
        ("make_fixtures.py", "not a supported format"),
        ("kapot.docx", "not a readable Word document"),
        ("bom.docx", "decompression bomb"),
        ("bom.pdf", "decompression bomb"),
        ("link.txt", "symbolic link"),
    ],
)
def test_a_refused_add_changes_nothing(tmp_path, name, message):
    folder = _corpus(tmp_path)
    path = DATA / name
    if name == "avondzorg.html":
        add_document(folder, NewDocument(path), 5_000_000)
    if name == "kapot.docx":  # a Word file cut off halfway (a broken download)
        path = tmp_path / name
        path.write_bytes((DATA / "notitie.docx").read_bytes()[:3000])
    if name.startswith("bom."):  # a third of a MB that unpacks to 200 MB
        path = _bomb(tmp_path / name)
    if name == "link.txt":  # named like a note, pointing at a system file
        path = tmp_path / name
        path.symlink_to("/etc/passwd")
    before = _snapshot(tmp_path)
    with pytest.raises(CatalogueError, match=message):
        add_document(folder, NewDocument(path), 5_000_000)
    assert _snapshot(tmp_path) == before
    assert not list(tmp_path.glob(".kernwijzer-add-*"))  # no staging copy left behind


def _bomb(path: Path) -> Path:
    import zipfile
    import zlib

    words = b"a" * 200_000_000
    if path.suffix == ".docx":
        with (
            zipfile.ZipFile(DATA / "notitie.docx") as z,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
        ):
            for info in z.infolist():
                data = z.read(info.filename)
                if info.filename == "word/document.xml":
                    data = data.replace(
                        b"</w:body>", b"<w:p><w:r><w:t>" + words + b"</w:t></w:r></w:p></w:body>"
                    )
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        return path
    # A one-page PDF whose content stream is the bomb.
    stream = zlib.compress(words, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(out)
    return path


def test_code_in_a_web_page_is_never_text(tmp_path):
    page = tmp_path / "beleid.html"
    body = "Dit is een alinea over huisartsenzorg en de praktijk. " * 20
    page.write_text(
        "<html><body><article><h1>Beleid<script>alert(document.cookie)</script> POH</h1>"
        f"<p>{body}</p><h2>Kop<style>p{{color:red}}</style> twee</h2><p>{body}</p>"
        "<noscript>Zet JavaScript aan</noscript></article></body></html>",
        encoding="utf-8",
    )
    ex = extract(page)
    assert ex.found["title"] == "Beleid POH"
    assert "alert" not in ex.text and "color" not in ex.text and "JavaScript" not in ex.text


def test_add_refuses_an_unknown_language(tmp_path, capsys):
    note = tmp_path / "notitie.txt"
    note.write_text("Notitie\n\nDe huisarts kent haar patiënten.\n", encoding="utf-8")
    with pytest.raises(SystemExit) as ended:
        main(["add", str(note), "--language", "bogus"])
    assert ended.value.code == 2 and "invalid choice: 'bogus'" in capsys.readouterr().err


def test_a_file_the_corpus_cannot_take_is_refused_whole(tmp_path):
    folder = _corpus(tmp_path)
    bad = tmp_path / "notitie.txt"
    bad.write_text("Notitie\n\nTekst met een privé-teken \ue000.\n", encoding="utf-8")
    before = _snapshot(folder)
    with pytest.raises(CatalogueError, match="private-use"):
        add_document(folder, NewDocument(bad, title="Notitie"), 5_000_000)
    with pytest.raises(CatalogueError, match="no active document"):
        add_document(folder, NewDocument(DATA / "avondzorg.html", replaces="nope"), 5_000_000)
    assert _snapshot(folder) == before


FULL_DISK_ADD = (
    "import resource, sys\n"
    "from kernwijzer.text.language import detect_language\n"
    "detect_language('warm-up')  # its model unpacks to a temporary file: before the limit\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))\n"
    "from kernwijzer.cli import main\n"
    "sys.exit(main(['add', {path!r}, '--replaces', 'lhv-aanbod-brochure',"
    " '--corpus-dir', {folder!r}]))\n"
)


def test_a_full_disk_while_adding_leaves_the_corpus_as_it_was(tmp_path):
    """The checks pass in the staging copy; the real write then fails part-way (the
    archived edition's frozen copy is the largest file it writes): what it made is
    removed and the lists are as they were."""
    import subprocess
    import sys

    folder = _corpus(tmp_path)
    before = _snapshot(folder)
    largest = max(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            FULL_DISK_ADD.format(
                limit=largest + 1500, path=str(DATA / "avondzorg.html"), folder=str(folder)
            ),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2, run.stderr
    assert "could not be written" in run.stderr and "nothing was added" in run.stderr
    assert "Traceback" not in run.stderr
    assert _snapshot(folder) == before
    assert not list(tmp_path.glob(".kernwijzer-add-*"))
    # With room again, the same add goes through.
    added = add_document(
        folder, NewDocument(DATA / "avondzorg.html", replaces="lhv-aanbod-brochure"), 5_000_000
    )
    assert added.archived is not None


class _Killed(BaseException):
    """A kill at one exact write: nothing of the add's own error handling runs."""


def test_an_add_killed_at_any_write_is_finished_or_undone_by_the_next(tmp_path, monkeypatch):
    """Each write of 'add --replaces' in turn is the last one (as a SIGKILL there would
    make it); the next add's recovery leaves the corpus exactly as before the add or
    exactly as after a whole one: no half edition, no unreferenced file."""
    import shutil as shutil_module

    from kernwijzer.ingest import catalogue

    new = NewDocument(DATA / "avondzorg.html", replaces="lhv-aanbod-brochure")
    whole = _corpus(tmp_path / "whole")
    before = _snapshot(whole)
    add_document(whole, new, 5_000_000, today=dt.date(2026, 12, 2))
    after = _snapshot(whole)
    real = {
        "copy2": shutil_module.copy2,
        "atomic_write": catalogue.atomic_write,
        "write_entries": catalogue._write_entries,
        "finish": catalogue._finish,  # switched, the old edition's files not yet removed
    }
    outcomes = set()
    for n in range(1, 60):
        folder = _corpus(tmp_path / f"run{n}")
        calls = {"n": 0}

        def killing(name: str, calls=calls, last=n):
            def call(*args, **kwargs):
                calls["n"] += 1
                if calls["n"] == last:
                    raise _Killed
                return real[name](*args, **kwargs)

            return call

        monkeypatch.setattr(catalogue.shutil, "copy2", killing("copy2"))
        monkeypatch.setattr(catalogue, "atomic_write", killing("atomic_write"))
        monkeypatch.setattr(catalogue, "_write_entries", killing("write_entries"))
        monkeypatch.setattr(catalogue, "_finish", killing("finish"))
        try:
            add_document(folder, new, 5_000_000, today=dt.date(2026, 12, 2))
            killed = False
        except _Killed:
            killed = True
        monkeypatch.undo()
        if not killed:
            break
        catalogue.recover(folder)
        state = _snapshot(folder)
        assert state in (before, after), (n, set(state) ^ set(before), set(state) ^ set(after))
        outcomes.add("undone" if state == before else "finished")
    assert outcomes == {"undone", "finished"}, outcomes
    assert n > 5  # every write was a kill point once


def test_cli_refuses_with_exit_2_and_a_reason(tmp_path, capsys):
    folder = _corpus(tmp_path)
    code = main(["add", str(DATA / "beveiligd.pdf"), "--corpus-dir", str(folder)])
    assert code == 2
    assert "password-protected" in capsys.readouterr().err


def test_metadata_not_given_stays_null_and_is_named(tmp_path, capsys):
    folder = _corpus(tmp_path)
    code = main(["add", str(DATA / "avondzorg.html"), "--corpus-dir", str(folder), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    doc = out["document"]
    assert doc["title"] == "Avond-, nacht- en weekendzorg"  # the page's own title, said so
    assert any("title taken from the file" in n for n in out["notes"])
    # The page states a date; it is shown, not recorded as the edition date.
    assert doc["date"] is None and any("2026-03-01" in n for n in out["notes"])
    assert out["not_determined"] == ["publisher", "date", "version", "url"]
    assert doc["publisher"] is None and doc["url"] is None and doc["version"] is None
    assert (folder / doc["original"]).read_bytes() == (DATA / "avondzorg.html").read_bytes()


# ---------------------------------------------------------------------------- end to end


QUESTIONS = [
    {
        "id": "werkdruk",
        "question": "Ervaren huisartsen meer werkdruk?",
        "language": "nl",
        "expected": ["meer werkdruk ervaren"],
    },
    {
        "id": "buiten-kantoortijden",
        "question": "Wie levert de huisartsenzorg buiten kantoortijden?",
        "language": "nl",
        "expected": ["Buiten kantoortijden levert de huisartsenpost"],
    },
]


def test_add_index_ask_replace_and_compare(tmp_path, monkeypatch, capsys, embedder, output_dir):
    folder = _corpus(tmp_path)
    monkeypatch.setenv("KERNWIJZER_DATA_DIR", str(tmp_path / "data"))
    where = ["--corpus-dir", str(folder), "--index-dir", str(tmp_path / "index")]
    questions = tmp_path / "questions.yaml"
    questions.write_text(yaml.safe_dump(QUESTIONS, allow_unicode=True), encoding="utf-8")
    evaluate = ["eval", "--questions", str(questions), "--systems", "kernwijzer", *where]

    def run(*args: str) -> str:
        capsys.readouterr()
        assert main([*args]) == 0
        return capsys.readouterr().out

    run("index", *where)
    # 1. Add a web page with its date and publisher; the index says what it added.
    run(
        "add", str(DATA / "avondzorg.html"), "--date", "2026-03-01",
        "--publisher", "Voorbeeldverzekeraar (testpagina)", *where,
    )  # fmt: skip
    assert "avond-nacht-en-weekendzorg: added (4 sections)" in run("index", *where)
    # 2. The answer quotes it, and the citation carries the document's date.
    answer = json.loads(run("ask", QUESTIONS[1]["question"], "--json", *where))
    first = answer["citations"][0]
    assert first["doc_id"] == "avond-nacht-en-weekendzorg"
    assert first["date"] == "2026-03-01"
    assert "(2026-03-01)" in run("ask", QUESTIONS[1]["question"], *where)
    old = json.loads(run("ask", QUESTIONS[0]["question"], "--json", *where))["citations"][0]
    assert old["doc_id"] == "lhv-aanbod-brochure" and old["date"] == "2022"
    run(*evaluate)  # stores the run the comparison below is measured against
    # 3. A new edition replaces the brochure.
    out = run(
        "add", str(DATA / "brochure-2026.pdf"), "--replaces", "lhv-aanbod-brochure",
        "--date", "2026", "--version", "testeditie", "--id", "lhv-aanbod-brochure-2026", *where,
    )  # fmt: skip
    assert "replaces 'lhv-aanbod-brochure'" in out
    report = run("index", *where)
    assert "lhv-aanbod-brochure-2026: added (9 sections)" in report
    assert "lhv-aanbod-brochure: removed" in report
    listed = {r.info.id: r for r in list_sources(folder)}
    assert listed["lhv-aanbod-brochure"].info.status == "superseded"
    assert listed["lhv-aanbod-brochure"].info.superseded_by == "lhv-aanbod-brochure-2026"
    assert (folder / "archive" / "lhv-aanbod-brochure.document.json").exists()
    assert not (folder / listed["lhv-aanbod-brochure"].info.file).exists()  # out of active
    # 4. The old answer's link still opens, marked as replaced, with the same words marked.
    settings = load_settings(corpus_dir=folder, index_dir=tmp_path / "index")
    kw = Kernwijzer(settings, embedder)
    kw.warm_up()
    client = TestClient(build_app(kw, settings), base_url="http://127.0.0.1:7860")
    page = client.get(old["link"])
    assert page.status_code == 200
    assert "Vervangen</strong> door" in page.text
    assert 'href="/bron/lhv-aanbod-brochure-2026"' in page.text
    focus = re.search(r'<mark class="focus">(.*?)</mark>', page.text, re.S)
    assert focus and re.sub(r"<[^>]+>", "", focus.group(1)) in old["quote"]
    # The new edition answers now, with its date and version.
    new = kw.answer(QUESTIONS[0]["question"]).citations[0]
    assert new.doc_id == "lhv-aanbod-brochure-2026"
    assert (new.date, new.version) == ("2026", "testeditie")
    assert "nog altijd meer werkdruk" in new.quote
    # The card and the copied citation name the edition.
    assert "datum/versie: 2026 · versie testeditie" in card(new, "nl")
    assert "editie 2026 (2026 · versie testeditie)" in citation_text(new)
    # The sources panel of the chat lists the old edition, struck through and linked.
    from kernwijzer.web.chat import about_sources

    panel = about_sources(kw)
    assert "~~[Aanbod huisartsgeneeskundige zorg: welke zorg" in panel
    assert "vervangen door [Aanbod huisartsgeneeskundige zorg, editie 2026]" in panel
    assert "| 2026 · versie testeditie |" in panel
    # 5. The comparison with the stored run lists the answer that changed, and only that.
    compared = run(*evaluate, "--compare")
    changed = compared.split("answers changed (1):", 1)[1]
    assert "werkdruk" in changed and "buiten-kantoortijden" not in changed
    assert "before: lhv-aanbod-brochure#" in changed
    assert "after:  lhv-aanbod-brochure-2026#" in changed
    # 6. `sources` lists both editions with status and checksum.
    rows = {r["id"]: r for r in json.loads(run("sources", "--json", *where))}
    assert rows["lhv-aanbod-brochure-2026"]["status"] == "active"
    assert rows["lhv-aanbod-brochure-2026"]["version"] == "testeditie"
    assert rows["lhv-aanbod-brochure"]["status"] == "superseded"
    pdf_sum = hashlib.sha256((DATA / "brochure-2026.pdf").read_bytes()).hexdigest()
    assert rows["lhv-aanbod-brochure-2026"]["sha256"] == pdf_sum
    # 7. In a real browser on a phone: the old link opens at its passage with the notice,
    # and the notice leads to the new edition, which names its date and version.
    # `make test` installs Debian's chromium: a missing one fails here, never skips quietly.
    assert CHROMIUM.exists(), "Debian chromium missing: run `make browser`"
    _old_link_in_a_browser(settings, old["link"], output_dir)


def _old_link_in_a_browser(settings, link: str, output_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    proc, url = start_app(settings_env(settings))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(url + link)
            page.wait_for_selector("mark.focus")
            page.wait_for_timeout(300)  # the page scrolls the passage into view on load
            notice = page.locator(".superseded")
            assert notice.inner_text().startswith("Vervangen door")
            # Where the link lands, at the passage, the notice is on screen too.
            box, mark = notice.bounding_box(), page.locator("mark.focus").first.bounding_box()
            assert box and mark and box["y"] >= 0 and box["y"] + box["height"] <= mark["y"]
            page.screenshot(path=str(output_dir / "superseded-390.png"))
            notice.locator("a").click()
            page.wait_for_url("**/bron/lhv-aanbod-brochure-2026")
            assert "2026 · versie testeditie" in page.locator("header").inner_text()
            assert page.locator(".superseded").count() == 0
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_section_changes_name_what_changed(documents):
    from kernwijzer.ingest.changes import document_changes, outline

    doc = documents["lhv-aanbod-brochure"]
    before = outline(doc.text, build_sections(doc.id, doc.info.title, doc.text, doc.marks))
    text = doc.text.replace("meer werkdruk ervaren", "nog meer werkdruk ervaren")
    text = text.replace("Tot slot\n\n", "")
    after = outline(text, build_sections(doc.id, doc.info.title, text, doc.marks))
    [change] = document_changes({doc.id: before}, {doc.id: after})
    assert change.status == "changed"
    # The sentence's own section changed; and section 4, which now runs on over the text
    # of the heading that was removed.
    assert change.changed == ["inleiding", "4-de-huisarts-en-haar-team"]
    assert change.removed == ["tot-slot"] and change.added == []
    assert "changed 2 (inleiding, 4-de-huisarts-en-haar-team)" in change.summary()
    assert document_changes({doc.id: before}, {doc.id: before}) == []
