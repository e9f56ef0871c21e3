"""Footnotes of a cleaned document: which markers a quote holds and what each note says.

A quote keeps the source's footnote markers ("vervangen¹⁵"); the citation carries each
note's text so a reader need not look it up. Definitions are the document's lines that
start with a superscript number (``cleaning`` moves them out of the running text).
Not here: deciding whether a footnote is quotable (``chunking``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kernwijzer.text.structure import SUPERSCRIPTS

_DEFINITION = re.compile(rf"^([{SUPERSCRIPTS}]+)\s+([^\n]+)$", re.MULTILINE)
# A marker follows a word or punctuation; a superscript run at a line start is a definition.
_MARKER = re.compile(rf"(?<=[^\s{SUPERSCRIPTS}])[{SUPERSCRIPTS}]+")
DIGITS = str.maketrans(SUPERSCRIPTS, "0123456789")


@dataclass(frozen=True)
class Note:
    """One footnote a quote refers to: its marker as a number, its text and offsets."""

    number: str
    text: str
    start: int
    end: int


@lru_cache(maxsize=32)
def definitions(text: str) -> dict[str, Note]:
    """Every footnote definition of a document, by its number ("15")."""
    found: dict[str, Note] = {}
    for m in _DEFINITION.finditer(text):
        number = m.group(1).translate(DIGITS)
        found.setdefault(number, Note(number, m.group(2).strip(), m.start(2), m.end(2)))
    return found


def markers(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """The footnote markers in ``text[start:end]`` as (start, end, number)."""
    stop = len(text) if end is None else end
    return [
        (m.start(), m.end(), m.group(0).translate(DIGITS))
        for m in _MARKER.finditer(text, start, stop)
    ]


def notes_in(text: str, start: int, end: int) -> list[Note]:
    """The notes whose markers stand in ``text[start:end]``, in order, each once."""
    defined = definitions(text)
    seen: dict[str, Note] = {}
    for _, _, number in markers(text, start, end):
        if number in defined:
            seen.setdefault(number, defined[number])
    return list(seen.values())
