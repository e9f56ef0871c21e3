"""The app's own words, in Dutch (the default) and English: one language at a time.

Labels of passage cards are in ``cards.LABELS``; these are the page's: title, controls,
messages. Not here: layout (``web/app.py``).
"""

from __future__ import annotations

LANGUAGES = (("Nederlands", "nl"), ("English", "en"))
TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Kernwijzer — huisartsenzorg uit de bronnen",
        "intro": "Antwoorden uit de bronnen over huisartsenzorg, letterlijk geciteerd.",
        "language": "Taal",
        "chat": "Gesprek",
        "placeholder_chat": "Stel een vraag over huisartsenzorg — in het Nederlands of Engels.",
        "question": "Vraag",
        "placeholder": "Bijv. Mag een PA de huisarts vervangen?",
        "ask": "Vraag",
        "new": "Nieuw gesprek",
        "examples": "Voorbeeldvragen",
        "filter": "Filter op bron (leeg = alle bronnen)",
        "all": "Toon alle passages",
        "about": "Over de bronnen",
        "note": "Toelichting bij uw beoordeling (optioneel, geen persoonsgegevens)",
        "send_note": "Verstuur toelichting",
        "rated": "Bedankt, uw beoordeling is opgeslagen (alleen op deze computer). Wilt u "
        "toelichten wat er klopt, niet klopt of ontbreekt? Dat mag hieronder.",
        "noted": "Bedankt, uw toelichting is opgeslagen.",
        "not_stored": "De beoordeling kon niet worden opgeslagen.",
        "close": "Sluiten",
        "to_answer": "Naar het laatste antwoord",
        "same_passage": "Dezelfde passage als hierboven beantwoordt ook deze vraag; onder "
        "Bronnen staat wat de bronnen verder zeggen.",
        "loading": "Kernwijzer is nog bezig met laden. Uw vraag staat nog in het vak: "
        "probeer het over een paar seconden opnieuw.",
        "count": "{n} / {limit} tekens",
        "too_long": "{n} / {limit} tekens — te lang: maak de vraag korter om hem te kunnen "
        "stellen.",
        "th_doc": "Document",
        "th_publisher": "Uitgever",
        "th_kind": "Soort",
        "th_date": "Datum/versie",
        "unknown": "onbekend",
        "replaced_by": "vervangen door",
        "group_beroepsgroep": "LHV / NHG",
        "group_verzekeraar": "Verzekeraars",
        "group_other": "Overig",
    },
    "en": {
        "title": "Kernwijzer — general practice from the sources",
        "intro": "Answers about Dutch general practice from the sources, quoted word for word.",
        "language": "Language",
        "chat": "Conversation",
        "placeholder_chat": "Ask a question about general practice — in Dutch or English.",
        "question": "Question",
        "placeholder": "E.g. May a PA replace a GP?",
        "ask": "Ask",
        "new": "New conversation",
        "examples": "Example questions",
        "filter": "Filter by source (empty = all sources)",
        "all": "Show all passages",
        "about": "About the sources",
        "note": "Comment on your rating (optional, no personal data)",
        "send_note": "Send comment",
        "rated": "Thank you, your rating is stored (on this computer only). Would you like "
        "to say what is right, wrong or missing? You can below.",
        "noted": "Thank you, your comment is stored.",
        "not_stored": "The rating could not be stored.",
        "close": "Close",
        "to_answer": "Go to the latest answer",
        "same_passage": "The same passage as above also answers this question; under "
        "Sources is what else the sources say.",
        "loading": "Kernwijzer is still loading. Your question is still in the box: "
        "please try again in a few seconds.",
        "count": "{n} / {limit} characters",
        "too_long": "{n} / {limit} characters — too long: shorten the question to ask it.",
        "th_doc": "Document",
        "th_publisher": "Publisher",
        "th_kind": "Kind",
        "th_date": "Date/version",
        "unknown": "unknown",
        "replaced_by": "replaced by",
        "group_beroepsgroep": "LHV / NHG",
        "group_verzekeraar": "Insurers",
        "group_other": "Other",
    },
}
EXAMPLES = {
    "nl": [
        "Mag een PA de huisarts vervangen?",
        "Hoeveel patiënten heeft een normpraktijk?",
        "Wat betekent urgentie U3?",
        "Heb ik toestemming van de verzekeraar nodig voor huisartsenzorg?",
    ],
    "en": [
        "May a PA replace a GP?",
        "How many patients does a standard practice have?",
        "What does urgency U3 mean?",
        "Do I need the insurer's permission for GP care?",
    ],
}


def text(language: str, key: str, **values: object) -> str:
    """The page's text ``key`` in ``language`` (Dutch when unknown)."""
    words = TEXTS.get(language, TEXTS["nl"])[key]
    return words.format(**values) if values else words
