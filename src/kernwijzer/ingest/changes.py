"""What a corpus change did to the documents: sections added, removed and changed.

Compared between the active build and the one being made, per document and section
anchor; a section changed when its own text (heading up to its first subsection) did.
``kernwijzer index`` prints this after any corpus change. Not here: which answers changed
(``run.compare``).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from kernwijzer.ingest.sections import Section

Outline = dict[str, str]  # section anchor → hash of the section's own text


@dataclass(frozen=True)
class DocumentChange:
    """One document's change between two builds."""

    doc_id: str
    status: str  # "added", "removed" or "changed"
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (in ``kernwijzer index --json``)."""
        return asdict(self)

    def summary(self) -> str:
        """One line for people."""
        if self.status != "changed":
            return f"{self.doc_id}: {self.status} ({len(self.added or self.removed)} sections)"
        parts = [
            f"{label} {len(items)}" + (f" ({', '.join(items[:5])}{' …' if len(items) > 5 else ''})")
            for label, items in (
                ("added", self.added),
                ("removed", self.removed),
                ("changed", self.changed),
            )
            if items
        ]
        return f"{self.doc_id}: sections " + "; ".join(parts)


def outline(text: str, sections: list[Section]) -> Outline:
    """Each section's anchor with a hash of its own text (not its subsections')."""
    starts = sorted(s.start for s in sections[1:])
    out: Outline = {}
    for s in sections[1:]:
        own_end = next((x for x in starts if s.start < x < s.end), s.end)
        out[s.anchor] = hashlib.sha256(text[s.start : own_end].encode()).hexdigest()[:16]
    return out


def document_changes(before: dict[str, Outline], after: dict[str, Outline]) -> list[DocumentChange]:
    """Per document, what changed from ``before`` to ``after`` (unchanged ones left out)."""
    changes = []
    for doc_id in sorted(before.keys() | after.keys()):
        old, new = before.get(doc_id), after.get(doc_id)
        if old is None:
            changes.append(DocumentChange(doc_id, "added", added=list(new or {})))
        elif new is None:
            changes.append(DocumentChange(doc_id, "removed", removed=list(old)))
        elif old != new:
            changes.append(
                DocumentChange(
                    doc_id,
                    "changed",
                    added=[a for a in new if a not in old],
                    removed=[a for a in old if a not in new],
                    changed=[a for a in new if a in old and old[a] != new[a]],
                )
            )
    return changes
