"""What kind of answer a question asks for, and whether a passage can give it.

A question that asks "how many", "how often" or "what does it cost" is answered by a
passage with a number in it. A passage on the right topic without one ("Wat kost een
valrisicobeoordeling?" against the insurer's page on fall prevention) is the typical near
miss: the corpus's words, not its answer (an answerability feature).

A question asking "why" is answered by a sentence that gives a reason ("omdat", "daardoor",
"vanwege"): ranking gives such a sentence a small bonus (``CUES``), so that among near ties on
the topic the one that can answer comes first. Only answer shapes that show on the surface
are here, and only those that helped on the calibration half (an enumeration cue for
"which …?" did not).
Not here: how these facts are weighed (``answerability.py``, ``retrieval/fusion.py``).
"""

from __future__ import annotations

import re

# Asking for an amount, a count, a frequency, a duration or a price, in Dutch or English.
QUANTITY = re.compile(
    r"\b(hoeveel|hoe ?vaak|hoe ?lang|hoelang|wat kost|kost(en|te)? .*\?|verdien\w*|salaris\w*|"
    r"tarie[fv]\w*|bedrag\w*|how (many|much|often|long)|what does .* cost|"
    r"cost\w*|fees?|salar\w+|earn\w*|price\w*|percentage\w*)\b",
    re.IGNORECASE,
)
# Digits, or a number written out (Dutch and English), or a frequency word.
AMOUNT = re.compile(
    r"\d|\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|twaalf|twintig|honderd|duizend|"
    r"helft|dubbel|dagelijks|wekelijks|maandelijks|jaarlijks|two|three|four|five|six|seven|"
    r"eight|nine|ten|twelve|twenty|hundred|thousand|half|daily|weekly|monthly|yearly|annually)\b",
    re.IGNORECASE,
)

# Numbers that count nothing: dates, years and references ("1 januari 2024", "artikel 9",
# "pagina 17-18"). Years stop at 2049 so that a norm such as 2095 patients stays an amount.
NOT_AMOUNT = re.compile(
    r"\b\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
    r"november|december|january|february|march|may|june|july|august|october)\b|"
    r"\b(19\d\d|20[0-4]\d)\b|"
    r"\b(artikel|art\.|pagina|pagina's|p\.|hoofdstuk|bijlage|article|page|chapter|segment)"
    r" \d+(-\d+)?",
    re.IGNORECASE,
)


def asks_quantity(question: str) -> bool:
    """Whether the question asks for a number (count, frequency, duration, price)."""
    return bool(QUANTITY.search(question))


def has_amount(passage: str) -> bool:
    """Whether a passage states a number (in digits or in words; not a date or reference)."""
    return bool(AMOUNT.search(NOT_AMOUNT.sub(" ", passage)))


def quantity_missing(question: str, passage: str) -> bool:
    """A question asking for a number, answered by a passage that states none."""
    return asks_quantity(question) and not has_amount(passage)


# Question forms and the sentences that have the shape of their answer. Ranking gives a
# sentence of the asked shape a small bonus (``cue_bonus``): among near ties on the topic,
# the one that can answer comes first.
CUES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # "Why …?" is answered by a sentence that gives a reason.
    "reason": (
        re.compile(r"\b(waarom|why)\b", re.IGNORECASE),
        re.compile(
            r"\b(omdat|doordat|daardoor|vanwege|daarom|want|reden|oorzaak|leidt tot|zodat)\b",
            re.IGNORECASE,
        ),
    ),
}


def cue_matches(question: str) -> list[str]:
    """The cues (answer shapes) a question asks for."""
    return [name for name, (asks, _) in CUES.items() if asks.search(question)]


def has_shape(cue: str, sentence: str) -> bool:
    """Whether a sentence has the shape of answer the cue asks for."""
    return bool(CUES[cue][1].search(sentence))
