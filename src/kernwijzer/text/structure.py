"""Structure of a cleaned document that is not its words: table cells and page furniture.

A table's column header ("Bronnen", "Omschrijving") is structure, not text of the cell
below it; a link teaser or "Op deze pagina vindt u …" is page furniture, no answer to
anything. Both stay out of quotes: a cell's column is carried as a `Mark` (and on the
citation as ``table_column``), and furniture is marked so it is never quoted (the section
view shows it greyed).

Cleaning rewrites blocks in several passes (joining broken paragraphs, moving footnotes),
so offsets are only known at the end. Marks therefore travel in-band as private-use
characters around the marked text and are taken out, with their offsets, once the text is
final (`extract`). Source text never holds these characters: `read_source` rejects them.
Not here: deciding what is a cell or furniture (``tables.py``, ``cleaning.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Footnote markers as the corpus writes them: cleaning makes them, sections and footnotes
# read them.
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
CELL = "cell"
FURNITURE = "furniture"
# A heading the source format marked as one (a PDF's larger type, an HTML ``<h2>``); its
# label is the level. Sections follow these where a document has them (``sections``).
HEADING = "heading"
KINDS = (CELL, FURNITURE, HEADING)


class SentenceKind(StrEnum):
    """What a sentence of the index is (``chunking`` decides; stored as its plain value)."""

    BODY = "body"
    ITEM = "item"  # a list item
    HEADING = HEADING  # a section's title
    LABEL = "label"  # a short stand-alone line: an unnumbered sub-heading
    TITLE = "title"  # the document's own first line
    META = "meta"  # table labels and title cells
    NOTE = "note"  # a footnote that states something
    FOOTNOTE = "footnote"  # a reference footnote
    FURNITURE = FURNITURE  # a link teaser or navigation


# Sentence kinds that are never a quote's answering sentence: a reference footnote, a cell
# of titles, the document's title line, page furniture.
UNQUOTABLE = frozenset(
    {SentenceKind.FOOTNOTE, SentenceKind.META, SentenceKind.TITLE, SentenceKind.FURNITURE}
)
# Sentences that steer the reader around the page ("Op deze pagina vindt u …", "Lees meer
# over …", "Zie hier …" of a link): furniture wherever they stand, in Dutch and English.
NAVIGATION_RE = re.compile(
    r"^(?:(?:op|via) deze (?:pagina|website|site)\b|(?:lees|klik|kijk) (?:hier|meer|verder)\b"
    r"|zie hier\b|meer (?:over|informatie over)\b|(?:bekijk|download|ga naar|terug naar|"
    r"naar boven|deel deze|spring naar)\b|(?:on this page|read more|back to top|skip to)\b)"
    r"|\bcookies?\b",
    re.IGNORECASE,
)
_OPEN, _LABEL_END, _CLOSE = "\ue000", "\ue001", "\ue002"
SENTINELS = _OPEN + _LABEL_END + _CLOSE


@dataclass(frozen=True)
class Mark:
    """A span of the cleaned text (``start``..``end``) with a structural role."""

    start: int
    end: int
    kind: str  # CELL or FURNITURE
    label: str = ""  # a cell's column header ("" when the table has none)

    def to_dict(self) -> dict[str, object]:
        """JSON form (stored with the document in the index)."""
        return {"start": self.start, "end": self.end, "kind": self.kind, "label": self.label}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Mark:
        """Inverse of `to_dict`."""
        return cls(
            int(str(data["start"])),
            int(str(data["end"])),
            str(data["kind"]),
            str(data.get("label") or ""),
        )


def wrap(text: str, kind: str, label: str = "") -> str:
    """``text`` with in-band marks around it (see the module docstring)."""
    label = " ".join(label.replace(_LABEL_END, " ").split())
    return f"{_OPEN}{kind}:{label}{_LABEL_END}{text}{_CLOSE}"


def extract(text: str) -> tuple[str, list[Mark]]:
    """Remove the in-band marks; return the plain text and each mark's final offsets."""
    out: list[str] = []
    marks: list[Mark] = []
    stack: list[tuple[int, str, str]] = []
    length = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == _OPEN:
            stop = text.index(_LABEL_END, i)
            kind, _, label = text[i + 1 : stop].partition(":")
            stack.append((length, kind, label))
            i = stop + 1
            continue
        if ch == _CLOSE:
            start, kind, label = stack.pop()
            marks.append(Mark(start, length, kind, label))
            i += 1
            continue
        out.append(ch)
        length += 1
        i += 1
    plain = "".join(out)
    return plain, [_trimmed(m, plain) for m in sorted(marks, key=lambda m: m.start)]


def _trimmed(mark: Mark, text: str) -> Mark:
    """The mark without white space at either end (joins may have put some inside)."""
    start, end = mark.start, mark.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Mark(start, end, mark.kind, mark.label)


def mark_at(marks: tuple[Mark, ...] | list[Mark], offset: int, kind: str) -> Mark | None:
    """The mark of ``kind`` that holds ``offset``, if any."""
    return next((m for m in marks if m.kind == kind and m.start <= offset < m.end), None)


def within(marks: tuple[Mark, ...] | list[Mark], start: int, end: int, kind: str) -> list[Mark]:
    """The marks of ``kind`` that overlap ``start``..``end``."""
    return [m for m in marks if m.kind == kind and m.start < end and start < m.end]
