"""Lexical retrieval: BM25 (bm25s) over Dutch-stemmed tokens without stop words.

Built in memory when an index is opened: a few hundred milliseconds even for a corpus a
hundred times this size, and it works the same over an embedded or a server store.
Not here: fusion with dense scores (``retrieval.py``).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

# bm25s logs every index build at DEBUG through its own handler; that is noise here.
logging.getLogger("bm25s").setLevel(logging.WARNING)
_STOP = frozenset(STOPWORDS_DUTCH) | frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("dutch")


def stem(word: str) -> str:
    """The Dutch stem of one lower-case word."""
    return str(_stemmer().stemWord(word))


def tokens(text: str) -> list[str]:
    """Lower-cased, stop-word-free, Dutch-stemmed tokens; codes like U3 or 2095 are kept."""
    words = re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", text.lower())
    words = [w for w in words if w not in _STOP and (len(w) > 1 or w.isdigit())]
    parts = [p for w in words for p in ([w, *w.split("-")] if "-" in w else [w])]
    return list(_stemmer().stemWords(parts))


class Bm25Index:
    """BM25 over a fixed list of texts; scores come back normalised to [0, 1]."""

    def __init__(self, texts: list[str]) -> None:
        self.size = len(texts)
        self._retriever = bm25s.BM25()
        corpus = [tokens(t) or ["∅"] for t in texts]
        self._retriever.index(corpus, show_progress=False)
        self._vocab = self._retriever.vocab_dict

    @property
    def vocabulary(self) -> dict[str, int]:
        """Every stemmed token of the indexed texts."""
        return self._vocab

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """Score of every text, divided by the best score (all zeros when nothing matches)."""
        known = [t for t in query_tokens if t in self._vocab]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        raw = np.asarray(self._retriever.get_scores(known), dtype=np.float32)
        top = float(raw.max())
        return raw / top if top > 0 else raw
