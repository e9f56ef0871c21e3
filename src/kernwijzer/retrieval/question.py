"""A question as it is asked: checked, cleaned, and read with the conversation before it.

Refuses what cannot be asked (not text, not UTF-8, empty, too long, no word to search for,
a follow-up with nothing to follow) with a reason in both languages (``messages.QUESTION``);
strips terminal escapes, control characters and markup; joins a follow-up to the question
it continues. Not here: retrieval itself (``fusion``) or the answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kernwijzer.messages import QUESTION, words
from kernwijzer.retrieval.answerability import QUESTION_STEMS
from kernwijzer.text.tokens import tokens

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


# A message that instructs the assistant instead of asking the sources: to drop its sources
# or rules, play a part, show its own set-up, make an answer up, or write a text. Quotes
# answer none of these, whoever writes them, so they are refused as off-topic however
# close their words come to a passage ("hoeveel huisartsen werken er in Utrecht?").
# Imperatives that ask for the sources' content ("Noem…", "Geef een voorbeeld…", "Explain
# …", "List …") are questions and stay out. A clause starts the text or follows . : ; ! ?
_CLAUSE = r"(?:^|[.:;!?]\s*)"
INSTRUCTION = re.compile(
    "|".join(
        (
            # Drop the sources, the rules or what came before.
            r"\b(?:ignore|disregard|forget|negeer|vergeet)\b[^.?!]{0,40}\b(?:sources?|"
            r"documents?|instructions?|rules|context|bronnen|documenten|instructies|regels|"
            r"prompt)\b",
            # Play a part, or become another assistant.
            r"\b(?:you are now|you're now|act as|pretend|roleplay|role-play|je bent nu|"
            r"jij bent nu|doe alsof|speel (?:een|de)|gedraag je als|from now on,? you|"
            r"vanaf nu (?:ben|moet|mag) je)\b",
            r"\b(?:you are|you're|je bent|jij bent) (?:an?|een) (?:[\w-]+\s+){0,3}(?:ai|bot|"
            r"chatbot|assistant|assistent|ai-assistent|model|taalmodel)\b",
            # Show its own set-up.
            r"\b(?:hidden|secret|system|verborgen|geheime)\s+(?:instructions?|prompt|"
            r"instructies)\b",
            r"\b(?:system prompt|systeemprompt|raw contents|your database|je database)\b",
            # Make an answer up.
            r"\b(?:make (?:something|it|one|an answer|things) up|verzin|fantaseer)\b",
            # Write or repeat a text: Kernwijzer quotes, it does not write.
            _CLAUSE + r"(?:please\s+)?(?:write|compose|draft|generate|repeat|schrijf|"
            r"genereer|herhaal|stel een \w+ op)\b",
        )
    ),
    re.IGNORECASE,
)


def is_instruction(question: str) -> bool:
    """Whether a message instructs the assistant rather than asks the sources (`INSTRUCTION`)."""
    return bool(INSTRUCTION.search(without_markup(question)))


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
