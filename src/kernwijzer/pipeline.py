"""The one place the parts are connected: index → retrieval → answer.

`Kernwijzer` loads the model and the active index once per process and answers questions
(thread-safe: the model call is serialised, the rest is read-only). The UI, the CLI and
the evaluation all go through it. Not here: presentation.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from kernwijzer.answer.compose import Answer, compose
from kernwijzer.answer.related import related_questions
from kernwijzer.config import Settings
from kernwijzer.index.embedding import Embedder
from kernwijzer.index.snapshot import IndexSnapshot
from kernwijzer.index.store import IndexStore
from kernwijzer.messages import QUESTION, words
from kernwijzer.retrieval.answerability import (
    QUESTION_STEMS,
    AnswerabilityModel,
    Evidence,
    OffTopicBank,
    assess,
)
from kernwijzer.retrieval.everyday import CorpusWords, corrections, is_everyday
from kernwijzer.retrieval.fusion import Hit, HybridRetriever, Query
from kernwijzer.retrieval.glossary import expand
from kernwijzer.retrieval.lexicon import load_lexicon, read_english
from kernwijzer.text.language import detect_language
from kernwijzer.text.tokens import tokens

log = logging.getLogger(__name__)
FOLLOW_UP = re.compile(
    r"^(en|maar|of|and|but|or|what about|how about|wat als|wat over|ook|also|en als|and if)\b",
    re.IGNORECASE,
)
# A short question that opens with "En …", "Ook …", "Or …" continues one before it ("En een
# VS?"): with nothing before it, answering would answer a fragment from whatever passage
# it happens to match, so the user is asked to say what it refers to.
DANGLING = re.compile(r"^(en|maar|of|ook|and|but|or|also)\b", re.IGNORECASE)
DANGLING_WORDS = 5
# A short question that opens with a question word or verb names its own topic
# ("Wat betekent U3?"); a short fragment ("De POH?", "a nurse practitioner?") does not.
STANDALONE = re.compile(
    r"^(wat|wie|welke?|hoe|hoeveel|wanneer|waarom|waar|mag|mogen|moet|moeten|kan|kunnen|is|"
    r"zijn|heeft|hebben|valt|what|who|which|how|when|why|where|may|must|can|is|are|does|do|"
    r"should)\b",
    re.IGNORECASE,
)


ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


class UnknownDocumentError(ValueError):
    """A source filter naming a document the index does not hold; the message lists them."""


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); the message says why.

    ``str()`` gives both languages (for the CLI and the API); ``in_language`` one of them
    (for a page that speaks one language at a time).
    """

    def __init__(self, en: str, nl: str | None = None) -> None:
        super().__init__(f"{en} / {nl}" if nl else en)
        self.messages = {"en": en, "nl": nl or en}

    @classmethod
    def of(cls, key: str, **values: object) -> QuestionError:
        """The refusal ``key`` of the message catalogue (``messages.QUESTION``), both languages."""
        en, nl = (words(QUESTION, lang)[key].format(**values) for lang in ("en", "nl"))
        return cls(en, nl)

    def in_language(self, language: str) -> str:
        """The message in ``language`` ("nl" or "en")."""
        return self.messages.get(language, self.messages["nl"])


@dataclass(frozen=True)
class Turn:
    """A previous question of the conversation (for follow-ups)."""

    question: str


def clean_question(question: object, max_chars: int) -> str:
    """Validate and normalise a question; raise `QuestionError` with a clear message."""
    if not isinstance(question, str):
        raise QuestionError.of("not_text")
    # Bytes that were not UTF-8 arrive as U+FFFD (the web's decoder) or as lone surrogates
    # (Python's argv): answering the rest would answer a question the user did not type.
    if any(ch == "\ufffd" or unicodedata.category(ch) == "Cs" for ch in question):
        raise QuestionError.of("not_utf8")
    # Terminal escape sequences ("\x1b[31m") and control and format characters are noise
    # from copy-paste, never meaning.
    question = ANSI.sub(" ", question)
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Co", "Cf") and ch not in "\n\t" else ch
        for ch in question
    )
    text = " ".join(text.split())
    if not text:
        raise QuestionError.of("empty")
    if len(text) > max_chars:
        raise QuestionError.of("too_long", n=len(text), limit=max_chars)
    return text


def check_question(question: object, max_chars: int, history: list[Turn] | None = None) -> str:
    """`clean_question`, then refuse a question with no word to search for or nothing to follow.

    A follow-up with no earlier question to follow (``is_dangling``) is refused with a
    request to say what it refers to.

    "???", "x", "12345" or "Waarom?" give retrieval nothing to go on. A word is a token with
    a letter in it that is neither a stop word nor a question word, so codes such as "U3"
    or "PA" count and a bare number does not. Judged on the text retrieval uses: "Waarom?"
    after a question borrows its words; "???" or "12345" has not a letter to ask with and
    borrows nothing.
    """
    text = clean_question(question, max_chars)
    if not history and is_dangling(text):
        raise QuestionError.of("dangling", text=text)
    lettered = any(ch.isalpha() for ch in text)
    if not lettered or not has_words(retrieval_text(text, history)):
        raise QuestionError.of("no_words")
    return text


