"""Text from a document's published form: PDF, a saved web page (HTML), DOCX, plain text.

The output is the corpus's *structured* text format, the form ``cleaning.py`` reads for
the ``structured`` profile: the title on the first line, ``#``/``##``/… lines for the
headings the format marked (a PDF's larger type, HTML ``<h1>``–``<h6>``), one paragraph per
line, ``- `` list items, and tables as tab-separated rows with the header row first.

The libraries do the reading: pdfplumber (characters with their type size, and its table
finder) for PDF, trafilatura (main text without navigation, banners and footers) for HTML,
python-docx (paragraph styles, tables) for Word documents.
This package only turns what they report into lines, one module per format (``pdf``,
``html``, ``docx``, ``text``; what they share in ``common``); ``extract`` picks one.
Metadata is reported, never decided: what a file says about itself (a PDF's /Title, a
page's ``<title>`` or publication date) is returned as ``found`` for the caller to show.
Not here: cleaning, sections, the corpus.
"""

from __future__ import annotations

from pathlib import Path

from kernwijzer.ingest.extract.common import (
    DOCX,
    HTML,
    PDF,
    SUFFIXES,
    TEXT,
    Extracted,
    ExtractionError,
)
from kernwijzer.ingest.extract.docx import docx_text
from kernwijzer.ingest.extract.html import html_text
from kernwijzer.ingest.extract.pdf import pdf_text
from kernwijzer.ingest.extract.text import plain_text

__all__ = [
    "DOCX",
    "HTML",
    "PDF",
    "SUFFIXES",
    "TEXT",
    "Extracted",
    "ExtractionError",
    "docx_text",
    "extract",
    "html_text",
    "pdf_text",
    "plain_text",
]


def extract(path: Path) -> Extracted:
    """The structured text of ``path``; `ExtractionError` when it has none to give."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ExtractionError(f"{path.name}: not a supported format; use one of {sorted(SUFFIXES)}")
    if kind == PDF:
        result = pdf_text(path)
    elif kind == DOCX:
        result = docx_text(path)
    elif kind == HTML:
        # Bytes, not text: a saved page declares its own encoding (windows-1252 is common),
        # and trafilatura reads the declaration.
        result = html_text(path.read_bytes(), path.name)
    else:
        try:
            raw = path.read_bytes().decode("utf-8-sig")  # a BOM is not part of the title
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"{path.name}: not valid UTF-8 (byte {exc.start})") from exc
        result = plain_text(raw)
    if not result.text.strip():
        raise ExtractionError(f"{path.name}: no text found in the file")
    return result
