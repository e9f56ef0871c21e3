r"""Section trees: every cleaned document split into titled, linkable, nested sections.

Headings are recognised on the cleaned text's blocks (see ``cleaning.py`` for the format):
numbered headings (``4.2. Duiding``, ``2 Dit doet``), enumerations that restart inside a
numbered section (the core values ``1. Continuïteit`` under 4.2), question-style
sub-headings, table titles (``Kernpunten …``, ``Kader: …``), upper-case side headings and
short plain titles. Not here: chunking, or any change to the text.

>>> from kernwijzer.ingest.sections import blocks
>>> [b.text for b in blocks("Titel\n\nTekst.\n")]
['Titel', 'Tekst.']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kernwijzer.text.structure import HEADING, SUPERSCRIPTS, Mark

QUESTION_WORDS = re.compile(
    r"^(Wat|Welke|Welk|Hoe|Wie|Waarom|Wanneer|Waar|In hoeverre|Verschilt|Mag|Moet|Kan|Is|Zijn)\b"
)
NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.{1,78})$")
TABLE_TITLE = re.compile(r"^(Kernpunten\b|Kader:)")


@dataclass(frozen=True)
class Block:
    """A blank-line separated block of the cleaned text, with its offsets."""

    text: str
    start: int
    end: int

    @property
    def is_list(self) -> bool:
        """Whether the block is a list (items start with ``- ``)."""
        return self.text.startswith("- ")


@dataclass
class Section:
    """A titled part of a document; ``text[start:end]`` begins with its heading."""

    doc_id: str
    anchor: str
    title: str
    level: int
    path: list[str]
    start: int
    end: int
    body_start: int
    kind: str = "plain"
    parent: str | None = None
    children: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view (used by ``kernwijzer sections --json`` and the store)."""
        return {
            "id": f"{self.doc_id}#{self.anchor}",
            "anchor": self.anchor,
            "title": self.title,
            "level": self.level,
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "body_start": self.body_start,
            "kind": self.kind,
            "parent": self.parent,
        }

    @classmethod
    def from_dict(cls, doc_id: str, data: dict[str, Any]) -> Section:
        """Inverse of `to_dict` (sections stored in the index or an archived edition)."""
        return cls(
            doc_id=doc_id,
            anchor=str(data["anchor"]),
            title=str(data["title"]),
            level=int(data["level"]),
            path=[str(p) for p in data["path"]],
            start=int(data["start"]),
            end=int(data["end"]),
            body_start=int(data["body_start"]),
            kind=str(data["kind"]),
            parent=None if data["parent"] is None else str(data["parent"]),
        )


def blocks(text: str) -> list[Block]:
    """Split cleaned text into blocks with character offsets."""
    out = []
    for m in re.finditer(r"[^\n](?:.|\n(?!\n))*", text):
        out.append(Block(m.group(0), m.start(), m.end()))
    return out


