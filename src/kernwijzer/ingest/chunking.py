"""Chunks and sentences with offsets into the cleaned text, never crossing a section.

Chunks come from llama-index's ``SentenceSplitter`` run on each section's own text (the
text between its heading and the next heading), sized in the embedding model's tokens.
Sentences come from pysbd (Dutch rules) per line, so a list item or table row is never
glued to its neighbour. Every chunk and sentence satisfies
``document.text[start:end] == text``. Not here: embedding or storing them.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pysbd
from llama_index.core import Document as LlamaDocument
from llama_index.core.node_parser import SentenceSplitter

from kernwijzer.ingest.cleaning import FOOTNOTE_RE
from kernwijzer.ingest.corpus import Document
from kernwijzer.ingest.sections import Section
from kernwijzer.text.language import detect_language
from kernwijzer.text.structure import FURNITURE, NAVIGATION_RE, SentenceKind, mark_at


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: part of one section's own text."""

    id: str
    doc_id: str
    anchor: str
    section_path: tuple[str, ...]
    start: int
    end: int
    text: str

    def store_metadata(self) -> dict[str, str | int]:
        """What the store keeps beside the text and vector."""
        path = json.dumps(list(self.section_path), ensure_ascii=False)
        return {"anchor": self.anchor, "start": self.start, "end": self.end, "path": path}

    @property
    def embed_text(self) -> str:
        """What is embedded: the section path gives the passage its context."""
        return " › ".join((*self.section_path, self.text)) if self.section_path else self.text

    @property
    def title(self) -> str:
        """The section path as one title (for a prompt with a title slot)."""
        return " › ".join(self.section_path)


@dataclass(frozen=True)
class Sentence:
    """A quotable sentence (or list item, or table cell line) with its offsets."""

    id: str
    doc_id: str
    anchor: str
    chunk_id: str
    start: int
    end: int
    text: str
    kind: SentenceKind
    heading: str = ""  # title of the section it stands in

    def store_metadata(self) -> dict[str, str | int]:
        """What the store keeps beside the text and vector."""
        return {
            "anchor": self.anchor,
            "chunk_id": self.chunk_id,
            "start": self.start,
            "end": self.end,
            "kind": self.kind.value,  # stored as plain text
        }

    @property
    def embed_text(self) -> str:
        """What is embedded: the section title tells what a short sentence is about."""
        return f"{self.heading} › {self.text}" if self.heading else self.text

    @property
    def title(self) -> str:
        """The section title (for a prompt with a title slot)."""
        return self.heading


def content_hash(text: str) -> str:
    """The hash that decides whether a text's embedding can be reused."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def own_spans(sections: list[Section]) -> list[tuple[Section, int, int]]:
    """Each section's own text: from the end of its heading to the next heading."""
    starts = sorted(s.start for s in sections[1:])
    spans = []
    for section in sections:
        k = bisect.bisect_left(starts, section.body_start)
        end = min(starts[k] if k < len(starts) else section.end, section.end)
        if end > section.body_start:
            spans.append((section, section.body_start, end))
    return spans


def make_splitter(
    tokenizer: Callable[[str], list[int]], chunk_tokens: int, overlap: int
) -> SentenceSplitter:
    """The llama-index splitter, measuring size with the embedding model's tokenizer."""
    return SentenceSplitter(
        chunk_size=chunk_tokens, chunk_overlap=min(overlap, chunk_tokens // 2), tokenizer=tokenizer
    )


def chunk_document(
    doc: Document, sections: list[Section], splitter: SentenceSplitter
) -> list[Chunk]:
    """Split every section's own text into chunks carrying exact offsets."""
    chunks: list[Chunk] = []
    for section, begin, end in own_spans(sections):
        body = doc.text[begin:end]
        lead = len(body) - len(body.lstrip())
        body_text = body.strip()
        if not body_text:
            continue
        nodes = splitter.get_nodes_from_documents([LlamaDocument(text=body_text)])
        cursor = 0
        for node in nodes:
            text = node.get_content()
            local = getattr(node, "start_char_idx", None)
            if local is None or body_text[local : local + len(text)] != text:
                local = body_text.find(text, cursor)
            if local < 0:
                raise ValueError(f"{doc.id}: chunk not found in section {section.anchor}")
            start = begin + lead + local
            chunks.append(
                Chunk(
                    id=f"{doc.id}:{start}",
                    doc_id=doc.id,
                    anchor=section.anchor,
                    section_path=tuple(section.path),
                    start=start,
                    end=start + len(text),
                    text=text,
                )
            )
            cursor = local + 1
    return chunks


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="nl", clean=False)


def _line_kind(line: str, content: str) -> SentenceKind:
    if FOOTNOTE_RE.match(content):
        return SentenceKind.FOOTNOTE
    if re.match(r"^  [^\s-][^:\n]{0,40}:(\s|$)", line):
        # a table cell of titles with a colon ("  Digitalisering …: …")
        return SentenceKind.META
    if re.match(r"^  [^\s-]", line) and not re.search(r"[.!?:]", line):
        return (
            SentenceKind.META
        )  # a table cell of titles ("  Kernwaarden huisartsenzorg; …"): no answer
    return SentenceKind.ITEM if "- " in line[:4] else SentenceKind.BODY


