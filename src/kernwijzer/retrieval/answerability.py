"""Whether the sources answer a question: evidence, and a decision fitted to data.

The best sentence similarity alone separates answerable from out-of-scope questions
poorly: a question about paracetamol doses still lands near "farmacotherapie", and an
English question sits lower than a Dutch one against Dutch text. So the decision weighs
several facts about the question and its best passage:

- ``dense``: the best sentence similarity (how close the corpus comes);
- ``offtopic`` and ``offtopic_other``: the mean similarity of the question to its nearest
  questions in a bank of hand-written off-topic questions (``offtopic.yaml``), in its own
  language and in the other: how close it comes to what the corpus is not about
  (nearest-neighbour out-of-distribution scoring). Split by language because two questions
  in one language are similar for that reason alone;
- ``coverage``: the share of the question's content terms that the best passage contains
  (for English questions, the glossary's Dutch forms of its domain terms);
- ``unknown``: content words that name nothing the corpus speaks of ("amoxicilline"):
  rare in everyday language, not a misspelling of a corpus word, not a compound of known
  parts (``everyday``), so that "jullie", "begeleidng" or "nicotinepleisters" do not count;
- ``domain_terms``: how many of the glossary's domain terms the question names (for an
  English question the strongest sign that it asks about what the corpus covers);
- ``english``: English questions score lower against Dutch text for the same relevance;
- ``quantity_missing``: the question asks for a number and the best-ranked sentence, the
  one quoted first, states none (``answertype``): the near miss that uses the corpus's
  words. The sentence, not its chunk: a chunk's other numbers (a date, a count of
  something else) are not the one asked for.

A logistic regression over these, fitted by ``kernwijzer calibrate`` on the calibration
half of the question set only and stored per model profile as
``answerability-<model>.json``, turns them into the probability that the sources answer.
Two boundaries fitted with it turn that into three outcomes: abstained, partial (the
sources speak of the topic but may not state what is asked) and answered
(``fit_boundaries``).
Applying the fitted model is a dot product: scikit-learn is needed to fit, not to answer.
Not here: what to show when abstaining (``answer/compose.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from kernwijzer.retrieval.answertype import quantity_missing
from kernwijzer.retrieval.everyday import CorpusWords, is_everyday, unknown_words, words_of
from kernwijzer.retrieval.glossary import Term, contains, in_passage, matches
from kernwijzer.retrieval.lexicon import Reading
from kernwijzer.text.tokens import stem, tokens

log = logging.getLogger(__name__)
FEATURES = (
    "dense",
    "offtopic",
    "offtopic_other",
    "coverage",
    "unknown",
    "english",
    "domain_terms",
    "quantity_missing",
)
NEIGHBOURS = 3
# The fitted model of the default profile; each profile names its own (``config.PROFILES``).
PACKAGED = "answerability-embeddinggemma-300m.json"
# Dutch question words and verbs that carry no topic: a question may use them although the
# corpus (policy prose) never does. Stemmed forms, as `text.tokens` produces them.
QUESTION_STEMS = frozenset(
    tokens(
        "hoeveel welk welke noem noemt noemen bevat bevatten rekent zegt zeggen betekent "
        "betekenen wanneer waarom hoelang moet mag mogen kunt juiste eigenlijk precies "
        # Interrogative 'waar' + preposition ("Waaruit bestaat …?") and the verbs of
        # belonging a question is phrased with ("Hoort … bij …?", "Valt … onder …?"):
        # asking words, which policy prose has no reason to use.
        "waaraan waarbij waardoor waarin waarmee waarnaar waarop waarover waartoe waaruit "
        "waarvan waarvoor hoort horen behoort behoren valt vallen"
    )
)


@dataclass(frozen=True)
class Evidence:
    """What the abstention decision rests on (the features, and the probability)."""

    dense: float
    offtopic: float
    offtopic_other: float
    coverage: float
    unknown_terms: tuple[str, ...]
    english: bool
    domain_terms: int
    quantity_missing: bool = False
    probability: float = float("nan")

    def features(self) -> np.ndarray:
        """The model's inputs, in `FEATURES` order."""
        return np.array(
            [
                self.dense,
                self.offtopic,
                self.offtopic_other,
                self.coverage,
                min(len(self.unknown_terms), 2),
                float(self.english),
                min(self.domain_terms, 3),
                float(self.quantity_missing),
            ],
            dtype=np.float64,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def unknown_terms(
    question: str,
    vocabulary: set[str] | dict[str, int],
    terms: Sequence[Term] | None = None,
    words: CorpusWords | None = None,
) -> tuple[str, ...]:
    """Content words of a Dutch question that name nothing the corpus speaks of.

    Words the glossary knows ("fulltime" for fte) are domain terms, never unknown; nor are
    everyday words, misspellings of corpus words or compounds of known parts
    (``everyday``). ``terms`` are the question's glossary matches, and ``words`` the
    corpus's words, when the caller has them already.
    """
    for term in matches(question) if terms is None else terms:
        for pattern in (term.pattern, term.case_pattern):
            question = pattern.sub(" ", question) if pattern else question
    words = words or CorpusWords([], vocabulary)
    return tuple(unknown_words(question, "nl", words, set(QUESTION_STEMS)))


def coverage(
    question: str,
    language: str,
    passage: str,
    vocabulary: set[str] | dict[str, int],
    glossary_terms: Sequence[Term] | None = None,
    words: CorpusWords | None = None,
) -> float:
    """Share of the question's content terms that the passage contains (0 when none).

    Terms are the question's words that the corpus uses (a misspelt one by its
    correction), a word that names something the corpus never speaks of (a term the
    passage lacks), and the domain terms it names in the glossary (``glossary_terms``, if
    the caller has them), matched by their Dutch forms. Question words, and everyday words
    the corpus happens not to use, do not count.
    """
    words = words or CorpusWords([], vocabulary)
    passage_tokens = set(tokens(passage))
    named = matches(question) if glossary_terms is None else glossary_terms
    terms = [in_passage(term, passage_tokens) for term in named if not term.generic]
    unknown = set(unknown_words(question, language, words, set(QUESTION_STEMS)))
    seen: set[str] = set()
    for word in (part for w in words_of(question) for part in w.split("-")):
        stems = tokens(word)
        if not stems or len(word) < 3 or stems[0] in QUESTION_STEMS or stems[0] in seen:
            continue
        seen.add(stems[0])
        if stems[0] in vocabulary:
            terms.append(contains(passage_tokens, stems[0]))
        elif (fixed := words.correction(word)) is not None:
            terms.append(contains(passage_tokens, stem(fixed)))
        elif language == "nl" and word in unknown:
            terms.append(False)
    return sum(terms) / len(terms) if terms else 0.0


@lru_cache(maxsize=4096)
def _form_tokens(form: str) -> tuple[str, ...]:
    # The lexicon's few thousand Dutch forms, stemmed once each.
    return tuple(tokens(form))


def english_unknown(reading: Reading, words: CorpusWords) -> tuple[str, ...]:
    """An English question's untranslated words that are rare in English and not corpus words.

    "coming", "city" or "sign" are how people ask; "ibuprofen" names something else.
    """
    return tuple(w for w in reading.untranslated if not is_everyday(w, "en") and not words.knows(w))


def english_coverage(reading: Reading, passage: str, unknown: Sequence[str] = ()) -> float:
    """Share of an English question's lexicon phrases that the passage names in Dutch.

    Its ``unknown`` words (naming nothing in the corpus) count as phrases the passage lacks.
    """
    passage_tokens = set(tokens(passage))
    found = [
        any(contains(passage_tokens, t) for form in group for t in _form_tokens(form))
        for group in reading.groups
    ]
    found += [False] * len(unknown)
    return sum(found) / len(found) if found else 0.0


@dataclass(frozen=True)
class AnswerabilityModel:
    """A fitted logistic regression over standardised `FEATURES`."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    features: tuple[str, ...] = FEATURES
    meta: dict[str, Any] = field(default_factory=dict)
    # The two boundaries, fitted on the calibration half (``fit_boundaries``): below the
    # first the sources do not answer; below the second they may not state what is asked.
    abstain_below: float = 0.5
    partial_below: float = 0.5

    def probability(self, evidence: Evidence) -> float:
        """P(the sources answer) for this evidence."""
        x = (evidence.features() - np.array(self.mean)) / np.array(self.scale)
        z = float(x @ np.array(self.coef)) + self.intercept
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def load(cls, path: Path | None = None, packaged: str = PACKAGED) -> AnswerabilityModel:
        """The model at ``path``, or the packaged file ``packaged`` (one per model profile)."""
        try:
            if path is None:
                text = resources.files("kernwijzer").joinpath(packaged).read_text("utf-8")
            else:
                text = path.read_text(encoding="utf-8")
            raw = json.loads(text)
            features = tuple(raw["features"])
            values = (
                tuple(raw["mean"]),
                tuple(raw["scale"]),
                tuple(raw["coef"]),
                float(raw["intercept"]),
            )
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            where = path or packaged
            raise ValueError(
                f"The answerability model {where} cannot be read ({type(exc).__name__}: {exc}); "
                "point KERNWIJZER_ANSWERABILITY_MODEL at a file written by `kernwijzer "
                "calibrate --out`, or unset it for the packaged model"
            ) from exc
        if features != FEATURES:
            raise ValueError(f"answerability model has features {list(features)}, not {FEATURES}")
        return cls(
            *values,
            features,
            dict(raw.get("meta", {})),
            float(raw.get("abstain_below", 0.5)),
            float(raw.get("partial_below", raw.get("abstain_below", 0.5))),
        )

    def save(self, path: Path) -> None:
        """Write the model as JSON (reviewable in a diff)."""
        path.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n", "utf-8")


def fit(
    evidence: list[Evidence], answerable: list[bool], meta: dict[str, Any]
) -> AnswerabilityModel:
    """Fit the model on labelled evidence (the calibration half, never the test half)."""
    from sklearn.linear_model import LogisticRegression

    x = np.stack([e.features() for e in evidence])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0  # a constant feature (e.g. one language only) carries no weight
    # Balanced classes: the file's mix of answerable and out-of-scope questions is a choice
    # of its authors, not the mix users ask; C=1 keeps weights modest on ~150 examples.
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    clf.fit((x - mean) / scale, np.array(answerable, dtype=int))
    return AnswerabilityModel(
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in clf.coef_[0]),
        float(clf.intercept_[0]),
        FEATURES,
        meta,
    )


# A refusal of a question the sources answer is the most expensive mistake: the lower
# boundary lets through all but this share of the calibration half's answerable questions.
REFUSE_AT_MOST = 0.01
# An out-of-scope question shown as answered is the next: the upper boundary lets at most
# this share of the calibration half's out-of-scope questions through as "answered".
ANSWER_AT_MOST = 0.05


def fit_boundaries(
    answerable: Sequence[float], out_of_scope: Sequence[float]
) -> tuple[float, float]:
    """The two boundaries from calibration-half probabilities (see the constants above).

    The lower one lets through all but `REFUSE_AT_MOST` of the answerable questions (never
    above even odds); an out-of-scope question above it and below the upper one is shown
    as "partial", with the caution and its passages, which costs a reader less than a
    refusal of what the sources do answer. The upper one lets at most `ANSWER_AT_MOST` of
    the out-of-scope questions through as "answered".

    Both are Harrell-Davis quantiles, a weighted mean of every order statistic: the 1 %
    quantile of some 200 probabilities is otherwise the interpolation of two of them, and
    moved by 0.03 when one feature changed while the calibration half's outcomes did not.
    """
    from scipy.stats.mstats import hdquantiles

    def quantile(values: Sequence[float], share: float) -> float:
        return float(hdquantiles(np.asarray(values, dtype=np.float64), [share])[0])

    lower = min(0.5, quantile(answerable, REFUSE_AT_MOST)) if answerable else 0.5
    upper = quantile(out_of_scope, 1 - ANSWER_AT_MOST) if out_of_scope else lower
    return round(lower, 4), round(max(lower, upper), 4)


def load_bank() -> list[tuple[str, str]]:
    """The packaged off-topic questions (``offtopic.yaml``) as (language, question)."""
    raw = yaml.safe_load(resources.files("kernwijzer").joinpath("offtopic.yaml").read_text("utf-8"))
    bank = [(lang, q) for by_lang in raw.values() for lang, qs in by_lang.items() for q in qs]
    odd = [q for _, q in bank if not isinstance(q, str) or not q.strip()]
    if odd:
        raise ValueError(f"offtopic.yaml: entries must be plain questions, not {odd[0]!r}")
    return bank


class OffTopicBank:
    """The off-topic questions' vectors, embedded once per model and cached on disk."""

    def __init__(self, vectors: np.ndarray, languages: list[str]) -> None:
        self.vectors = vectors
        self.languages = np.array(languages)

    @classmethod
    def load(
        cls, embed: Callable[[list[str]], np.ndarray], model_id: str, cache_dir: Path
    ) -> OffTopicBank:
        """Vectors for the packaged bank: from the cache, or embedded now and cached."""
        bank = load_bank()
        languages, questions = [lang for lang, _ in bank], [q for _, q in bank]
        key = hashlib.sha256("\n".join([model_id, *questions]).encode()).hexdigest()[:16]
        path = cache_dir / "offtopic" / f"{key}.npy"
        if path.exists():
            try:
                vectors = np.load(path)
                if vectors.shape[0] == len(questions):
                    return cls(vectors, languages)
            except (OSError, ValueError):
                log.warning("Off-topic cache %s unreadable; embedding the bank again", path)
        vectors = np.asarray(embed(questions), dtype=np.float32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)  # never a half-written cache
        except OSError:
            log.warning("Cannot cache the off-topic bank under %s", path.parent)
        return cls(vectors, languages)

    def similarity(self, vector: np.ndarray, language: str) -> tuple[float, float]:
        """Mean similarity to the nearest off-topic questions: (same language, other)."""
        sims = self.vectors @ vector
        same = self.languages == language
        return _nearest(sims[same]), _nearest(sims[~same])


def _nearest(sims: np.ndarray) -> float:
    k = min(NEIGHBOURS, len(sims))
    return float(np.mean(np.partition(sims, -k)[-k:])) if k else 0.0


def assess(
    question: str,
    language: str,
    dense: float,
    offtopic: tuple[float, float],
    vocabulary: set[str] | dict[str, int],
    passage: str,
    model: AnswerabilityModel | None = None,
    reading: Reading | None = None,
    words: CorpusWords | None = None,
    *,
    sentence: str,
) -> Evidence:
    """The evidence for one question; with a model, its probability too.

    ``offtopic`` is the bank similarity in the question's language and in the other;
    ``passage`` the text around the best-ranked sentence (its chunk), ``sentence`` that
    sentence itself; ``reading`` the
    lexicon's Dutch reading of an English question, when there is one: its coverage and
    its untranslated words are then judged in Dutch.
    """
    # The glossary scan is the costly part of the lexical facts: once per question.
    named = matches(question)
    words = words or CorpusWords([], vocabulary)
    if reading is not None:
        unknown = english_unknown(reading, words)
        covered = english_coverage(reading, passage, unknown)
    else:
        covered = coverage(question, language, passage, vocabulary, named, words)
        unknown = unknown_terms(question, vocabulary, named, words) if language == "nl" else ()
    evidence = Evidence(
        dense=dense,
        offtopic=offtopic[0],
        offtopic_other=offtopic[1],
        coverage=covered,
        unknown_terms=unknown,
        english=language == "en",
        domain_terms=sum(not term.generic for term in named),
        quantity_missing=quantity_missing(question, sentence),
    )
    if model is None:
        return evidence
    return Evidence(**{**asdict(evidence), "probability": model.probability(evidence)})
