"""The one place the parts are connected: index → retrieval → answer.

`Kernwijzer` loads the model and the active index once per process and answers questions
(thread-safe: the model call is serialised, the rest is read-only). The UI, the CLI and
the evaluation all go through it. Not here: presentation.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np

from kernwijzer.answer.compose import Answer, compose
from kernwijzer.answer.related import related_questions
from kernwijzer.config import Settings
from kernwijzer.index.embedding import Embedder
from kernwijzer.index.snapshot import IndexSnapshot
from kernwijzer.index.store import IndexStore
from kernwijzer.retrieval.answerability import (
    AnswerabilityModel,
    Evidence,
    OffTopicBank,
    assess,
)
from kernwijzer.retrieval.everyday import CorpusWords, corrections, is_everyday
from kernwijzer.retrieval.fusion import Hit, HybridRetriever, Query
from kernwijzer.retrieval.glossary import expand
from kernwijzer.retrieval.lexicon import load_lexicon, read_english
from kernwijzer.retrieval.question import (
    Turn,
    check_question,
    is_instruction,
    retrieval_text,
    without_markup,
)
from kernwijzer.text.language import detect_language

log = logging.getLogger(__name__)


def _warm_words() -> None:
    # One after the other: the lexicon's spelling words come from the frequency lists, and
    # two threads loading those at once would each load them.
    for language in ("nl", "en"):
        is_everyday("warm", language)
    load_lexicon().spelling  # noqa: B018 - built now, not on the first English question


class UnknownDocumentError(ValueError):
    """A source filter naming a document the index does not hold; the message lists them."""


class Kernwijzer:
    """Answers questions from the active index (see the module docstring)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings.embedding)
        self.store = IndexStore(settings)
        self._lock = threading.Lock()
        self._snapshot: IndexSnapshot | None = None
        self._retriever: HybridRetriever | None = None
        # The corpus's own words (spelling and compound checks), per loaded snapshot.
        self._words: tuple[IndexSnapshot, CorpusWords] | None = None
        self._warm = False
        self._warming = threading.Lock()
        self._bank: OffTopicBank | None = None
        self._answerability: AnswerabilityModel | None = None

    @property
    def snapshot(self) -> IndexSnapshot:
        """The loaded index (loaded on first use)."""
        return self._loaded()[0]

    @property
    def retriever(self) -> HybridRetriever:
        """The hybrid retriever over the loaded index."""
        return self._loaded()[1]

    def _loaded(self) -> tuple[IndexSnapshot, HybridRetriever]:
        # One lock, one pair: an answer never mixes two builds across a reload().
        with self._lock:
            if self._snapshot is None or self._retriever is None:
                self._snapshot = IndexSnapshot.load(self.store, self.embedder.model_id)
                self._retriever = HybridRetriever(self._snapshot, self.settings.retrieval)
            return self._snapshot, self._retriever

    def words(self, snapshot: IndexSnapshot) -> CorpusWords:
        """The corpus's own words in ``snapshot``, for spelling checks (built on first use)."""
        with self._lock:
            if self._words is None or self._words[0] is not snapshot:
                texts, vocabulary = snapshot.sentences.texts, snapshot.sentence_bm25.vocabulary
                self._words = (snapshot, CorpusWords(texts, vocabulary))
            return self._words[1]

    def with_settings(self, settings: Settings) -> Kernwijzer:
        """A pipeline with other retrieval/answer settings over the same model and index.

        For comparing configurations in one process (tuning, evaluation) without loading
        the model or the index again; store settings must not differ.
        """
        other = Kernwijzer(settings, embedder=self.embedder)
        snapshot, _ = self._loaded()
        other._snapshot, other._retriever = snapshot, HybridRetriever(snapshot, settings.retrieval)
        other._warm, other._bank, other._words = self._warm, self._bank, self._words
        if settings.answer.answerability_model == self.settings.answer.answerability_model:
            other._answerability = self._answerability
        return other

    def reload(self) -> None:
        """Drop the loaded index so the next question reads the active build again."""
        with self._lock:
            self._snapshot = self._retriever = None

    def warm_up(self) -> None:
        """Load model, index and language detector now rather than on the first question.

        Safe to call from several threads: one loads, the others wait for it.
        """
        if self._warm:
            return
        with self._warming:
            if self._warm:
                return
            # Index, model, language detector and lexicon load side by side: most spend their
            # time in native code (Chroma, ONNX Runtime, lzma) that lets the others run.
            with ThreadPoolExecutor(4, thread_name_prefix="warm-up") as pool:
                loads: list[Future[Any]] = [
                    pool.submit(self._loaded),
                    pool.submit(lambda: self.embedder.encoder),
                    pool.submit(detect_language, "warm-up"),
                    # The general-language frequency lists (0.8 s), then the lexicon and its
                    # spelling words drawn from them (0.2 s): not on the first question.
                    pool.submit(_warm_words),
                ]
                for load in loads:
                    load.result()
            self.words(self.snapshot)  # the corpus's words, for spelling checks
            # The first forward pass is slow, once.
            self.embedder.queries(["warm-up"])
            self.bank  # noqa: B018 - embedded (or read from its cache) now, not on a question
            self._warm = True

    @property
    def ready(self) -> bool:
        """Whether model and index are in memory (`warm_up` has finished)."""
        return self._warm

    @property
    def answerability(self) -> AnswerabilityModel:
        """The fitted answerability model (the configured file, or the packaged one)."""
        if self._answerability is None:
            self._answerability = AnswerabilityModel.load(
                self.settings.answer.answerability_model, self.settings.packaged_answerability
            )
        return self._answerability

    @property
    def bank(self) -> OffTopicBank:
        """The off-topic question bank's vectors for this model (loaded on first use)."""
        if self._bank is None:
            self._bank = OffTopicBank.load(
                self.embedder.queries, self.embedder.model_id, self.settings.embedding.cache_dir
            )
        return self._bank

    def status(self, evidence: Evidence) -> str:
        """The outcome for the evidence's probability: the fitted boundaries, unless set.

        A question asking for a number that the first-quoted sentence lacks, whose other
        evidence alone would have it answered, is partial whatever its probability: the
        sources speak of its topic and not of the number, the near miss the caution names.
        """
        model, s = self.answerability, self.settings.answer
        lower = model.abstain_below if s.answerable_threshold is None else s.answerable_threshold
        upper = max(
            lower, model.partial_below if s.partial_threshold is None else s.partial_threshold
        )
        probability = evidence.probability
        if (
            evidence.quantity_missing
            and probability < upper
            and model.probability(replace(evidence, quantity_missing=False)) >= upper
        ):
            return "partial"
        if probability < lower:
            return "abstained"
        return "partial" if probability < upper else "answered"

    def query(self, question: str, history: list[Turn] | None = None) -> Query:
        """Language, glossary expansion and embedding of a (validated) question."""
        text = retrieval_text(question, history)
        asked = without_markup(question)
        language = detect_language(asked)
        s = self.settings.retrieval
        # An English question is also read word for word in Dutch (``lexicon``): its gloss
        # lands nearer the Dutch sentences than the English does; one call embeds both.
        reading = read_english(text) if language == "en" else None
        gloss = reading.gloss if reading and s.gloss_weight > 0 else ""
        vectors = self.embedder.queries([text, gloss] if gloss else [text])
        # The reading counts for the share of the question it read (``Reading.share``).
        read = reading.share if reading else 1.0
        # A misspelt word ("begeleidng") is searched by the corpus word it stands for too.
        fixed = corrections(text, self.words(self.snapshot)) if language == "nl" else []
        own = vectors[0]
        mixed = own + s.gloss_weight * read * vectors[1] if len(vectors) > 1 else own
        return Query(
            text=text,
            asked=asked,
            language=language,
            expansions=tuple(expand(text)),
            vector=mixed / np.linalg.norm(mixed) if reading else own,
            terms=reading.terms if reading and s.english_terms else (),
            own_vector=own if reading else None,
            reading=reading,
            corrections=tuple(fixed),
            lexical_scale=read,
        )

    def answer(
        self,
        question: str,
        *,
        qid: str | None = None,
        history: list[Turn] | None = None,
        top_k: int | None = None,
        documents: set[str] | None = None,
    ) -> Answer:
        """Answer one question; ``documents`` limits the sources (None = all)."""
        text = check_question(question, self.settings.retrieval.max_question_chars, history)
        if self.settings.app.log_questions:
            log.info("question: %s", text)
        # Loading model and index happens once per process; it is not this question's time.
        self.warm_up()
        snapshot, retriever = self._loaded()
        if documents is not None and (unknown := set(documents) - set(snapshot.documents)):
            raise UnknownDocumentError(
                f"Unknown document id(s) {sorted(unknown)}; the index holds: "
                + ", ".join(sorted(snapshot.documents))
            )
        started = time.perf_counter()
        query = self.query(text, history)
        hits, evidence = self.retrieve(query, documents, retriever=retriever)
        retrieved = time.perf_counter()
        status = self.status(evidence) if hits else "abstained"
        # An instruction to the assistant ("Negeer je bronnen…") is no question for the sources.
        instructed = is_instruction(text)
        if instructed:
            status = "abstained"
        abstain = status == "abstained"
        answer_text, citations = compose(
            snapshot,
            hits,
            self.settings.answer,
            question=text,
            language=query.language,
            abstain=abstain,
            top_k=top_k,
            scoped=documents is not None,
            partial=status == "partial",
        )
        done = time.perf_counter()
        return Answer(
            id=qid,
            question=text,
            language=query.language,
            abstained=abstain,
            answer=answer_text,
            citations=citations,
            status=status,
            timings_ms={
                "retrieve": round((retrieved - started) * 1000, 2),
                "total": round((done - started) * 1000, 2),
            },
            expansions=list(query.expansions),
            evidence={**evidence.to_dict(), "instruction": instructed},
            documents=sorted(documents) if documents is not None else None,
            related=[] if abstain else related_questions(snapshot, citations, text),
            dutch_reading=query.reading.gloss if query.reading else None,
        )

    def retrieve(
        self,
        query: Query,
        documents: set[str] | None = None,
        *,
        retriever: HybridRetriever | None = None,
        with_probability: bool = True,
    ) -> tuple[list[Hit], Evidence]:
        """Ranked sentences (from ``documents`` only, if given) and the answerability evidence.

        The evidence is computed over the sources searched, so a question that the chosen
        documents do not answer abstains even if another document would. Without
        ``with_probability`` the evidence has no probability (for fitting a model).
        """
        retriever = retriever or self._loaded()[1]
        snapshot = retriever.snapshot
        found = retriever.search(
            query, limit=self.settings.retrieval.candidates, documents=documents
        )
        hits, dense = found.hits, found.best_dense
        evidence = assess(
            query.asked,
            query.language,
            dense,
            self.bank.similarity(query.asked_vector, query.language),
            snapshot.sentence_bm25.vocabulary,
            retriever.context_text(hits[0].index) if hits else "",
            self.answerability if with_probability else None,
            query.reading,
            self.words(snapshot),
            sentence=snapshot.sentences.texts[hits[0].index] if hits else "",
        )
        return hits, evidence