def _footnote_kind(piece: str, language: str) -> SentenceKind:
    """Kind of a footnote sentence: a note when it states something, else a footnote.

    "Voor 1fte gaan we uit van 40 uur" answers a question; a URL, an author list or the
    title of a cited (foreign-language) paper does not, and would crowd out the text.
    """
    words = FOOTNOTE_RE.sub("", piece).split()
    if len(words) < 8 or re.search(r"https?://|www\.", piece):
        return SentenceKind.FOOTNOTE
    if len(re.findall(r"\b[A-Z][a-z]+ [A-Z]{1,3}[,.]", piece)) >= 2:
        return SentenceKind.FOOTNOTE  # "Pereira Gray DJ, Sidaway-Lee K, …"
    note = detect_language(piece, default="") == language
    return SentenceKind.NOTE if note else SentenceKind.FOOTNOTE


def _is_label(text: str, start: int, end: int, max_words: int = 8) -> bool:
    """A paragraph of one short line without end punctuation: a sub-heading in disguise.

    "Spoedeisende zorg" above a list, "Contracteren" above a paragraph: such a line answers
    nothing on its own but names what follows it (see ``answer/compose.py``).
    """
    line = text[start:end].strip()
    if len(line.split()) > max_words or re.search(r"[.!?:;,]$|:", line):
        return False
    # Alone in its paragraph: a blank line (or only white space) on either side.
    before = text.endswith("\n\n", 0, start) or not text[:start].strip()
    return before and (text.startswith("\n\n", end) or not text[end:].strip())


def split_sentences(
    text: str, offset: int = 0, language: str = "nl"
) -> list[tuple[int, int, str, SentenceKind]]:
    """Sentences of a text as (start, end, text, kind), one line at a time.

    ``language`` is the document's: a footnote sentence in it that states something is a
    quotable note.
    """
    out: list[tuple[int, int, str, SentenceKind]] = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        content = re.sub(r"^\s*(- )?", "", line)
        kind = _line_kind(line, content)
        if kind == SentenceKind.BODY and _is_label(text, m.start(), m.end()):
            kind = SentenceKind.LABEL
        base = offset + m.start() + (len(line) - len(content))
        cursor = 0
        for piece in _segmenter().segment(content):
            piece = piece.strip()
            if not piece:
                continue
            local = content.find(piece, cursor)
            whole_line = local < 0  # pysbd normalised something; fall back to the whole line
            if whole_line:
                piece, local = content, 0
            own = _footnote_kind(piece, language) if kind == SentenceKind.FOOTNOTE else kind
            out.append((base + local, base + local + len(piece), piece, own))
            if whole_line:
                break
            cursor = local + len(piece)
    return out


def sentences_for(doc: Document, chunks: list[Chunk], sections: list[Section]) -> list[Sentence]:
    """Every sentence of every section's own text, tied to the chunk that holds it."""
    result: list[Sentence] = []
    by_anchor: dict[str, list[Chunk]] = {c.anchor: [] for c in chunks}
    for c in chunks:
        by_anchor[c.anchor].append(c)
    first = len(doc.text) - len(doc.text.lstrip())  # where the document's first line starts
    for section, begin, end in own_spans(sections):
        pieces = split_sentences(doc.text[begin:end], begin, doc.info.language)
        if section.level:
            # The heading itself is searchable: a question that matches a section title
            # ("Voorwaarden segment 1") is answered by the section's first block.
            pieces.insert(
                0,
                (
                    section.start,
                    section.start + len(section.title),
                    section.title,
                    SentenceKind.HEADING,
                ),
            )
        for start, stop, text, kind in pieces:
            if start == first and _is_label(doc.text, start, stop, max_words=20):
                kind = SentenceKind.TITLE  # the document's title line: every card shows it already
            elif kind != SentenceKind.HEADING and (
                mark_at(doc.marks, start, FURNITURE) or NAVIGATION_RE.search(text)
            ):
                kind = SentenceKind.FURNITURE  # a link teaser or navigation: never quoted
            at = max(start, begin)  # a heading belongs to the chunk that follows it
            holder = next(
                (c for c in by_anchor.get(section.anchor, []) if c.start <= at < c.end), None
            ) or next(iter(by_anchor.get(section.anchor, [])), None)
            if holder is None:
                continue
            result.append(
                Sentence(
                    id=f"{doc.id}:s{start}",
                    doc_id=doc.id,
                    anchor=section.anchor,
                    chunk_id=holder.id,
                    start=start,
                    end=stop,
                    text=text,
                    kind=kind,
                    heading=section.title if section.level and kind != SentenceKind.HEADING else "",
                )
            )
    return result
