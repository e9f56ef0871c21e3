"""What every extractor shares: the result, the error, the format names, the bomb check.

Not here: reading any one format (``pdf``, ``html``, ``docx``, ``text`` beside this).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

PDF, HTML, DOCX, TEXT = "pdf", "html", "docx", "text"
SUFFIXES = {
    ".pdf": PDF,
    ".html": HTML,
    ".htm": HTML,
    ".docx": DOCX,
    ".txt": TEXT,
    ".md": TEXT,
}


# A published policy document unpacks to a few MB. A part that unpacks to more than this
# at more than RATIO times its packed size is a decompression bomb, not a document: a 1.5
# MB file unpacking to 1.5 GB would hold gigabytes of memory while it is read.
MAX_UNPACKED_PART = 50_000_000
MAX_RATIO = 100
MAX_UNPACKED_TOTAL = 1_000_000_000


class ExtractionError(ValueError):
    """A file whose text cannot be taken: the message names the file and the reason."""


def check_unpacked(name: str, parts: Iterator[tuple[int, int]]) -> None:
    """Refuse a file whose (packed, unpacked) parts make a decompression bomb."""
    total = 0
    for packed, unpacked in parts:
        total += unpacked
        bomb = unpacked > MAX_UNPACKED_PART and unpacked > MAX_RATIO * max(packed, 1)
        if bomb or total > MAX_UNPACKED_TOTAL:
            raise ExtractionError(
                f"{name}: a part of the file unpacks to more than {unpacked / 1e6:.0f} MB from "
                f"{packed / 1e6:.1f} MB; a published document is a few MB, so this is refused "
                "as damaged or malicious (a decompression bomb)"
            )


@dataclass
class Extracted:
    """A document's text in the structured format, and what the extraction found."""

    text: str
    kind: str  # PDF, HTML or TEXT
    pages: int | None = None
    headings: int = 0
    tables: int = 0
    table_rows: int = 0
    found: dict[str, str] = field(default_factory=dict)  # metadata the file states itself


def table_block(rows: list[list[str]]) -> str:
    """One block of tab-separated rows ('' for none): ``tables.render`` labels its cells."""
    return "\n".join("\t".join(c.replace("\t", " ") for c in row) for row in rows if any(row))