def is_dangling(question: str) -> bool:
    """Whether a question only continues an earlier one ("En een VS?", "Also for children?")."""
    asked = without_markup(question)
    return bool(DANGLING.match(asked)) and len(asked.split()) <= DANGLING_WORDS


def has_words(text: str) -> bool:
    """Whether text has a word to search for (not a stop word, question word or number)."""
    return any(t not in QUESTION_STEMS and any(ch.isalpha() for ch in t) for t in tokens(text))


# Markup pasted or typed into a question (shown back escaped, never run) is not what it
# asks: tags and the code inside script and style elements are left out of the search.
MARKUP = re.compile(
    r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)|</?[a-zA-Z][^<>]*>|<!--.*?(-->|$)",
    re.IGNORECASE | re.DOTALL,
)


def without_markup(text: str) -> str:
    """The text with HTML tags, comments and script or style bodies left out."""
    return " ".join(MARKUP.sub(" ", text).split())


def retrieval_text(question: str, history: list[Turn] | None) -> str:
    """The text retrieval uses: a short or elliptic follow-up borrows the previous question.

    A question word alone ("Waarom?") names no topic of its own, so it borrows too. Markup
    is left out (``without_markup``).
    """
    question = without_markup(question)
    if not history:
        return question
    short = len(question.split()) <= 4
    elliptic = (
        FOLLOW_UP.match(question)
        or (short and not STANDALONE.match(question))
        or not has_words(question)
    )
    return f"{without_markup(history[-1].question)} {question}" if elliptic else question


class Kernwijzer:
    """Answers questions from the active index (see the module docstring)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings)
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
                self._retriever = HybridRetriever(self._snapshot, self.settings)
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
        other._snapshot, other._retriever = snapshot, HybridRetriever(snapshot, settings)
        other._warm, other._bank, other._words = self._warm, self._bank, self._words
        if settings.answerability_model == self.settings.answerability_model:
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
            with ThreadPoolExecutor(5, thread_name_prefix="warm-up") as pool:
                loads: list[Future[Any]] = [
                    pool.submit(self._loaded),
                    pool.submit(lambda: self.embedder.encoder),
                    pool.submit(detect_language, "warm-up"),
                    pool.submit(load_lexicon),  # 60 ms, not on the first English question
                    # The general-language frequency lists (0.8 s), not on the first question.
                    pool.submit(lambda: [is_everyday("warm", lang) for lang in ("nl", "en")]),
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
                self.settings.answerability_model, self.settings.packaged_answerability
            )
        return self._answerability

    @property
    def bank(self) -> OffTopicBank:
        """The off-topic question bank's vectors for this model (loaded on first use)."""
        if self._bank is None:
            self._bank = OffTopicBank.load(
                self.embedder.queries, self.embedder.model_id, self.settings.cache_dir
            )
        return self._bank

    def status(self, probability: float) -> str:
        """The outcome for an answer probability: the fitted boundaries, unless set."""
        model, s = self.answerability, self.settings
        lower = model.abstain_below if s.answerable_threshold is None else s.answerable_threshold
        upper = model.partial_below if s.partial_threshold is None else s.partial_threshold
        if probability < lower:
            return "abstained"
        return "partial" if probability < max(lower, upper) else "answered"

    def query(self, question: str, history: list[Turn] | None = None) -> Query:
        """Language, glossary expansion and embedding of a (validated) question."""
        text = retrieval_text(question, history)
        asked = without_markup(question)
        language = detect_language(asked)
        s = self.settings
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
        text = check_question(question, self.settings.max_question_chars, history)
        if self.settings.log_questions:
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
        status = self.status(evidence.probability) if hits else "abstained"
        abstain = status == "abstained"
        answer_text, citations = compose(
            snapshot,
            hits,
            question=text,
            language=query.language,
            abstain=abstain,
            # Under a refusal: a few nearest passages, shown as such.
            limit=self.settings.abstain_citations if abstain else top_k or self.settings.top_k,
            margin=self.settings.abstain_margin if abstain else self.settings.citation_margin,
            answer_margin=self.settings.answer_margin,
            answer_sentences=self.settings.answer_sentences,
            context_chars=self.settings.quote_context_chars,
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
            evidence=evidence.to_dict(),
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
        found = retriever.search(query, limit=self.settings.candidates, documents=documents)
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
        )
        return hits, evidence
