"""Whether a quote is the source's own words: checked against the original file.

Every quote is exact text of the *cleaned* document (``answer.verify``). This module asks
the stronger question policy staff care about: is it the text of the original source file?
The comparison keeps letters and digits only (NFKC-folded, case-folded), so whitespace,
line breaks, line-end hyphenation and punctuation do not count. Beyond that, a quote may
differ from the original only by the repairs declared in ``cleaning.REPAIRS``; a quote that
matches only after a repair is counted under that repair, and one that matches under none
is a failure (a table header inserted into a row, text stitched across a dropped line, a
footnote marker lost). Not here: making quotes (``answer.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from kernwijzer.cleaning import FOOTNOTE_RE, LIGATURES, REPAIRS
from kernwijzer.corpus import SourceInfo

VERBATIM = "verbatim"
FAILED = "undeclared"
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


_APPLY: dict[str, Callable[[str, SourceInfo], list[str]]] = {
    "markup": _markup,
    "lost-ligature": _ligature,
    "running-header": _running_header,
    "page-footnotes": _page_footnotes,
}
assert set(_APPLY) == set(REPAIRS), "every declared repair needs a check, and only those"


@dataclass
class OriginalText:
    """An original source file in comparison form: as is, with each repair, with all."""

    info: SourceInfo
    readings: list[tuple[tuple[str, ...], list[str]]] = field(default_factory=list)

    @classmethod
    def from_raw(cls, raw: str, info: SourceInfo) -> OriginalText:
        """Prepare the readings: none, each declared repair alone, then all of them."""
        out = cls(info, [((), [letters(raw)])])
        for name in REPAIRS:
            out.readings.append(((name,), [letters(t) for t in _APPLY[name](raw, info)]))
        texts = [raw]
        for name in REPAIRS:
            texts = [r for t in texts for r in _APPLY[name](t, info)]
        out.readings.append((tuple(REPAIRS), [letters(t) for t in texts]))
        return out

    def check(self, quote: str) -> tuple[str, ...] | None:
        """The repairs a quote needs to match the original: () if none, None if no match."""
        needle = letters(quote)
        for used, texts in self.readings:
            if any(needle in t for t in texts):
                return used
        return None
