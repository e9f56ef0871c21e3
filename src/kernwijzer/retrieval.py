"""Hybrid retrieval: dense (multilingual e5) plus BM25 over Dutch stems, fused per sentence.

Each sentence's score = its dense similarity + ``w_lex`` × its BM25 score + ``w_sec`` ×
the score of the chunk (section passage) that holds it. The lexical weight depends on the
question's language: English questions over Dutch text rely on the dense side, exact terms
(U3, 2095, VECOZO) come through the lexical side, helped by the glossary's Dutch terms.
Dense candidates are scored exactly against the in-memory vectors of the active build: at
this corpus size (and at 100×) a matrix product beats a round trip to the store.
Not here: choosing and quoting the answer (``answer.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kernwijzer.config import Settings
from kernwijzer.lexical import tokens
from kernwijzer.snapshot import IndexSnapshot


@dataclass(frozen=True)
class Query:
    """A question prepared for retrieval."""

    text: str
    language: str
    expansions: tuple[str, ...]
    vector: np.ndarray


@dataclass(frozen=True)
class Hit:
    """A scored sentence of the active index."""

    index: int  # row in snapshot.sentences
    score: float
    dense: float
    lexical: float
    context: float


class HybridRetriever:
    """Scores every sentence of a snapshot for a query (see the module docstring)."""

    def __init__(self, snapshot: IndexSnapshot, settings: Settings) -> None:
        self.snapshot = snapshot
        self.settings = settings
        sentences, chunks = snapshot.sentences, snapshot.chunks
        self._chunk_of = np.array(
            [chunks.position.get(str(e.get("chunk_id")), -1) for e in sentences.extra]
        )
        self._answerable = np.array([e.get("kind") not in ("footnote", "meta") for e in sentences.extra])

    def lexical_weight(self, language: str) -> float:
        """BM25's share of the fused score for a question in this language."""
        s = self.settings
        return s.lexical_weight_en if language == "en" else s.lexical_weight_nl

    def chunk_scores(self, query: Query) -> np.ndarray:
        """Fused score of every chunk."""
        w_lex = self.lexical_weight(query.language)
        q_tokens = tokens(" ".join((query.text, *query.expansions)))
        dense = self.snapshot.chunks.vectors @ query.vector
        return dense + w_lex * self.snapshot.chunk_bm25.scores(q_tokens)

    def search(self, query: Query, limit: int = 50) -> list[Hit]:
        """The best ``limit`` answerable sentences, best first."""
        s = self.settings
        w_lex = self.lexical_weight(query.language)
        q_tokens = tokens(" ".join((query.text, *query.expansions)))
        dense = self.snapshot.sentences.vectors @ query.vector
        lexical = self.snapshot.sentence_bm25.scores(q_tokens)
        chunk = self.chunk_scores(query)
        context = np.where(self._chunk_of >= 0, chunk[np.maximum(self._chunk_of, 0)], 0.0)
        fused = s.dense_weight * dense + w_lex * lexical + s.section_weight * context
        fused = np.where(self._answerable, fused, -np.inf)
        order = np.argsort(-fused)[:limit]
        return [
            Hit(int(i), float(fused[i]), float(dense[i]), float(lexical[i]), float(context[i]))
            for i in order
            if np.isfinite(fused[i])
        ]
