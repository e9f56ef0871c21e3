"""Which words of a question say nothing about whether the sources answer it.

A word the corpus never uses is evidence that a question is about something else
("amoxicilline", "ibuprofen") only when it names a concept: a rare word. Everyday words
that policy prose happens not to use ("jullie", "echt", "erbij", "city", "sign"), a
misspelling of a corpus word ("begeleidng") and a compound of known parts
("nicotinepleisters") are how people ask, whoever writes the question, and must not count
against answering. Three well-kept sources decide, none of them tuned to a question set:

- ``wordfreq``'s general-language frequencies (Zipf scale: 3 is once per million words):
  a word at or above `RARE_ZIPF` in the question's language is everyday;
- ``rapidfuzz``'s edit distance to the corpus's own words: one edit for a word of up to
  seven letters, two beyond, is a misspelling, and its correction is searched too (an
  English question's, to the lexicon's and everyday English words: ``lexicon``);
- a split of a Dutch compound into two known parts (a corpus word, a part of one, or an
  everyday word; a linking "s" or "e(n)" allowed): not a new concept. Written here, not
  taken from ``compound-split``: that library's n-gram tables take 5 s to import, the
  whole budget of a one-question CLI run, and ranking splits by n-gram probability is
  more than needed to ask whether some split gives two known words.

Not here: the decision itself (``answerability``), stemming (``text.tokens``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kernwijzer.text.tokens import stem, tokens

RARE_ZIPF = 3.0
WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
MIN_LETTERS = 4  # shorter words and codes (POH, U3) say nothing about scope
LINKS = ("s", "en", "e")  # Dutch linking sounds between a compound's parts


def words_of(text: str) -> list[str]:
    """The question's words as typed, lower-cased (letters only, hyphenated kept whole)."""
    return [w.lower() for w in WORD.findall(text)]


@lru_cache(maxsize=8192)
def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, language))


def is_everyday(word: str, language: str) -> bool:
    """Whether ``word`` is common in general ``language`` (nl or en) usage."""
    return _zipf(word, language) >= RARE_ZIPF


MIN_CORRECTED = 5  # a shorter word is a different word one edit away, not a misspelling
# Once per thirty million words: a word general usage has this often is itself, not a slip
# ("overpaid", "remunerate"). wordfreq lists words down to about 1; the misspellings of
# the words a question turns on ("permision", "physican") sit at that floor.
WORD_ZIPF = 1.5


def is_a_word(word: str, language: str) -> bool:
    """Whether general ``language`` usage has ``word`` as a word of its own (see WORD_ZIPF)."""
    return _zipf(word, language) >= WORD_ZIPF


@lru_cache(maxsize=2)
def everyday_words(language: str) -> tuple[str, ...]:
    """The words of general ``language`` usage that `is_everyday` accepts (letters only)."""
    from wordfreq import get_frequency_dict

    least = 10 ** (RARE_ZIPF - 9)  # the Zipf scale is log10 of frequency per billion words
    return tuple(w for w, f in get_frequency_dict(language).items() if f >= least and w.isalpha())


def _max_edits(word: str) -> int:
    return 1 if len(word) <= 7 else 2


class Spelling:
    """The words of a vocabulary, for the one a misspelt word stands for.

    The edits allowed are the module docstring's.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._words = frozenset(vocabulary)
        self._by_length: dict[int, list[str]] = {}
        for w in sorted(self._words):  # sorted: of equally close words, the first wins
            self._by_length.setdefault(len(w), []).append(w)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def nearest(self, word: str) -> str | None:
        """The vocabulary's word within the allowed edits of ``word`` (the closest), if any."""
        from rapidfuzz import process
        from rapidfuzz.distance import Indel, Levenshtein

        edits = _max_edits(word)
        candidates = [
            w
            for n in range(len(word) - edits, len(word) + edits + 1)
            for w in self._by_length.get(n, [])
        ]
        found = process.extract(
            word, candidates, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
        )
        if not found:
            return None
        least = min(distance for _, distance, _ in found)
        tied = sorted(candidate for candidate, distance, _ in found if distance == least)
        # Of equally distant words, the one reached by adding or dropping letters, the
        # commonest slips ("physican": physician, not physical), rather than replacing one.
        return min(tied, key=lambda candidate: Indel.distance(word, candidate))


class CorpusWords:
    """The corpus's own words (surface forms and stems), for spelling and compound checks."""

    def __init__(self, texts: list[str], stems: set[str] | dict[str, int] | None = None) -> None:
        surface = {w for text in texts for w in words_of(text) if len(w) >= MIN_LETTERS}
        self.surface = sorted(surface)
        # The BM25 vocabulary when given: the index's stems are the corpus's words.
        self.stems = frozenset(stems if stems is not None else tokens(" ".join(self.surface)))
        self.spelling = Spelling(self.surface)
        # "nicotine" is no corpus word, but stands inside "nicotinevervangende".
        self._joined = "\n".join(self.surface)

    def knows(self, word: str) -> bool:
        """Whether the corpus uses this word (any form with the same stem)."""
        return word in self.spelling or stem(word) in self.stems

    @lru_cache(maxsize=4096)  # noqa: B019 - one instance per loaded index, kept for its life
    def correction(self, word: str) -> str | None:
        """The corpus word ``word`` is a misspelling of, if one is close enough."""
        if len(word) < MIN_CORRECTED or self.knows(word):
            return None
        return self.spelling.nearest(word)

    def known_part(self, part: str, language: str) -> bool:
        """A compound's part: a corpus word, part of one (five letters or more), or everyday."""
        if len(part) < 3:
            return False
        if self.knows(part) or is_everyday(part, language):
            return True
        return len(part) >= 5 and part in self._joined

    @lru_cache(maxsize=4096)  # noqa: B019 - as above
    def compound_of_known_parts(self, word: str) -> bool:
        """Whether a Dutch compound splits into two known parts (see the module docstring)."""
        if len(word) < 8:
            return False
        for i in range(3, len(word) - 2):
            body, head = word[:i], word[i:]
            bodies = [body] + [body[: -len(link)] for link in LINKS if body.endswith(link)]
            if self.known_part(head, "nl") and any(self.known_part(b, "nl") for b in bodies):
                return True
        return False


def unknown_words(text: str, language: str, words: CorpusWords, ignore: set[str]) -> list[str]:
    """Content words of ``text`` that name something the corpus never speaks of.

    A word is unknown only when it is long enough to be a content word, not a stop word
    or question word (``ignore``, stemmed), not a corpus word, rare in general usage, not
    a misspelling of a corpus word and (in Dutch) not a compound of known parts.
    """
    found = []
    for word in words_of(text):
        if len(word) < MIN_LETTERS or "-" in word:
            continue  # hyphenated compounds are judged by their parts
        stems = tokens(word)
        if not stems or stems[0] in ignore or words.knows(word):
            continue
        if is_everyday(word, language) or words.correction(word):
            continue
        if language == "nl" and words.compound_of_known_parts(word):
            continue
        found.append(word)
    return list(dict.fromkeys(found))


def corrections(text: str, words: CorpusWords) -> list[str]:
    """The corpus words that the question's misspelt words stand for (searched besides)."""
    fixed = []
    for word in words_of(text):
        if len(word) >= MIN_CORRECTED and not words.knows(word) and not is_everyday(word, "nl"):
            corrected = words.correction(word)
            if corrected:
                fixed.append(corrected)
    return fixed
