"""Make the published-form test files in this folder (committed; run again only to change them).

- ``brochure-2026.pdf``: the LHV brochure's text as a new (test) edition, set like a brochure:
  title in 20 pt, chapter headings in 15 pt, side headings in 12 pt, body in 10 pt, a running
  header and page numbers on every page, and the team list as a ruled table. One sentence
  differs from the 2022 text (the edition change the replace test looks for).
- ``avondzorg.html`` (written by hand, not by this script): a saved web page of a made-up
  insurer, with navigation, a cookie banner, a sidebar and a footer around the main text
  (headings, a list, a table).
- ``scan.pdf``: a page of the brochure as an image only, no text layer.
- ``beveiligd.pdf``: the first page of the brochure, password-protected.
- ``notitie.docx``: a short Word document with Heading styles, a bulleted list and a table.

``python tests/data/make_fixtures.py`` (needs the dev extra's fpdf2, and the DejaVu fonts).
``make_from_corpus`` also sets the 21-page PDF of ``benchmarks/add.py``.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).parent
FONT = Path("/usr/share/fonts/truetype/dejavu")
CHANGED = (
    "Uit onderzoek blijkt dat huisartsen de laatste jaren meer werkdruk ervaren.",
    "Uit onderzoek uit 2025 blijkt dat huisartsen nog altijd meer werkdruk ervaren dan "
    "tien jaar geleden.",
)
TEAM_TABLE = [
    ("Zorgverlener", "Taken"),
    (
        "Doktersassistent",
        "Eerste aanspreekpunt voor de patiënt; triage, kleine verrichtingen onder supervisie, "
        "administratieve en organisatorische taken.",
    ),
    (
        "Praktijkondersteuner (POH)",
        "Begeleidt in overleg met de huisarts patiënten met (risico op) een chronische "
        "aandoening zoals diabetes, COPD of hart- en vaatziekten.",
    ),
    ("POH-GGZ", "Begeleidt en coacht patiënten met psychische klachten."),
    (
        "Verpleegkundig specialist of physician assistant",
        "Voert zelfstandig bepaalde medische taken uit in afstemming met de huisarts.",
    ),
    ("Praktijkmanager", "Neemt organisatorische en personeelstaken op zich."),
]


class Brochure(FPDF):
    """A4 with a running header and page numbers, like the printed brochure."""

    running = "Aanbod huisartsgeneeskundige zorg · editie 2026"

    def header(self) -> None:
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, self.running, align="R")
        self.ln(10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, str(self.page_no()), align="C")


def _pdf() -> Brochure:
    pdf = Brochure(format="A4")
    pdf.add_font("DejaVu", "", str(FONT / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(20, 15, 20)
    pdf.add_page()
    return pdf


def brochure_blocks() -> list[str]:
    """The 2022 brochure's cleaned text as blocks, from the project's corpus."""
    from kernwijzer.config import load_settings
    from kernwijzer.ingest.corpus import load_corpus

    docs = {d.id: d for d in load_corpus(load_settings().corpus_dir)}
    text = docs["lhv-aanbod-brochure"].text.replace(*CHANGED)
    return [b for b in text.split("\n\n") if b.strip()]


def set_brochure(pdf: Brochure, blocks: list[str], title: str) -> None:
    """Lay out the brochure's blocks: headings by type size, items, the team table."""
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 9, title)
    pdf.ln(4)
    for block in blocks[1:]:
        if re.fullmatch(r"\d \S.{2,60}|Inleiding|Voor wie|Tot slot", block):
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", 15)
            pdf.multi_cell(0, 7, block)
            pdf.ln(2)
        elif block.isupper():
            pdf.set_font("DejaVu", "B", 12)
            pdf.multi_cell(0, 6, block)
            pdf.ln(1)
        elif block.startswith("- De doktersassistent"):
            _team_table(pdf)
        elif block.startswith("- "):
            pdf.set_font("DejaVu", "", 10)
            for item in block.split("\n"):
                pdf.multi_cell(0, 5, "• " + item[2:])
                pdf.ln(1)
            pdf.ln(1)
        else:
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(0, 5, block)
            pdf.ln(3)


def _team_table(pdf: Brochure) -> None:
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=(45, 125), first_row_as_headings=True, line_height=5) as table:
        for row in TEAM_TABLE:
            r = table.row()
            for cell in row:
                r.cell(cell)
    pdf.ln(4)


