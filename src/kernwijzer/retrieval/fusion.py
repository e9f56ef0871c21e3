"""Hybrid retrieval: dense (multilingual e5) plus BM25 over Dutch stems, fused per sentence.

Each sentence's score = its dense similarity + ``w_lex`` × its BM25 score + ``w_sec`` ×
the score of the chunk (section passage) that holds it, plus ``cue_bonus`` when it has the
shape of answer the question asks for (a reason for "why", ``answertype``), plus
``coverage_weight`` × the share of the question's terms it holds. The lexical
weight depends on the question's language: English questions over Dutch text rely on the
dense side (helped by their Dutch gloss, ``lexicon``), exact terms (U3, 2095, VECOZO) come
through the lexical side, helped by the glossary's and the lexicon's Dutch terms.
Dense similarities come from the in-memory vectors of the active build (``dense``): at this
corpus size a matrix product beats a round trip to the store. Fusion ranks the first
``rank_depth`` sentences of each signal; a deeper rank would add less than
``weight / (rrf_k + rank_depth)``, and ranking every sentence is most of a question's time
at a hundred times this corpus.
Not here: choosing and quoting the answer (``answer/compose.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kernwijzer.config import RetrievalSettings
from kernwijzer.index.snapshot import IndexSnapshot
from kernwijzer.retrieval.answertype import CUES, cue_matches, has_shape
from kernwijzer.retrieval.dense import DenseScorer
from kernwijzer.retrieval.lexicon import Reading
from kernwijzer.retrieval.signals import SIGNALS
from kernwijzer.text.structure import UNQUOTABLE, SentenceKind
from kernwijzer.text.tokens import tokens


@dataclass(frozen=True)
class Query:
    """A question prepared for retrieval."""

    text: str  # what is searched: the question, with the one before it for a follow-up
    asked: str  # the question itself as searched (markup left out): what is judged
    language: str
    expansions: tuple[str, ...]  # the glossary's Dutch terms (shown to the user)
    vector: np.ndarray  # for retrieval: an English question's mixed with its Dutch gloss
    terms: tuple[str, ...] = ()  # the lexicon's Dutch words for an English question
    own_vector: np.ndarray | None = None  # the question's alone, when ``vector`` is mixed
    reading: Reading | None = None  # the lexicon's reading of an English question
    corrections: tuple[str, ...] = ()  # corpus words the question's misspellings stand for
    # BM25's weight is scaled by this: for an English question, the share of its words
    # that the lexicon read into the Dutch terms BM25 searches (``Reading.share``).
    lexical_scale: float = 1.0

    @property
    def asked_vector(self) -> np.ndarray:
        """The vector of the question as asked (what off-topic questions are compared to)."""
        return self.vector if self.own_vector is None else self.own_vector


@dataclass(frozen=True)
class Hit:
    """A scored sentence of the active index."""

    index: int  # row in snapshot.sentences
    score: float
    dense: float
    lexical: float
    context: float


@dataclass(frozen=True)
class Retrieved:
    """Ranked sentences plus the best dense similarity (evidence for abstention)."""

    hits: list[Hit]
    best_dense: float


def rrf_share(
    scores: np.ndarray, weight: float, k: float, retrieved_only: bool, depth: int
) -> np.ndarray:
    """``weight / (k + rank)`` for the ``depth`` best sentences by ``scores`` (ties by index).

    Every other sentence gets 0. ``retrieved_only`` (BM25): a sentence scored 0 was not
    retrieved and gets nothing, so only the matches are ranked; otherwise every sentence
    scored 0 would rank by its place in the corpus, and early ones would gain on a question
    BM25 barely matches.
    """
    share = np.zeros(len(scores))
    if retrieved_only:
        pool = np.flatnonzero(scores > 0)
        order = pool[top(scores[pool], depth)]
    else:
        order = top(scores, depth)
    share[order] = weight / (k + np.arange(1, len(order) + 1))
    return share


def top(scores: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the ``limit`` highest scores, best first (ties: lower index first).

    A partition finds them without sorting every sentence (a full sort is most of a
    question's time at a hundred times this corpus); only those few are then sorted.
    """
    if limit >= len(scores):
        return np.lexsort((np.arange(len(scores)), -scores))
    kth = np.argpartition(-scores, limit - 1)[:limit]
    threshold = scores[kth].min()
    candidates = np.flatnonzero(scores >= threshold)  # every tie at the boundary too
    ranked = candidates[np.lexsort((candidates, -scores[candidates]))]
    return ranked[:limit]


