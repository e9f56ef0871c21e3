"""Next questions from the sources: question-form section titles near the cited passages.

The kernwaarden document is written as questions ("Hoe groot kan een huisartsteam zijn …?");
after an answer, the questions that stand beside the cited section (same parent, nearest
first) are what a reader is likely to ask next, and each is answered by its own section.
Only the sources' own titles are offered, never generated text.
Not here: showing them (``cards.py``).
"""

from __future__ import annotations

import re

from kernwijzer.answer.compose import Citation
from kernwijzer.index.snapshot import IndexSnapshot
from kernwijzer.ingest.sections import QUESTION_WORDS, Section

MAX_CHARS = 140


def as_question(title: str) -> str | None:
    """A section title as a question a user could ask, or None if it is no question."""
    text = " ".join(title.split())
    if not text.endswith("?"):
        return None
    if text.isupper():
        text = text[0] + text[1:].lower()  # "WAT ZIJN DE KERNWAARDEN …?" as a sentence
    if len(text) > MAX_CHARS:
        # A long title sets a scene before it asks: keep its last question.
        asked = re.findall(r"[^.?!]+\?", text)
        text = asked[-1].strip() if asked else text
    if len(text.split()) < 4 or not QUESTION_WORDS.match(text) or len(text) > MAX_CHARS:
        return None  # "Bent u huisarts?": a page's greeting, not a question to look up
    return text


def related_questions(
    snapshot: IndexSnapshot, citations: list[Citation], question: str, limit: int = 3
) -> list[str]:
    """Up to ``limit`` question-form titles beside the cited sections, nearest first."""
    cited = {(c.doc_id, c.anchor) for c in citations}
    asked = question.strip().casefold()
    found: list[str] = []
    for c in citations[:3]:
        doc = snapshot.documents.get(c.doc_id)
        if doc is None:
            continue
        here = doc.by_anchor.get(c.anchor)
        if here is None:
            continue
        position = doc.sections.index(here)
        siblings: list[tuple[int, Section]] = [
            (abs(i - position), s)
            for i, s in enumerate(doc.sections)
            if s.parent == here.parent and (c.doc_id, s.anchor) not in cited
        ]
        for _, section in sorted(siblings, key=lambda pair: pair[0]):
            text = as_question(section.title)
            if text and text.casefold() != asked and text not in found:
                found.append(text)
            if len(found) >= limit:
                return found
    return found
