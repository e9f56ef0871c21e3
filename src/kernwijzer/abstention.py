"""Whether the sources answer a question at all: an evidence score and its threshold.

The dense similarity of the best sentence alone separates answerable from out-of-scope
questions poorly (a question about paracetamol doses still lands near "farmacotherapie").
Two lexical facts sharpen it: a Dutch question that uses content words the corpus never
uses ("amoxicilline", "opzegtermijn") is likely out of scope, and an English question
is likely in scope only when a domain term it uses (from the glossary) also occurs, in
Dutch, in the passage that answers it: "referral letters" in a question about ChatGPT
touches the glossary, but no passage about it is about ChatGPT. The thresholds per
language are calibrated on the question set (see the closing note of the answer issue).
Not here: what to show when abstaining (``answer.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from kernwijzer.glossary import specific_hits
from kernwijzer.lexical import stem, tokens

# Dutch question words and verbs that carry no topic: a question may use them although the
# corpus (policy prose) never does. Stemmed forms, as `lexical.tokens` produces them.
QUESTION_STEMS = frozenset(
    tokens(
        "hoeveel welk welke noem noemt noemen bevat bevatten rekent zegt zeggen betekent "
        "betekenen wanneer waarom hoelang moet mag mogen kunt juiste eigenlijk precies"
    )
)


@dataclass(frozen=True)
class Evidence:
    """What the abstention decision rests on."""

    dense: float  # best sentence similarity
    glossary_hits: int  # domain terms of the question that the best passage contains (English)
    unknown_terms: tuple[str, ...]  # Dutch content words the corpus never uses
    score: float


def _known(token: str, vocabulary: set[str] | dict[str, int]) -> bool:
    if token in vocabulary or token in QUESTION_STEMS:
        return True
    if not token.isalpha() or len(token) < 4:
        return True  # numbers, codes and short words say nothing about scope
    # A compound of two corpus words ("rokenprogramma") is not a new concept.
    return any(
        stem(token[:i]) in vocabulary and stem(token[i:]) in vocabulary
        for i in range(3, len(token) - 2)
    )


def unknown_terms(question: str, vocabulary: set[str] | dict[str, int]) -> tuple[str, ...]:
    """Content words of a Dutch question that occur nowhere in the corpus."""
    found = []
    for token in tokens(question):
        parts = token.split("-")
        if len(parts) > 1:
            continue  # its parts are checked on their own
        if not _known(token, vocabulary):
            found.append(token)
    return tuple(dict.fromkeys(found))


def assess(
    question: str,
    language: str,
    dense: float,
    vocabulary: set[str] | dict[str, int],
    passage: str = "",
) -> Evidence:
    """The evidence score: dense similarity, adjusted by the lexical facts above.

    ``passage`` is the text around the best-ranked sentence (its chunk).
    """
    unknown = unknown_terms(question, vocabulary) if language == "nl" else ()
    hits = specific_hits(question, set(tokens(passage)))
    score = dense - 0.04 * min(len(unknown), 2)
    if language == "en":
        score += 0.03 * min(hits, 3)
    return Evidence(dense=dense, glossary_hits=hits, unknown_terms=unknown, score=score)
