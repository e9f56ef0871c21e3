"""HTML for a stretch of cleaned text: escaped, with its structure and emphasis shown.

Shared by the chat cards and the section view so both show a passage the same way: the
passage marked lightly and its answering sentence strongly, a table cell's column header
as a label before the cell (structure, not words of the text), page furniture greyed,
and footnote markers as links to their notes. Everything from the corpus is escaped.
Not here: page layout (``cards.py``, ``sectionview.py``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from itertools import pairwise

from kernwijzer.text.footnotes import markers
from kernwijzer.text.structure import CELL, FURNITURE, Mark

Span = tuple[int, int]


@dataclass(frozen=True)
class Decoration:
    """What to show on the text besides its words (all offsets in the document)."""

    passage: Span | None = None  # marked lightly
    focus: Span | None = None  # the answering sentence, marked strongly
    marks: tuple[Mark, ...] = ()
    footnote_links: bool = False  # markers link to ``#fn-<number>`` on the same page


def _inside(span: Span | None, at: int) -> bool:
    return span is not None and span[0] <= at < span[1]


def _tags(state: tuple[bool, bool, bool]) -> tuple[str, str]:
    furniture, passage, focus = state
    opened, closed = "", ""
    for on, open_tag, close_tag in (
        (furniture, '<span class="furniture">', "</span>"),
        (passage, '<mark class="hl">', "</mark>"),
        (focus, '<mark class="focus">', "</mark>"),
    ):
        if on:
            opened += open_tag
            closed = close_tag + closed
    return opened, closed


def render(text: str, offset: int, deco: Decoration) -> str:
    """``text`` (which starts at document offset ``offset``) as decorated HTML."""
    end = offset + len(text)
    labels = {
        m.start: m.label
        for m in deco.marks
        if m.kind == CELL and m.label and offset <= m.start < end
    }
    furniture = [(m.start, m.end) for m in deco.marks if m.kind == FURNITURE]
    refs = {offset + a: (offset + b, n) for a, b, n in markers(text)} if deco.footnote_links else {}
    # Where anything changes; between two of these the text is escaped in one piece.
    edges = {offset, end, *labels, *refs, *(x for span in furniture for x in span)}
    for span in (deco.passage, deco.focus):
        if span:
            edges.update(span)
    cuts = sorted(c for c in edges if offset <= c <= end)
    out: list[str] = []
    state = (False, False, False)
    closing = ""
    for at, stop in pairwise(cuts):
        if at in labels:
            out.append(f'{closing}<span class="kw-col">{html.escape(labels[at])}:</span> ')
            state, closing = (False, False, False), ""
        new = (
            any(a <= at < b for a, b in furniture),
            _inside(deco.passage, at),
            _inside(deco.focus, at),
        )
        if new != state:
            opened, closed = _tags(new)
            out.append(closing + opened)
            state, closing = new, closed
        piece = html.escape(text[at - offset : stop - offset])
        if at in refs:
            number = refs[at][1]
            piece = (
                f'<a class="fnref" href="#fn-{number}" aria-label="voetnoot {number}">{piece}</a>'
            )
        out.append(piece)
    out.append(closing)
    return "".join(out)
