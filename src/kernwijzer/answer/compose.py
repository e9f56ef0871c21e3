"""Answers made of the sources' own words: quotes, citations, links, or an honest abstention.

From ranked sentences this module picks the quotes: it widens a sentence that introduces a
list ("… onderverdeeld in vijf kerntaken:") to the whole list, a list item's title to
the whole item, and a heading or a stand-alone label ("Spoedeisende zorg") to what it
names, merges neighbouring sentences of one paragraph, and keeps every passage
that scores close to the best (from every document that has one). Every quote is checked
to be the exact text at its offsets before it is returned. No generative model is used.
Not here: retrieval and scoring (``retrieval/fusion.py``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from kernwijzer.answer.links import section_link
from kernwijzer.config import AnswerSettings
from kernwijzer.index.snapshot import IndexSnapshot
from kernwijzer.ingest.corpus import LoadedDocument, edition_label
from kernwijzer.ingest.sections import section_at
from kernwijzer.messages import ANSWER, words
from kernwijzer.retrieval.fusion import Hit
from kernwijzer.text.footnotes import notes_in
from kernwijzer.text.structure import CELL, FURNITURE, Mark, SentenceKind, mark_at, within

log = logging.getLogger(__name__)
MAX_QUOTE = 1500
COUNT_WORDS = r"\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|\d+)\b"


@dataclass(frozen=True)
class Citation:
    """One quoted passage with everything needed to check and cite it."""

    rank: int
    quote: str
    doc_id: str
    doc_title: str
    publisher: str | None
    section: str
    section_path: list[str]
    anchor: str
    start: int
    end: int
    link: str
    source_url: str | None
    score: float
    supports: bool = True  # False: listed as nearest passage of an abstention
    focus_start: int = 0  # the answering sentence inside the quote (offsets in the document)
    focus_end: int = 0
    # A table cell's column header (or a definition list's term) is structure, never words
    # of the quote: the label of the answering sentence's cell, and every cell the quote
    # holds with its label (offsets in the document), so a reader sees "Bronnen" or
    # "Basisaanbod" as a label beside the text.
    table_column: str | None = None
    table_cells: list[dict[str, object]] = field(default_factory=list)
    # The footnotes whose markers the quote holds: {"number", "text", "start", "end"}.
    notes: list[dict[str, object]] = field(default_factory=list)
    # How well the passage answers, for readers: "strong" (as good as the best), "partial"
    # (relevant, weaker), "none" (a nearest passage of a refusal).
    strength: str = "strong"
    # The same words in other documents: {"doc_id", "doc_title", "publisher", "section",
    # "link", "date"}; one card lists every source instead of repeating the quote.
    also_in: list[dict[str, object]] = field(default_factory=list)
    date: str | None = None  # the document's date (its edition), when known
    version: str | None = None  # the document's version, when known
    # From an insurer's page: with no publisher named, a copied citation still says whose
    # "ons" the quote speaks of (an insurer, name not in the source).
    insurer: bool = False

    @property
    def edition(self) -> str | None:
        """Date and version as one label for readers; None when neither is known."""
        return edition_label(self.date, self.version)


@dataclass
class Answer:
    """The result of one question (the JSON of ``kernwijzer ask --json``)."""

    id: str | None
    question: str
    language: str
    abstained: bool
    answer: str
    citations: list[Citation]
    # "answered" (the passages answer), "partial" (they speak of the question's topic but
    # may not state what is asked) or "abstained" (they are about something else).
    status: str = "answered"
    timings_ms: dict[str, float] = field(default_factory=dict)
    expansions: list[str] = field(default_factory=list)
    evidence: dict[str, object] = field(default_factory=dict)  # answerability features
    documents: list[str] | None = None  # the sources searched (None: all)
    related: list[str] = field(default_factory=list)  # "Zie ook": the sources' own questions
    dutch_reading: str | None = None  # an English question read in the corpus's Dutch

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """Inverse of `to_dict` (an answer kept in the app's state)."""
        fields = dict(data)
        fields["citations"] = [Citation(**c) for c in data.get("citations", [])]
        return cls(**fields)


@dataclass
class _Span:
    doc_id: str
    start: int
    end: int
    focus: tuple[int, int]
    score: float
    also: list[_Span] = field(default_factory=list)  # the same words in other documents


def widen(text: str, start: int, end: int, context_chars: int = 0) -> tuple[int, int]:
    """Grow a sentence span to the list it introduces, the item it titles, or its line.

    The line (a paragraph or list item) is quoted whole when it is at most
    ``context_chars`` long, so that the sentence keeps the words around it.
    """
    sentence = text[start:end]
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    after = text[end:]
    next_block = re.match(r"\s*\n\n(- [^\n]*(?:\n(?!\n)[^\n]*)*)", after)
    same_block_list = re.match(r"\n((?:- |  - )[^\n]*(?:\n(?!\n)[^\n]*)*)", text[line_end:])
    introduces = sentence.rstrip().endswith(":") or re.search(COUNT_WORDS, sentence)
    if introduces and end >= line_end - 1:
        if next_block:
            return start, min(end + next_block.end(), start + MAX_QUOTE)
        if same_block_list and sentence.rstrip().endswith(":"):
            return start, min(line_end + same_block_list.end(), start + MAX_QUOTE)
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() == "-":
        # An item title: take the item with the lines indented below it (a table row, a
        # term and its description), not its siblings.
        deeper = " " * (len(text[line_start:start]) - len(text[line_start:start].lstrip()) + 2)
        m = re.match(rf"[^\n]*(?:\n{deeper}[^\n]*)*", text[start:])
        if m and m.end() > end - start:
            return start, min(start + m.end(), start + MAX_QUOTE)
    line_start, line_stop = text.rfind("\n", 0, start) + 1, line_end
    content_start = (
        line_start
        + len(text[line_start:line_stop])
        - len(re.sub(r"^\s*(- )?", "", text[line_start:line_stop]))
    )
    if line_stop - content_start <= context_chars:
        return content_start, line_stop
    return start, end


def _heading_quote(
    text: str, heading_end: int, context_chars: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """What a heading hit quotes, as (focus, quote): its section's first line, widened.

    A heading introduces its section the way "… vijf kerntaken:" introduces a list, so a
    section that opens with a list ("4.1. Signalen") is quoted as that whole list.
    """
    m = re.compile(r"\s*(- )?([^\n]+)").match(text, heading_end)
    if not m:
        return (heading_end, heading_end), (heading_end, heading_end)
    focus = m.start(2), m.end(2)
    if m.group(1):
        block_end = text.find("\n\n", focus[0])
        block_end = len(text) if block_end < 0 else block_end
        return focus, (focus[0], min(block_end, focus[0] + MAX_QUOTE))
    return focus, widen(text, *focus, context_chars)


def _next_section_start(doc: LoadedDocument, offset: int) -> int:
    return min((s.start for s in doc.sections if s.start > offset), default=len(doc.text))


def _merge(spans: list[_Span], candidate: _Span, text: str) -> bool:
    """Fold a candidate into a chosen span of the same paragraph line; True if it was."""
    for span in spans:
        if span.doc_id != candidate.doc_id:
            continue
        lo, hi = sorted((span, candidate), key=lambda s: s.start)
        gap = text[lo.end : hi.start]
        if hi.start <= lo.end or (gap.strip() == "" and "\n" not in gap and len(gap) <= 2):
            span.start, span.end = min(span.start, candidate.start), max(span.end, candidate.end)
            span.end = min(span.end, span.start + MAX_QUOTE)
            return True
    return False


def _described_by(marks: tuple[Mark, ...], text: str, start: int, end: int) -> Mark | None:
    """The description a definition term (``text[start:end]``) labels, if it is one."""
    term = text[start:end]
    return next(
        (m for m in marks if m.kind == CELL and m.label == term and 0 < m.start - end <= 4),
        None,
    )


def _first_sentence_end(text: str, span: Mark) -> int:
    found = re.search(r"[.!?](?=\s|$)", text[span.start : span.end])
    return span.start + found.end() if found else span.end


def _without_furniture(
    marks: tuple[Mark, ...], wide: tuple[int, int], focus: tuple[int, int]
) -> tuple[int, int]:
    """The quote cut short of any page furniture around its answering sentence."""
    lo, hi = wide
    for m in within(marks, lo, hi, FURNITURE):
        if m.end <= focus[0]:
            lo = max(lo, m.end)
        elif m.start >= focus[1]:
            hi = min(hi, m.start)
    return lo, hi


def select_spans(
    snapshot: IndexSnapshot, hits: list[Hit], limit: int, margin: float, context_chars: int = 0
) -> list[_Span]:
    """The quoted spans: best hits widened and merged, within ``margin`` of the best."""
    chosen: list[_Span] = []
    if not hits:
        return chosen
    best = hits[0].score
    for hit in hits:
        if len(chosen) >= limit or hit.score < best - margin:
            break
        s = snapshot.sentences
        doc_id = s.doc_ids[hit.index]
        text = snapshot.documents[doc_id].text
        start, end = int(s.starts[hit.index]), int(s.ends[hit.index])
        kind = s.extra[hit.index].get("kind")
        if kind == SentenceKind.HEADING:
            (start, end), wide = _heading_quote(text, end, context_chars)
        elif kind == SentenceKind.LABEL:
            # A sub-heading in disguise is quoted with what it names, itself included; what
            # it names lies before the next section starts (the quote's link names one).
            label = start, end
            (start, end), wide = _heading_quote(text, end, context_chars)
            wide = label[0], wide[1]
            if wide[1] > _next_section_start(snapshot.documents[doc_id], label[0]):
                (start, end), wide = label, label
        elif described := _described_by(snapshot.documents[doc_id].marks, text, start, end):
            # A definition list's term is structure: quote its description, which answers.
            wide = described.start, described.end
            start, end = described.start, _first_sentence_end(text, described)
        else:
            wide = widen(text, start, end, context_chars)
        marks = snapshot.documents[doc_id].marks
        if mark_at(marks, start, FURNITURE):
            continue  # a heading whose first line is a link teaser: nothing to quote
        wide = _without_furniture(marks, wide, (start, end))
        candidate = _Span(doc_id, wide[0], wide[1], (start, end), hit.score)
        quoted = text[wide[0] : wide[1]]
        same = next(
            (c for c in chosen if snapshot.documents[c.doc_id].text[c.start : c.end] == quoted),
            None,
        )
        if same is not None:
            # The same words again: in the same document they add nothing (a repeated
            # table cell); in another they are one more source for the same quote.
            if same.doc_id != doc_id and all(a.doc_id != doc_id for a in same.also):
                same.also.append(candidate)
            continue
        if not _merge(chosen, candidate, text):
            chosen.append(candidate)
    return chosen


def _source(span: _Span, doc: LoadedDocument) -> dict[str, object]:
    section = section_at(doc.sections, span.focus[0])
    return {
        "doc_id": doc.info.id,
        "doc_title": doc.info.title,
        "publisher": doc.info.publisher,
        "section": " › ".join(section.path) or doc.info.title,
        "link": section_link(doc.info.id, section.anchor, span.start, span.end, span.focus),
        "date": doc.info.date,
        "version": doc.info.version,
    }


def _citation(rank: int, span: _Span, snapshot: IndexSnapshot, supports: bool) -> Citation | None:
    doc = snapshot.documents[span.doc_id]
    quote = doc.text[span.start : span.end]
    if not quote.strip():
        return None
    section = section_at(doc.sections, span.focus[0])
    column = mark_at(doc.marks, span.focus[0], CELL)
    cells = [
        {"start": max(m.start, span.start), "end": min(m.end, span.end), "column": m.label}
        for m in within(doc.marks, span.start, span.end, CELL)
        if m.label
    ]
    notes = [
        {"number": n.number, "text": n.text, "start": n.start, "end": n.end}
        for n in notes_in(doc.text, span.start, span.end)
    ]
    return Citation(
        rank=rank,
        quote=quote,
        doc_id=doc.info.id,
        doc_title=doc.info.title,
        publisher=doc.info.publisher,
        insurer=doc.info.group == "verzekeraar",
        section=" › ".join(section.path) or doc.info.title,
        section_path=list(section.path),
        anchor=section.anchor,
        start=span.start,
        end=span.end,
        link=section_link(doc.info.id, section.anchor, span.start, span.end, span.focus),
        source_url=doc.info.url,
        score=round(span.score, 4),
        supports=supports,
        focus_start=span.focus[0],
        focus_end=span.focus[1],
        table_column=column.label or None if column else None,
        table_cells=cells,
        notes=notes,
        strength="strong" if supports else "none",
        also_in=[_source(a, snapshot.documents[a.doc_id]) for a in span.also],
        date=doc.info.date,
        version=doc.info.version,
    )


def verify(citation: Citation, snapshot: IndexSnapshot) -> bool:
    """The verbatim guarantee: the quote is the document's text at its offsets."""
    doc = snapshot.documents.get(citation.doc_id)
    return doc is not None and doc.text[citation.start : citation.end] == citation.quote


def compose(
    snapshot: IndexSnapshot,
    hits: list[Hit],
    settings: AnswerSettings,
    *,
    question: str,
    language: str,
    abstain: bool,
    top_k: int | None = None,
    scoped: bool = False,
    partial: bool = False,
) -> tuple[str, list[Citation]]:
    """The short answer and its citations (see the module docstring).

    ``top_k``: citations asked for (None = the settings'); under a refusal only the few
    nearest passages are listed, as such. ``scoped``: the user chose the sources, so a
    refusal says those sources are silent. ``partial``: the sources may not state what is
    asked; the answer says so first, and no passage is called strong.
    """
    s = settings
    limit = s.abstain_citations if abstain else top_k or s.top_k
    margin = s.abstain_margin if abstain else s.citation_margin
    answer_margin = s.answer_margin
    spans = select_spans(snapshot, hits, limit, margin, s.quote_context_chars)
    citations = [
        c
        for rank, span in enumerate(spans, start=1)
        if (c := _citation(rank, span, snapshot, not abstain)) is not None
    ]
    verified = [c for c in citations if verify(c, snapshot)]
    if len(verified) != len(citations):
        log.error("Dropped %d non-verbatim quote(s)", len(citations) - len(verified))
    citations = verified
    if citations and not abstain:
        best = citations[0].score
        citations = [
            c if c.score >= best - answer_margin and not partial else replace(c, strength="partial")
            for c in citations
        ]
    labels = words(ANSWER, language)
    if abstain:
        return labels["abstain_scoped" if scoped else "abstain"], citations
    if not citations:
        return labels["none"], citations
    parts = []
    best = citations[0].score
    for c in citations[: s.answer_sentences]:
        if c is not citations[0] and c.score < best - answer_margin:
            break
        text = c.quote[c.focus_start - c.start : c.focus_end - c.start]
        if c.quote.rstrip().endswith(":") or ("\n" in c.quote and len(c.quote) <= 600):
            text = c.quote  # a sentence that introduces a list brings the list
        parts.append(f"“{text.strip()}” [{c.rank}]")
    said = " ".join(parts)
    return (f"{labels['partial']}\n{said}" if partial else said), citations
