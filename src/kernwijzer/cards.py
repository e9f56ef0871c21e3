"""HTML for answers in the chat: the short answer, then one card per quoted passage.

Every string from the corpus or the user is HTML-escaped here, so a question holding
``<script>`` shows as text. Labels follow the answer's language. Not here: the app.
"""

from __future__ import annotations

import html

from kernwijzer.answer import Answer, Citation
from kernwijzer.inline import Decoration, render
from kernwijzer.structure import CELL, Mark

LABELS = {
    "nl": {
        "open": "open in bron",
        "original": "origineel",
        "nearest": "Dichtstbijzijnde passages — geen antwoord",
        "sources": "Bronnen",
        "unknown": "uitgever onbekend",
        "copy": "Kopieer citaat",
        "more": "Meer passages",
        "scope": "Gezocht in",
    },
    "en": {
        "open": "open in source",
        "original": "original",
        "nearest": "Nearest passages — not an answer",
        "sources": "Sources",
        "unknown": "publisher unknown",
        "copy": "Copy citation",
        "more": "More passages",
        "scope": "Searched in",
    },
}


def labels(language: str) -> dict[str, str]:
    """UI labels in the answer's language (Dutch by default)."""
    return LABELS.get(language, LABELS["nl"])


def _quote_html(c: Citation) -> str:
    """The quote with its answering sentence emphasised and its cells' columns labelled."""
    cells = tuple(
        Mark(int(str(x["start"])), int(str(x["end"])), CELL, str(x["column"]))
        for x in c.table_cells
    )
    focus = (c.focus_start, c.focus_end) if c.start <= c.focus_start < c.focus_end else None
    return render(c.quote, c.start, Decoration(focus=focus, marks=cells)).replace("\n", "<br>")


def _notes_html(c: Citation) -> str:
    if not c.notes:
        return ""
    items = "".join(
        f"<li><sup>{html.escape(str(n['number']))}</sup> {html.escape(str(n['text']))}</li>"
        for n in c.notes
    )
    return f'<ol class="kw-notes">{items}</ol>'


def citation_text(c: Citation, base_url: str = "") -> str:
    """A plain-text citation policy staff can paste: quote, title, section, link."""
    who = f"{c.publisher}, " if c.publisher else ""
    notes = "".join(f"\n{n['number']}. {n['text']}" for n in c.notes)
    return f"“{c.quote.strip()}” — {who}{c.doc_title}, {c.section}. {base_url}{c.link}{notes}"


def card(c: Citation, language: str) -> str:
    """One passage card."""
    lab = labels(language)
    publisher = html.escape(c.publisher) if c.publisher else lab["unknown"]
    links = f'<a href="{html.escape(c.link)}" target="_blank">{lab["open"]}</a>'
    if c.source_url:
        url = html.escape(c.source_url)
        links += (
            f' · <a href="{url}" target="_blank" rel="noopener noreferrer">{lab["original"]}</a>'
        )
    return (
        f'<div class="kw-card"><blockquote>[{c.rank}] {_quote_html(c)}</blockquote>{_notes_html(c)}'
        f"<div><em>{html.escape(c.doc_title)}</em> — {publisher}</div>"
        f'<div class="kw-path">{html.escape(c.section)}</div><div>{links}</div></div>'
    )


EXPANDED = 3  # passages shown open under an answer; the rest fold under "Meer passages"


def _folded(summary: str, cards: list[str]) -> str:
    return f'<details class="kw-more"><summary>{summary}</summary>{"".join(cards)}</details>'


def answer_html(answer: Answer, shown: int | None = None, searched: list[str] | None = None) -> str:
    """The chat reply: the short answer first, then the strongest passages, the rest folded.

    A refusal shows its message first and folds every nearest passage under a summary
    that says they are no answer, so none of them reads as one. ``searched`` names the
    sources a filter limited the search to. The glossary's expansion terms stay in the
    JSON: they are how retrieval works, not something a reader needs.
    """
    lab = labels(answer.language)
    parts = [f'<p class="kw-answer">{html.escape(answer.answer).replace(chr(10), "<br>")}</p>']
    if searched:
        names = "; ".join(html.escape(name) for name in searched)
        parts.append(f'<p class="kw-scope"><small>{lab["scope"]}: {names}</small></p>')
    citations = answer.citations if shown is None else answer.citations[:shown]
    cards = [card(c, answer.language) for c in citations]
    if cards and answer.abstained:
        parts.append(_folded(f"{lab['nearest']} ({len(cards)})", cards))
    elif cards:
        parts.append(f"<h4>{lab['sources']}</h4>")
        parts.extend(cards[:EXPANDED])
        if len(cards) > EXPANDED:
            parts.append(_folded(f"{lab['more']} ({len(cards) - EXPANDED})", cards[EXPANDED:]))
    return "\n".join(parts)


def copy_panel(answer: Answer | None, base_url: str) -> str:
    """The policy-staff panel: every citation with a copy button."""
    if answer is None or not answer.citations:
        return ""
    lab = labels(answer.language)
    rows = []
    for c in answer.citations:
        text = citation_text(c, base_url)
        rows.append(
            f'<div class="kw-copy"><textarea readonly rows="3">{html.escape(text)}</textarea>'
            f'<button type="button" data-cite="{html.escape(text, quote=True)}" '
            'onclick="navigator.clipboard.writeText(this.dataset.cite)">'
            f"{lab['copy']} [{c.rank}]</button></div>"
        )
    return "".join(rows)
