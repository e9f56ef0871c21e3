"""Dutch wording of an English question, from a lexicon of the corpus's own vocabulary.

The multilingual model places an English question some way from the Dutch sentence that
answers it, and BM25 over Dutch stems matches none of its words. ``lexicon.txt`` lists, for
the Dutch words the corpus uses, the English words and phrases that ask for them; an English
question is read against it (longest phrase first, over English stems) and gains:

- ``terms``: every Dutch form it names, for the lexical side;
- ``gloss``: one Dutch word per matched phrase, in the question's order, for the dense
  side (a Dutch "question" the model can place among Dutch sentences);
- ``untranslated``: its content words that name nothing the corpus speaks of ("ibuprofen",
  "mortgage"): evidence that the sources do not answer.

Word-for-word, not a translation: it is evidence computed in Dutch, weighed beside the
English question, never shown as what the user asked. Not here: the short glossary of
domain terms and abbreviations that the UI shows as expansions (``glossary.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from kernwijzer.retrieval.everyday import (
    MIN_CORRECTED,
    Spelling,
    everyday_words,
    is_a_word,
    is_everyday,
)
from kernwijzer.retrieval.glossary import Term, load_glossary

MAX_PHRASE = 4
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# The lexicon's own words that ask rather than name live under `-`; bm25s's English stop
# list (33 words, dropped on both sides) lacks the auxiliaries and question words every
# question has.
ASKING = "-"
_STOP = frozenset(STOPWORDS_EN)


@dataclass(frozen=True)
class Reading:
    """What the lexicon makes of an English question."""

    terms: tuple[str, ...]
    gloss: str
    untranslated: tuple[str, ...]
    content_words: int
    groups: tuple[tuple[str, ...], ...] = ()  # the Dutch forms of each matched phrase

    @property
    def share(self) -> float:
        """The share of the question's content words the lexicon read (0 to 1).

        A paraphrase in words the lexicon does not know gets a reading of a few scattered
        Dutch words: worth as much, beside the question itself, as the share it read.
        """
        if self.content_words == 0:
            return 0.0
        return (self.content_words - len(self.untranslated)) / self.content_words


@dataclass(frozen=True)
class Lexicon:
    """English stem sequences → Dutch forms (first form first), plus the asking words."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    asking: frozenset[str]
    # The English words the lexicon reads, as written: what a misspelt word may stand for.
    vocabulary: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def spelling(self) -> Spelling:
        """The lexicon's and everyday English words, for the one a misspelling stands for.

        Everyday words too: "apointment" stands for "appointment", which the lexicon lacks,
        not for "appointed", which it has.
        """
        return Spelling(self.vocabulary | frozenset(everyday_words("en")))

    @cached_property
    def _known(self) -> frozenset[str]:
        return frozenset(s for key in self.phrases for s in key) | self.asking

    def spelled(self, word: str) -> str:
        """The lexicon's word a misspelt English word stands for ("permision"), else the word.

        Only a word the lexicon does not read, of five letters or more, that is no word of
        general English ("overpaid" is one, however rare) is taken for a misspelling; a
        code, a number or an everyday Dutch word ("huisarts", asked in English) is never one.
        """
        lower = word.lower()
        if (
            len(lower) < MIN_CORRECTED
            or not lower.isalpha()
            or (len(word) > 1 and word.isupper())
            or _stems([lower])[0] in self._known
            or is_a_word(lower, "en")
            or is_everyday(lower, "nl")
        ):
            return word
        return self.spelling.nearest(lower) or word

    def _parts(self, word: str) -> list[str]:
        """A hyphenated word the lexicon does not know whole, as its parts.

        English joins words by hyphen at will ("quit-smoking course", "GP-led"): a reader
        reads the parts, which the lexicon may know ("smoking"). A compound it lists whole
        ("in-house", "out-of-hours") keeps its own sense, which its parts ("house") lack.
        """
        if "-" not in word or _stems([word.lower()])[0] in self._known:
            return [word]
        return [w for w in word.split("-") if w and w.lower() not in _STOP]

    def read(self, question: str) -> Reading:
        """Read an English question (see the module docstring)."""
        words = [self.spelled(w) for word in _words(question) for w in self._parts(word)]
        stems = _stems([w.lower() for w in words])
        terms: list[str] = []
        groups: list[tuple[str, ...]] = []
        gloss: list[str] = []
        untranslated: list[str] = []
        content = 0
        i = 0
        while i < len(stems):
            for n in range(min(MAX_PHRASE, len(stems) - i), 0, -1):
                dutch = self.phrases.get(tuple(stems[i : i + n]))
                if dutch:
                    terms += dutch
                    groups.append(dutch)
                    gloss.append(dutch[0])
                    content += 1
                    i += n
                    break
            else:
                word = words[i]
                if any(ch.isdigit() for ch in word) or (len(word) > 1 and word.isupper()):
                    gloss.append(word)  # numbers and codes (2095, U3, PA) read the same in Dutch
                elif stems[i] not in self.asking and len(word) > 2:
                    untranslated.append(word.lower())
                    content += 1
                i += 1
        return Reading(
            tuple(dict.fromkeys(terms)),
            " ".join(dict.fromkeys(gloss)),
            tuple(dict.fromkeys(untranslated)),
            content,
            tuple(dict.fromkeys(groups)),
        )


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _words(text: str) -> list[str]:
    """The words of a text as a reader takes them, stop words left out."""
    words = (w.replace("’", "'") for w in WORD.findall(text))
    return [w for w in words if w.lower() not in _STOP]


