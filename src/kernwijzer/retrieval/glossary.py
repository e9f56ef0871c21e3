"""The domain glossary: expands a question with the Dutch terms the corpus uses.

The lexical retriever matches Dutch words only, so "may a PA replace a GP?" gains
"huisarts", "vervangen", "physician assistant". The expansions used are reported so the
UI can show them. Not here: stemming (``text/tokens.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from kernwijzer.text.tokens import tokens


@dataclass(frozen=True)
class Term:
    """One glossary entry, with what matching it needs prepared once."""

    match: tuple[str, ...]
    match_case: tuple[str, ...]
    nl: tuple[str, ...]
    generic: bool = False
    pattern: re.Pattern[str] | None = None  # every form, whole words, either case
    case_pattern: re.Pattern[str] | None = None  # forms that must match case (U3, not u3)
    stems: frozenset[str] = frozenset()  # the Dutch forms as `text.tokens` gives them


def _alternatives(forms: tuple[str, ...], flags: int) -> re.Pattern[str] | None:
    if not forms:
        return None
    either = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\w-])(?:{either})(?![\w-])", flags)


@lru_cache(maxsize=1)
def load_glossary() -> tuple[Term, ...]:
    """The packaged glossary (``glossary.yaml``)."""
    raw = yaml.safe_load(resources.files("kernwijzer").joinpath("glossary.yaml").read_text("utf-8"))
    terms = []
    for e in raw:
        match, match_case = tuple(e.get("match", ())), tuple(e.get("match_case", ()))
        terms.append(
            Term(
                match,
                match_case,
                tuple(e["nl"]),
                bool(e.get("generic", False)),
                _alternatives(match, re.IGNORECASE),
                _alternatives(match_case, 0),
                frozenset(tokens(" ".join(e["nl"]))),
            )
        )
    return tuple(terms)


@lru_cache(maxsize=256)
def matches(question: str) -> tuple[Term, ...]:
    """The glossary entries a question touches.

    Cached: a question is expanded for retrieval and judged for answerability, and the
    sixty patterns are most of either's lexical time.
    """
    return tuple(
        term
        for term in load_glossary()
        if (term.pattern and term.pattern.search(question))
        or (term.case_pattern and term.case_pattern.search(question))
    )


def expand(question: str) -> list[str]:
    """Dutch terms to add to the lexical query, in glossary order, without repeats."""
    added: list[str] = []
    for term in matches(question):
        added += [t for t in term.nl if t not in added]
    return added


def contains(passage_tokens: set[str], form: str) -> bool:
    """Whether stemmed passage tokens hold a stemmed form, alone or as a compound's start."""
    # A Dutch compound starts with the word it is about ("spoed" in "spoedzorg"); only the
    # start counts, since word ends are where unrelated words collide ("afwijking").
    return form in passage_tokens or (
        len(form) >= 4 and any(tok.startswith(form) for tok in passage_tokens)
    )


def in_passage(term: Term, passage_tokens: set[str]) -> bool:
    """Whether a passage (stemmed tokens, see ``text.tokens``) names a term in Dutch."""
    return any(contains(passage_tokens, form) for form in term.stems)