class HybridRetriever:
    """Scores every sentence of a snapshot for a query (see the module docstring)."""

    def __init__(self, snapshot: IndexSnapshot, settings: RetrievalSettings) -> None:
        self.snapshot: IndexSnapshot = snapshot
        self.settings: RetrievalSettings = settings
        sentences, chunks = snapshot.sentences, snapshot.chunks
        self.dense: DenseScorer = DenseScorer(sentences.vectors, settings.rank_depth)
        self.chunk_dense: DenseScorer = DenseScorer(chunks.vectors, settings.rank_depth)
        self._doc_ids = np.array(sentences.doc_ids)
        self.chunk_of: np.ndarray = np.array(
            [chunks.position.get(str(e.get("chunk_id")), -1) for e in sentences.extra]
        )
        self._answerable = np.array([e.get("kind") not in UNQUOTABLE for e in sentences.extra])
        # Very short lines (a title, a caption, a source name) look similar to any question
        # about their topic but answer nothing: they pay a penalty that fades by six words.
        words = np.array([len(t.split()) for t in sentences.texts], dtype=np.float32)
        headings = np.array([e.get("kind") == SentenceKind.HEADING for e in sentences.extra])
        self._brevity = np.where(headings, 0.0, np.clip((6.0 - words) / 6.0, 0.0, 1.0))
        # A footnote qualifies the sentence it hangs from: when both match, the text answers.
        self._note = np.array(
            [e.get("kind") == SentenceKind.NOTE for e in sentences.extra], dtype=np.float32
        )
        self._shape = {cue: np.array([has_shape(cue, t) for t in sentences.texts]) for cue in CUES}

    @property
    def approximate(self) -> bool:
        """Whether dense candidates come from a scan (more sentences than ``rank_depth``)."""
        return self.dense.approximate

    def context_text(self, index: int) -> str:
        """The passage (chunk) around a sentence, or the sentence itself if it has none."""
        chunk = int(self.chunk_of[index])
        snap = self.snapshot
        return snap.chunks.texts[chunk] if chunk >= 0 else snap.sentences.texts[index]

    def lexical_weight(self, language: str, scale: float = 1.0) -> float:
        """BM25's share of the fused score for a question in this language."""
        s = self.settings
        return scale * (s.lexical_weight_en if language == "en" else s.lexical_weight_nl)

    def signals(self, query: Query, q_tokens: list[str]) -> dict[str, np.ndarray]:
        """Every per-sentence signal of the registry (``signals``), BM25 over ``q_tokens``."""
        return {signal.name: signal.score(self, query, q_tokens) for signal in SIGNALS}

    def fuse(self, sig: dict[str, np.ndarray], language: str, scale: float = 1.0) -> np.ndarray:
        """One score per sentence from the signals (see the module docstring)."""
        s = self.settings
        w_lex = self.lexical_weight(language, scale)
        fused = np.zeros_like(sig["dense"])
        if s.fusion == "rrf":
            # Reciprocal rank fusion: ranks, not raw scores, so no signal's scale dominates.
            for signal in SIGNALS:
                weight = signal.weight(s, w_lex)
                share = rrf_share(
                    sig[signal.name],
                    weight,
                    s.rrf_k,
                    signal.retrieved_only,
                    depth=s.rank_depth,
                )
                fused += share
            demote = (
                s.short_penalty * self._brevity * s.rrf_short_scale + s.note_penalty * self._note
            )
            return fused * s.rrf_k - demote
        for signal in SIGNALS:
            fused = fused + signal.weight(s, w_lex) * sig[signal.name]
        return fused - s.short_penalty * self._brevity - s.note_penalty * self._note

    def search(self, query: Query, limit: int = 50, documents: set[str] | None = None) -> Retrieved:
        """The best ``limit`` answerable sentences (of ``documents`` only, if given)."""
        # Tokenised once: the lexical signals search them all; the coverage bonus counts an
        # English question's Dutch terms only (its own words are not the corpus's).
        term_tokens = tokens(" ".join(query.terms))
        q_tokens = tokens(" ".join((query.text, *query.expansions, *query.corrections)))
        q_tokens += term_tokens
        sig = self.signals(query, q_tokens)
        allowed = self._answerable
        if documents is not None:
            # Before ranking, not after: at scale the best sentences of a large corpus may
            # all lie outside the documents asked about.
            allowed = allowed & np.isin(self._doc_ids, list(documents))
        fused = self.fuse(sig, query.language, query.lexical_scale)
        if self.settings.coverage_weight:
            # BM25 weighs rare words and short texts; a sentence that holds all of the
            # question's terms can still trail one that holds its rarest.
            counted = term_tokens if query.language == "en" else q_tokens
            covered = self.snapshot.sentence_bm25.coverage(counted)
            fused = fused + self.settings.coverage_weight * covered
        if self.settings.cue_bonus:
            for cue in cue_matches(query.text):
                fused = fused + self.settings.cue_bonus * self._shape[cue]
        fused = np.where(allowed, fused, -np.inf)
        order = np.array([i for i in top(fused, limit) if np.isfinite(fused[i])], dtype=np.int64)
        dense = sig["dense"][order]
        if self.dense.approximate:
            # Exact even for a hit that came through BM25 only, beyond the dense cut.
            dense = self.dense.exact(order, query.vector)
        best = np.where(allowed, sig["dense"], -1.0)
        return Retrieved(
            hits=[
                Hit(
                    int(i),
                    float(fused[i]),
                    float(d),
                    float(sig["lexical"][i]),
                    float(sig["chunk_dense"][i]),
                )
                for i, d in zip(order, dense, strict=True)
            ],
            best_dense=float(max(best.max(initial=-1.0), dense.max(initial=-1.0))),
        )
