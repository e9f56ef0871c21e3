"""Every word Kernwijzer says in the user's language: one catalogue, Dutch and English.

Grouped by where the words appear: the page (``PAGE``: title, controls, messages), its
example questions, the passage cards (``CARD``), the answer's own lines (``ANSWER``), why
a question cannot be asked (``QUESTION``) and the section view (``SOURCE_VIEW``). Dutch is
the default and the fallback. Another language is one more key in each group here (and in
``LANGUAGES``), nothing elsewhere. Still outside it: the three JavaScript word lists of
``web/static/set-language.js`` and the source pane's HTML (``web.chat.PANE``), and the CLI,
which speaks English.
Not here: quotes, which are always the sources' own words in the sources' language.
"""

from __future__ import annotations

LANGUAGES = (("Nederlands", "nl"), ("English", "en"))
PAGE: dict[str, dict[str, str]] = {
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
EXAMPLES: dict[str, list[str]] = {
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
CARD: dict[str, dict[str, str]] = {
    "nl": {
        "open": "open in bron",
        "original": "origineel",
        "nearest": "Dichtstbijzijnde passages — geen antwoord",
        "sources": "Bronnen",
        "unknown": "uitgever onbekend",
        "copy": "Kopieer citaat",
        "copy_answer": "Kopieer antwoord met bronnen",
        "copied": "Gekopieerd",
        "more": "Meer passages",
        "scope": "Gezocht in",
        "date": "datum/versie",
        "no_date": "onbekend",
        "also": "Dezelfde tekst staat ook in",
        "see_also": "Zie ook",
        "strong": "sterk",
        "partial": "gedeeltelijk",
        "none": "geen antwoord",
        "match": "Overeenkomst",
        "source_n": "Bron",
        "notes": "Voetnoten",
        # A copied citation says what the source does not, so it never looks complete
        # where it is not.
        "insurer": "zorgverzekeraar (naam niet in de bron)",
        "date_unknown": "datum onbekend",
        "no_link": "geen openbare link bekend",
        "also_in": "ook in",
        "good": "Goed antwoord",
        "bad": "Fout of onvolledig antwoord",
        "rated": "Beoordeling opgeslagen",
    },
    "en": {
        "open": "open in source",
        "original": "original",
        "nearest": "Nearest passages — not an answer",
        "sources": "Sources",
        "unknown": "publisher unknown",
        "copy": "Copy citation",
        "copy_answer": "Copy answer with sources",
        "copied": "Copied",
        "more": "More passages",
        "scope": "Searched in",
        "date": "date/version",
        "no_date": "unknown",
        "also": "The same text is also in",
        "see_also": "See also",
        "strong": "strong",
        "partial": "partial",
        "none": "not an answer",
        "match": "Match",
        "source_n": "Source",
        "notes": "Footnotes",
        "insurer": "health insurer (name not in the source)",
        "date_unknown": "date unknown",
        "no_link": "no public link known",
        "also_in": "also in",
        "good": "Good answer",
        "bad": "Wrong or incomplete answer",
        "rated": "Rating stored",
    },
}
ANSWER: dict[str, dict[str, str]] = {
    "nl": {
        "abstain": "De bronnen beantwoorden deze vraag niet. Hieronder staan de passages die er "
        "het dichtst bij komen; zij zijn geen antwoord.",
        "abstain_scoped": "De gekozen bron(nen) beantwoorden deze vraag niet. Hieronder staan "
        "de passages daaruit die er het dichtst bij komen; zij zijn geen antwoord.",
        "none": "Geen passages gevonden.",
        "partial": "De bronnen gaan hierover, maar noemen mogelijk niet precies wat u vraagt.",
    },
    "en": {
        "abstain": "The sources do not answer this question. Below are the nearest passages; "
        "they are not an answer.",
        "abstain_scoped": "The chosen source(s) do not answer this question. Below are their "
        "nearest passages; they are not an answer.",
        "none": "No passages found.",
        "partial": "The sources discuss this, but may not state exactly what you ask.",
    },
}
QUESTION: dict[str, dict[str, str]] = {
    "nl": {
        "not_text": "De vraag moet tekst zijn.",
        "not_utf8": "De vraag bevat tekens die geen geldige UTF-8-tekst zijn.",
        "empty": "De vraag is leeg.",
        "too_long": "De vraag is te lang: {n} tekens, maximaal {limit}.",
        "dangling": "„{text}” lijkt een vervolgvraag, maar er is nog geen eerdere vraag in dit "
        "gesprek. Stel de hele vraag, met waar hij over gaat.",
        "no_words": "De vraag bevat geen woorden om op te zoeken.",
    },
    "en": {
        "not_text": "The question must be text.",
        "not_utf8": "The question contains bytes that are not valid UTF-8 text.",
        "empty": "The question is empty.",
        "too_long": "The question is {n} characters; the limit is {limit}.",
        "dangling": "“{text}” reads as a follow-up, but there is no earlier question in this "
        "conversation. Please ask the whole question, saying what it is about.",
        "no_words": "The question has no words to search for.",
    },
}

# The section view's (``/bron/``) words follow the chat's language (``?lang=en``); the
# quoted text never does.
SOURCE_VIEW: dict[str, dict[str, str]] = {
    "nl": {
        "back": "← Kernwijzer",
        "no_url": "geen openbare URL bekend",
        "publisher": "uitgever onbekend",
        "date": "datum/versie",
        "unknown": "onbekend",
        "contents": "Inhoud",
    },
    "en": {
        "back": "← Kernwijzer",
        "no_url": "no public URL known",
        "publisher": "publisher unknown",
        "date": "date/version",
        "unknown": "unknown",
        "contents": "Contents",
    },
}
# sources.yaml describes a document's kind in English; the Dutch page says it in Dutch.
KINDS_NL: dict[str, str] = {
    "web page": "webpagina",
    "PDF brochure": "pdf-brochure",
    "policy document": "beleidsdocument",
    "web page of a Dutch health insurer": "webpagina van een Nederlandse zorgverzekeraar",
    "web page of a Dutch health insurer (name not in the text)": (
        "webpagina van een Nederlandse zorgverzekeraar (naam niet in de tekst)"
    ),
}


def words(group: dict[str, dict[str, str]], language: str) -> dict[str, str]:
    """One group's words in ``language`` (Dutch when the language is unknown)."""
    return group.get(language, group["nl"])


def text(language: str, key: str, **values: object) -> str:
    """The page's text ``key`` in ``language`` (Dutch when unknown)."""
    said = words(PAGE, language)[key]
    return said.format(**values) if values else said