def make_brochure(out: Path) -> None:
    """The 2026 test edition of the brochure."""
    pdf = _pdf()
    set_brochure(pdf, brochure_blocks(), "Aanbod huisartsgeneeskundige zorg, editie 2026")
    pdf.set_title("Aanbod huisartsgeneeskundige zorg, editie 2026")
    pdf.output(str(out))


def make_from_corpus(out: Path, doc_ids: list[str], title: str, copies: int = 1) -> None:
    """A PDF set from corpus documents' cleaned text: headings by their section level.

    ``copies`` > 1 sets the documents that many times, every heading and line of copy k
    marked "Deel k:", so that no sentence repeats and nothing can reuse an embedding (a
    long document for the scale benchmark).
    """
    from kernwijzer.config import load_settings
    from kernwijzer.ingest.corpus import load_corpus
    from kernwijzer.ingest.sections import blocks, build_sections

    docs = {d.id: d for d in load_corpus(load_settings().corpus_dir)}
    pdf = _pdf()
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 9, title)
    pdf.ln(4)
    sizes = {1: 15, 2: 13, 3: 12}
    for copy in range(1, copies + 1):
        mark = f"Deel {copy}: " if copies > 1 else ""
        for doc_id in doc_ids:
            doc = docs[doc_id]
            heads = {
                s.start: s.level
                for s in build_sections(doc.id, doc.info.title, doc.text, doc.marks)
            }
            pdf.set_font("DejaVu", "B", 16)
            pdf.multi_cell(0, 8, mark + doc.info.title)
            pdf.ln(3)
            for block in blocks(doc.text)[1:]:
                if block.start in heads:
                    pdf.set_font("DejaVu", "B", sizes.get(heads[block.start] + 1, 11))
                    pdf.multi_cell(0, 6, mark + block.text)
                    pdf.ln(1)
                    continue
                pdf.set_font("DejaVu", "", 10)
                for line in block.text.split("\n"):
                    bullet = line.lstrip().startswith("- ")
                    text = "• " + mark + line.lstrip()[2:] if bullet else mark + line
                    pdf.multi_cell(0, 5, text.strip(), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
    pdf.output(str(out))


def make_docx(out: Path) -> None:
    """A Word version of the HTML test page: Heading styles, a bulleted list, a table."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Avond-, nacht- en weekendzorg (Word)"
    document.add_heading("Avond-, nacht- en weekendzorg (Word)", level=0)
    document.add_paragraph(
        "Deze testnotitie beschrijft hoe de Voorbeeldverzekeraar de huisartsenzorg buiten "
        "kantoortijden inkoopt. Het is een voorbeeld voor de tests van Kernwijzer."
    )
    document.add_heading("Wie levert de zorg?", level=1)
    document.add_paragraph(
        "Buiten kantoortijden levert de huisartsenpost de spoedeisende huisartsenzorg."
    )
    for item in ("Telefonisch advies", "Consult op de post", "Visite thuis"):
        document.add_paragraph(item, style="List Bullet")
    document.add_heading("Bereikbaarheid", level=2)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Urgentie", "Gezien binnen"
    for urgency, within in (("U1", "zo snel mogelijk"), ("U2", "binnen een uur")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = urgency, within
    document.add_heading("Wat moet de huisarts zelf regelen?", level=1)
    document.add_paragraph("De huisarts zorgt dat haar patiënten de huisartsenpost kennen.")
    document.save(str(out))


def make_scan(out: Path) -> None:
    """One page whose text is only pixels."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT / "DejaVuSans.ttf"), 28)
    y = 120
    for block in brochure_blocks()[:8]:
        for line in textwrap.wrap(block, 70):
            draw.text((110, y), line, font=font, fill=0)
            y += 40
        y += 20
    png = HERE / "_scan.png"
    image.save(png)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(str(png), x=0, y=0, w=210)
    pdf.output(str(out))
    png.unlink()


def make_protected(out: Path) -> None:
    """The brochure's first blocks behind a password."""
    pdf = _pdf()
    pdf.set_encryption(owner_password="eigenaar", user_password="geheim")
    set_brochure(pdf, brochure_blocks()[:6], "Aanbod huisartsgeneeskundige zorg (beveiligd)")
    pdf.output(str(out))


def main() -> int:
    """Write all fixtures into this folder."""
    make_brochure(HERE / "brochure-2026.pdf")
    make_scan(HERE / "scan.pdf")
    make_protected(HERE / "beveiligd.pdf")
    make_docx(HERE / "notitie.docx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
