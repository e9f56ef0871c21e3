"""Tokens for lexical matching: lower-cased, stop-word-free, Dutch-stemmed words.

Shared by BM25 (``index/bm25.py``), the glossary and lexicon, and the answerability
evidence, so all of them see a question's words the same way. Not here: scoring.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

_STOP = frozenset(STOPWORDS_DUTCH) | frozenset(STOPWORDS_EN)


# Snowball's classic Dutch algorithm. The current "dutch" one strips a "ge-" prefix, which
# on this corpus conflates words that have nothing in common ("begeleiding" and "beleid"
# both become "beleid") and splits one word's forms ("gewone" -> "wone", "gewoon" ->
# "woon"); the classic one gives "begeleid", "gewon" and "gewon".
STEMMER = "dutch_porter"


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMER)


def stem(word: str) -> str:
    """The Dutch stem of one lower-case word."""
    return str(_stemmer().stemWord(word))


# A number glued to a word ("1fte", "huisartsenzorg1" with its footnote mark) also stands for
# the word and the number: "fte" must find "1fte". One letter before digits is a code (U3).
GLUED = re.compile(r"(\d+)([^\W\d_]{2,})|([^\W\d_]{2,})(\d+)")


def _parts(word: str) -> list[str]:
    """The word, then the parts a reader also sees in it (hyphenated, glued to a number)."""
    if "-" in word:
        return [word, *word.split("-")]
    glued = GLUED.fullmatch(word)
    return [word, *(p for p in glued.groups() if p)] if glued else [word]


def tokens(text: str) -> list[str]:
    """Lower-cased, stop-word-free, Dutch-stemmed tokens; codes like U3 or 2095 are kept."""
    words = re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", text.lower())
    words = [w for w in words if w not in _STOP and (len(w) > 1 or w.isdigit())]
    parts = [p for w in words for p in _parts(w)]
    return list(_stemmer().stemWords(parts))
