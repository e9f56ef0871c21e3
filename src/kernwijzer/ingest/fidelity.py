"""Whether a quote is the source's own words: checked against the original file.

Every quote is exact text of the *cleaned* document (``compose.verify``). This module asks
the stronger question policy staff care about: is it the text of the original source file?
The comparison keeps letters and digits only (NFKC-folded, case-folded), so whitespace,
line breaks, line-end hyphenation and punctuation do not count. Beyond that, a quote may
differ from the original only by the repairs declared in ``cleaning.REPAIRS``; a quote that
matches only after a repair is counted under that repair, and one that matches under none
is a failure (a table header inserted into a row, text stitched across a dropped line, a
footnote marker lost). Not here: making quotes (``answer/compose.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from kernwijzer.ingest.cleaning import FOOTNOTE_RE, LIGATURES, REPAIRS
from kernwijzer.ingest.corpus import SourceInfo

_MARKUP = (
    (re.compile(r"</?(?:ul|ol|li|p|span|div|br|strong|em|b|i)\b[^>]*>", re.I), " "),
    (re.compile(r"\]\(#?[^)\s]*\)"), " "),  # [text](#target): the target is not text
)


def letters(text: str) -> str:
    """The comparison form: letters and digits only, NFKC-folded and case-folded."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def _markup(text: str, info: SourceInfo) -> list[str]:
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return [text]


def _ligature(text: str, info: SourceInfo) -> list[str]:
    # One reading per ligature: the cleaning chose one per word, so one of these holds it.
    return [text.replace("\ufffd", lig) for lig in LIGATURES] if "\ufffd" in text else [text]


def _running_header(text: str, info: SourceInfo) -> list[str]:
    if not info.running_header:
        return [text]
    header = info.running_header.strip()
    return ["\n".join(line for line in text.split("\n") if line.strip() != header)]


def _page_footnotes(text: str, info: SourceInfo) -> list[str]:
    return ["\n".join(line for line in text.split("\n") if not FOOTNOTE_RE.match(line))]


def _table_header(text: str, info: SourceInfo) -> list[str]:
    # A header row: the first row of a table, every cell a short plain label.
    lines = text.split("\n")
    above = ""
    for i, line in enumerate(lines):
        cells = line.split("\t")
        first_row = len(cells) > 1 and "\t" not in above
        if line.strip():
            above = line
        if first_row and all(len(c) < 40 and "<" not in c for c in cells):
            lines[i] = ""
    return ["\n".join(lines)]


def _table_page_break(text: str, info: SourceInfo) -> list[str]:
    # Written apart from ``tables.py`` on purpose: a check that reused the cleaning code
    # would agree with it by construction.
    lines = text.split("\n")
    previous = None
    for i, line in enumerate(lines):
        if "\t" not in line:
            if line.strip() and not FOOTNOTE_RE.match(line.strip()):
                previous = None  # text between: a new table, not a continuation
            continue
        if previous is not None and line.startswith("\t"):
            cells, more = lines[previous].split("\t"), line.split("\t")
            width = max(len(cells), len(more))
            cells, more = cells + [""] * (width - len(cells)), more + [""] * (width - len(more))
            lines[previous] = "\t".join(f"{c} {m}" for c, m in zip(cells, more, strict=True))
            lines[i] = ""
            continue
        previous = i
    return ["\n".join(lines)]


_APPLY: dict[str, Callable[[str, SourceInfo], list[str]]] = {
    "markup": _markup,
    "lost-ligature": _ligature,
    "running-header": _running_header,
    "page-footnotes": _page_footnotes,
    "table-header": _table_header,
    "table-page-break": _table_page_break,
}
assert set(_APPLY) == set(REPAIRS), "every declared repair needs a check, and only those"


def _apply(raw: str, info: SourceInfo, used: Sequence[str]) -> list[str]:
    texts = [raw]
    for name in used:
        texts = [r for t in texts for r in _APPLY[name](t, info)]
    return texts


@dataclass
class OriginalText:
    """An original source file in comparison form, read with any set of declared repairs."""

    raw: str
    info: SourceInfo
    _readings: dict[tuple[str, ...], list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_raw(cls, raw: str, info: SourceInfo) -> OriginalText:
        """The original text; readings with repairs are made when first asked for."""
        return cls(raw, info)

    def _matches(self, needle: str, used: tuple[str, ...]) -> bool:
        if used not in self._readings:
            self._readings[used] = [letters(t) for t in _apply(self.raw, self.info, used)]
        return any(needle in t for t in self._readings[used])

    def check(self, quote: str) -> tuple[str, ...] | None:
        """The fewest repairs a quote needs to match the original: () if none, None if none do.

        Tried in order: none, each repair alone, each pair, then all; a match under all is
        trimmed one repair at a time, so the counts name the repairs that made a difference.
        Footnotes the cleaning moved (``page-footnotes``) are checked where they stand in
        the original, the rest of the quote without them.
        """
        used = self._fewest(quote)
        lines = quote.split("\n")
        notes = [line for line in lines if FOOTNOTE_RE.match(line.strip())]
        if used is None and notes and len(notes) < len([x for x in lines if x.strip()]):
            rest = self._fewest("\n".join(x for x in lines if not FOOTNOTE_RE.match(x.strip())))
            if rest is None or any(self._fewest(note) is None for note in notes):
                return None
            return tuple(n for n in REPAIRS if n in rest or n == "page-footnotes")
        return used

    def _fewest(self, quote: str) -> tuple[str, ...] | None:
        needle = letters(quote)
        names = tuple(REPAIRS)
        for size in (0, 1, 2):
            for used in combinations(names, size):
                if self._matches(needle, used):
                    return used
        if not self._matches(needle, names):
            return None
        used = names
        for name in names:
            fewer = tuple(n for n in used if n != name)
            if self._matches(needle, fewer):
                used = fewer
        return used