def slug(text: str, taken: set[str]) -> str:
    """A stable URL-safe anchor, unique within ``taken`` (which it updates).

    Written out because it is three lines of ``unicodedata``; a slug library would add a
    dependency for no gain.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].rstrip("-") or "s"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def _plain_candidate(s: str) -> bool:
    return (
        len(s) <= 100
        and s[:1].isupper()
        and not s.endswith((".", ":", ";", ",", "!"))
        and "→" not in s
        and "http" not in s
    )


def classify(block: Block, prev: Block | None, nxt: Block | None, after_heading: bool) -> str:
    """The heading kind of a block, or '' for body text."""
    s = block.text
    if "\n" in s or s.startswith(("- ", "  ")) or nxt is None:
        return ""
    if TABLE_TITLE.match(s):
        return "table"
    if NUMBERED.match(s) and not s.endswith((".", ":", ";")):
        return "numbered"
    if s.isupper() and len(s) > 8:
        return "upper"
    if s.endswith("?") and len(s) <= 300:
        return "question"
    if QUESTION_WORDS.match(s) and not s.endswith((".", ":", ";", "!")) and len(s) <= 200:
        return "question"
    if _plain_candidate(s) and not s.endswith(tuple(SUPERSCRIPTS)):
        caption = prev is not None and prev.is_list and nxt.is_list
        if not after_heading and not caption:
            return "plain"
    return ""


@dataclass
class _Levels:
    """Running state for heading levels while walking a document."""

    numbered: int = 0  # level of the latest numbered heading
    structural: int = 0  # level of the latest non-question heading
    top_number: int = 0  # the last top-level number seen
    nested: tuple[int, int] | None = None  # (level, last number) of a restarted enumeration

    def level_for(self, kind: str, text: str) -> int | None:
        """The level of a heading of this kind, or None if it is not a heading after all."""
        if kind == "numbered":
            return self._numbered(text)
        if kind in ("question", "table"):
            return self.structural + 1
        if kind == "upper":
            self.structural += 1
            return self.structural
        self.structural = max(self.numbered, 1)
        return self.structural

    def _numbered(self, text: str) -> int | None:
        m = NUMBERED.match(text)
        assert m is not None
        parts = [int(p) for p in m.group(1).split(".")]
        if len(parts) == 1:
            n = parts[0]
            if self.nested and n == self.nested[1] + 1:
                self.nested = (self.nested[0], n)
                level = self.nested[0]
            elif n == self.top_number + 1 or self.numbered <= 1:
                self.top_number, self.nested, level = n, None, 1
            elif n == 1:  # an enumeration restarting inside a numbered section
                level = self.numbered + 1
                self.nested = (level, n)
            else:  # a lone numbered item in running text
                return None
        else:
            level = len(parts)
            self.top_number, self.nested = parts[0], None
        self.numbered = self.structural = level
        return level


def build_sections(doc_id: str, title: str, text: str, marks: Sequence[Mark] = ()) -> list[Section]:
    """The section tree of a document, root first, in document order.

    Where the source format marked its headings (``marks`` of kind ``heading``, from a PDF's
    type sizes or HTML headings) those are the sections; otherwise the text rules apply.
    """
    bs = blocks(text)
    taken: set[str] = {"top"}
    root = Section(doc_id, "top", title, 0, [], 0, len(text), 0, kind="root")
    sections = [root]
    stack = [root]
    marked = _marked_levels(bs, marks)
    levels = _Levels()
    after_heading = True  # the first block is the document's title line, not a section
    for i, block in enumerate(bs):
        if marked is not None:
            level = marked.get(block.start) if i else None
            kind = "marked" if level else ""
        else:
            prev = bs[i - 1] if i else None
            nxt = bs[i + 1] if i + 1 < len(bs) else None
            kind = classify(block, prev, nxt, after_heading) if i else ""
            after_heading = bool(kind) and kind != "table"
            level = levels.level_for(kind, block.text) if kind else None
        if not kind:
            continue
        if level is None:
            after_heading = False
            continue
        while stack[-1].level >= level:
            stack.pop()
        parent = stack[-1]
        section = Section(
            doc_id=doc_id,
            anchor=slug(block.text, taken),
            title=block.text,
            level=level,
            path=[*parent.path, block.text],
            start=block.start,
            end=len(text),
            body_start=block.end,
            kind=kind,
            parent=parent.anchor,
        )
        parent.children.append(section.anchor)
        sections.append(section)
        stack.append(section)
    _close(sections)
    return sections


def _marked_levels(bs: list[Block], marks: Sequence[Mark]) -> dict[int, int] | None:
    """Block start → section level for the blocks the source marked as headings.

    None when the document has no marked headings (the text rules decide). The document's
    title line is not a section, so levels count from the shallowest heading after it.
    """
    found = {m.start: int(m.label or 1) for m in marks if m.kind == HEADING}
    starts = {b.start for b in bs[1:]}
    found = {start: level for start, level in found.items() if start in starts}
    if not found:
        return None
    top = min(found.values())
    return {start: level - top + 1 for start, level in found.items()}


def _close(sections: list[Section]) -> None:
    """Each section ends where the next section at the same or a higher level starts."""
    for i, section in enumerate(sections[1:], start=1):
        for later in sections[i + 1 :]:
            if later.level <= section.level:
                section.end = later.start
                break


def section_at(sections: list[Section], offset: int) -> Section:
    """The innermost section whose own text contains ``offset``."""
    best = sections[0]
    for section in sections[1:]:
        if section.start <= offset < section.end and section.level >= best.level:
            best = section
    return best
