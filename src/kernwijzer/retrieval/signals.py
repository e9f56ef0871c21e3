"""The retrieval signals fusion combines: each one's scorer, weight and how it is ranked.

One registry, read by both fusion modes (``fusion.HybridRetriever.fuse``): reciprocal rank
fusion ranks each signal and adds ``weight / (k + rank)``; weighted fusion adds
``weight × score``. A new signal is one entry here (its scorer, its weight from one
setting) and nothing else: both modes, the rank depth and the evidence follow.
Not here: the bonuses and penalties applied after fusion (cues, coverage, short lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kernwijzer.config import RetrievalSettings

if TYPE_CHECKING:
    from kernwijzer.retrieval.fusion import HybridRetriever, Query


@dataclass(frozen=True)
class Signal:
    """One per-sentence score that fusion combines."""

    name: str
    # The signal's scores, one per sentence of the snapshot (query tokens given once).
    score: Callable[[HybridRetriever, Query, list[str]], np.ndarray]
    # Its weight in fusion, from the settings and the question's BM25 weight (``w_lex``,
    # which depends on the question's language).
    weight: Callable[[RetrievalSettings, float], float]
    # Only sentences the signal retrieved are ranked (BM25: a score of 0 is no match, and
    # ranking the zeros would favour the corpus's first sentences).
    retrieved_only: bool


def _chunk(retriever: HybridRetriever, per_chunk: np.ndarray) -> np.ndarray:
    """A chunk score carried to each of its sentences (0 for a sentence with no chunk)."""
    chunk_of = retriever.chunk_of
    return np.where(chunk_of >= 0, per_chunk[np.maximum(chunk_of, 0)], 0.0)


SIGNALS: tuple[Signal, ...] = (
    Signal(
        "dense",
        lambda r, q, toks: r.dense.scores(q.vector),
        lambda s, w_lex: s.dense_weight,
        retrieved_only=False,
    ),
    Signal(
        "lexical",
        lambda r, q, toks: r.snapshot.sentence_bm25.scores(toks),
        lambda s, w_lex: w_lex,
        retrieved_only=True,
    ),
    Signal(
        "chunk_dense",
        lambda r, q, toks: _chunk(r, r.chunk_dense.scores(q.vector)),
        lambda s, w_lex: s.section_weight,
        retrieved_only=False,
    ),
    Signal(
        "chunk_lexical",
        lambda r, q, toks: _chunk(r, r.snapshot.chunk_bm25.scores(toks)),
        lambda s, w_lex: s.section_weight * w_lex,
        retrieved_only=True,
    ),
)