def _stems(words: list[str]) -> list[str]:
    # "doctor's" and "doctors" are one word to a reader.
    return list(_stemmer().stemWords([w.removesuffix("'s") for w in words]))


def parse(text: str) -> Lexicon:
    """A lexicon from the text of ``lexicon.txt``; a malformed line raises ValueError."""
    asking: set[str] = set()
    vocabulary: set[str] = set()
    # (reduced, key, forms) per English gloss, in file order.
    entries: list[tuple[bool, tuple[str, ...], list[str]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        dutch, sep, english = line.partition(":")
        glosses = [g.strip() for g in english.split(",") if g.strip()]
        if not sep or not dutch.strip() or not glosses:
            raise ValueError(f"lexicon.txt line {number}: expected 'dutch words: english, …'")
        keys = [tuple(_stems(_words(g.lower()))) for g in glosses]
        vocabulary.update(w for g in glosses for w in _words(g.lower()))
        if dutch.strip() == ASKING:
            asking.update(k for key in keys for k in key)
            continue
        entries += [
            (len(key) < len(gloss.split()), key, dutch.split())
            for gloss, key in zip(glosses, keys, strict=True)
            if key
        ]
        # "full-time" is also written "full time": the spaced form reads the same line,
        # after the lines that list its words, and only as a phrase of two words or more
        # ("in-house" spaced is "house" alone once "in" is dropped, which it does not mean).
        spaced = [tuple(_stems(_words(g.lower().replace("-", " ")))) for g in glosses if "-" in g]
        entries += [(True, key, dutch.split()) for key in spaced if len(key) > 1]
    # A phrase whose function words carry its sense ("at most", "in person", "working on")
    # is keyed on its content word alone once the stop words are gone; it must not gloss
    # that word ahead of the line that lists the word itself ("most", "person", "work"),
    # as it would merely by sorting first. Such phrases add their forms afterwards (a
    # stable sort keeps file order within each group).
    phrases: dict[tuple[str, ...], list[str]] = {}
    for _, key, forms in sorted(entries, key=lambda entry: entry[0]):
        known = phrases.setdefault(key, [])
        known += [f for f in forms if f not in known]
    return Lexicon(
        {k: tuple(v) for k, v in phrases.items()}, frozenset(asking), frozenset(vocabulary)
    )


def with_terms(lexicon: Lexicon, terms: Sequence[Term]) -> Lexicon:
    """The lexicon, also reading the glossary's domain terms it lacks.

    The glossary names the field's terms ("physician assistant", "out of hours", "extra
    services") for the expansions the user sees; a reading that did not know them would
    gloss them word by word ("arts hulp"). A phrase the lexicon has keeps its own Dutch.
    """
    phrases = dict(lexicon.phrases)
    vocabulary = set(lexicon.vocabulary)
    for term in terms:
        for phrase in term.match:
            key = tuple(_stems(_words(phrase.lower())))
            vocabulary.update(_words(phrase.lower()))
            if key and key not in phrases:
                phrases[key] = term.nl
    return Lexicon(phrases, lexicon.asking, frozenset(vocabulary))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon (``lexicon.txt``) with the glossary's terms (``with_terms``)."""
    text = resources.files("kernwijzer").joinpath("lexicon.txt").read_text("utf-8")
    return with_terms(parse(text), load_glossary())


def read_english(question: str) -> Reading:
    """The packaged lexicon's reading of an English question."""
    return load_lexicon().read(question)
