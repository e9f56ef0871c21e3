"""HTML for answers in the chat: the short answer, then one card per quoted passage.

The short answer comes first; each [n] in it is a link to its passage's section with a
preview (quote, document, section) on hover and focus. Each card says how strongly it
answers in words (sterk / gedeeltelijk), shows document, publisher, date and section, and
has a copy button whose text is a citation policy staff can paste: the quote, title,
publisher, date, section and a link that works elsewhere (the document's public URL, with
a text fragment where that page is the same text, and the app's link under the configured
public URL). Identical quotes from several documents are one card listing each source.

Every string from the corpus or the user is HTML-escaped here, so a question holding
``<script>`` shows as text. Labels follow the answer's language. Not here: the app.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote as url_quote

from kernwijzer import messages
from kernwijzer.answer.compose import Answer, Citation
from kernwijzer.text.structure import CELL, Mark
from kernwijzer.web.inline import Decoration, render

EXPANDED = 3  # passages shown open under an answer; the rest fold under "Meer passages"
TIP_CHARS = 220  # characters of the quote in a citation chip's preview


def labels(language: str) -> dict[str, str]:
    """UI labels in the answer's language (Dutch by default)."""
    return messages.words(messages.CARD, language)


def _quote_html(c: Citation) -> str:
    """The quote with its answering sentence emphasised and its cells' columns labelled."""
    cells = tuple(
        Mark(int(str(x["start"])), int(str(x["end"])), CELL, str(x["column"]))
        for x in c.table_cells
    )
    focus = (c.focus_start, c.focus_end) if c.start <= c.focus_start < c.focus_end else None
    return render(c.quote, c.start, Decoration(focus=focus, marks=cells)).replace("\n", "<br>")


def _notes_html(c: Citation, language: str) -> str:
    if not c.notes:
        return ""
    items = "".join(
        f"<li><sup>{html.escape(str(n['number']))}</sup> {html.escape(str(n['text']))}</li>"
        for n in c.notes
    )
    return f'<ol class="kw-notes" aria-label="{labels(language)["notes"]}">{items}</ol>'


def text_fragment(sentence: str) -> str:
    """A URL text fragment (``#:~:text=``) that finds ``sentence`` on its web page.

    Long sentences are given by their first and last words (``start,end``), as the
    fragment syntax allows; "-", "," and "&" are percent-encoded as it requires.
    """
    words = sentence.split()

    def enc(part: list[str]) -> str:
        return url_quote(" ".join(part), safe="").replace("-", "%2D")

    if len(words) <= 8:
        return f"#:~:text={enc(words)}"
    return f"#:~:text={enc(words[:4])},{enc(words[-4:])}"


def public_links(c: Citation, public_url: str | None, same_text: bool) -> list[str]:
    """Links to the quote that work outside this machine (may be empty)."""
    links = []
    if c.source_url:
        focus = c.quote[c.focus_start - c.start : c.focus_end - c.start].strip()
        fragment = text_fragment(focus) if same_text and focus else ""
        links.append(f"{c.source_url}{fragment}")
    if public_url:
        links.append(f"{public_url.rstrip('/')}{c.link}")
    return links


def publisher_label(c: Citation, lab: dict[str, str]) -> str:
    """Who published the quote: the publisher, or what is known of them."""
    return c.publisher or (lab["insurer"] if c.insurer else lab["unknown"])


def section_label(title: str, section: str) -> str:
    """The section path for a citation: without a leading repeat of the document title."""
    for sep in (" › ", ": "):
        if section.startswith(title + sep):
            return section[len(title) + len(sep) :]
    return "" if section.strip() == title.strip() else section


def _sentence(*parts: str) -> str:
    # One full stop at the end, not a second one after "?", "!" or ".".
    text = ", ".join(p for p in parts if p)
    return text if text.endswith((".", "?", "!")) else f"{text}."


def citation_text(
    c: Citation, public_url: str | None = None, same_text: bool = False, language: str = "nl"
) -> str:
    """A plain-text citation policy staff can paste into a memo.

    The quote, then publisher, title, date/version and section, then the footnotes the
    quote refers to and links that work elsewhere. What the source does not say is said
    ("uitgever onbekend", "datum onbekend", "geen openbare link bekend"), so the copy never
    looks complete where it is not.
    """
    words = labels(language)
    who = publisher_label(c, words)
    when = c.edition or words["date_unknown"]
    lines = [
        f"“{c.quote.strip()}”",
        "— " + _sentence(who, f"{c.doc_title} ({when})", section_label(c.doc_title, c.section)),
    ]
    lines += [f"{n['number']}. {n['text']}" for n in c.notes]
    lines += public_links(c, public_url, same_text) or [words["no_link"]]
    for other in c.also_in:
        title = str(other["doc_title"])
        lines.append(
            f"— {words['also_in']}: "
            + _sentence(
                str(other.get("publisher") or words["unknown"]),
                title,
                section_label(title, str(other["section"])),
            )
        )
    return "\n".join(lines)


def _copy_button(text: str, label: str, copied: str) -> str:
    # The click is handled by the page script (ui.PAGE_JS): the chat's sanitiser strips
    # inline handlers and data attributes, so the text to copy and the confirmation ride
    # along in hidden spans.
    return (
        f'<span class="kw-copy"><button type="button" class="kw-copy-btn">{label}</button>'
        f'<span class="kw-cite">{html.escape(text)}</span>'
        f'<span class="kw-cite-done">{html.escape(copied)}</span></span>'
    )


def _rate_buttons(rating: int, lab: dict[str, str]) -> str:
    # Beside the short answer, where it is judged, not after the cards. The thumbs are drawn
    # by the page's CSS (no emoji font needed, nothing fetched). The page script
    # (ui.PAGE_JS) sends the message number in the hidden span with the rating; data
    # attributes would not survive the chat's sanitiser.
    return (
        f'<span class="kw-rate"><span class="kw-rate-id">{rating}</span>'
        f'<button type="button" class="kw-rate-btn kw-up" aria-label="{lab["good"]}" '
        f'title="{lab["good"]}" aria-pressed="false"></button>'
        f'<button type="button" class="kw-rate-btn kw-down" aria-label="{lab["bad"]}" '
        f'title="{lab["bad"]}" aria-pressed="false"></button>'
        f'<span class="kw-rate-done">{lab["rated"]}</span></span>'
    )


def _source_line(c: Citation, lab: dict[str, str]) -> str:
    who = html.escape(publisher_label(c, lab))
    when = html.escape(c.edition) if c.edition else lab["no_date"]
    return (
        f"<div><em>{html.escape(c.doc_title)}</em> — {who} · "
        f'<span class="kw-date">{lab["date"]}: {when}</span></div>'
    )


def card(c: Citation, language: str, public_url: str | None = None, same_text: bool = False) -> str:
    """One passage card."""
    lab = labels(language)
    links = f'<a href="{html.escape(c.link)}" target="_blank">{lab["open"]}</a>'
    if c.source_url:
        url = html.escape(c.source_url)
        links += (
            f' · <a href="{url}" target="_blank" rel="noopener noreferrer">{lab["original"]}</a>'
        )
    also = ""
    if c.also_in:
        items = "".join(
            f'<li><a href="{html.escape(str(o["link"]))}" target="_blank">'
            f"{html.escape(str(o['doc_title']))}</a> — "
            f"{html.escape(str(o.get('publisher') or lab['unknown']))} · "
            f"{html.escape(str(o['section']))}</li>"
            for o in c.also_in
        )
        also = f'<div class="kw-also">{lab["also"]}:<ul>{items}</ul></div>'
    copy = _copy_button(
        citation_text(c, public_url, same_text, language), lab["copy"], lab["copied"]
    )
    strength = f'<span class="kw-strength kw-{c.strength}">{lab["match"]}: {lab[c.strength]}</span>'
    return (
        f'<div class="kw-card" id="kw-c{c.rank}">{strength}'
        f"<blockquote>[{c.rank}] {_quote_html(c)}</blockquote>{_notes_html(c, language)}"
        f"{_source_line(c, lab)}"
        f'<div class="kw-path">{html.escape(c.section)}</div>{also}'
        f'<div class="kw-actions">{links} · {copy}</div></div>'
    )


def _with_chips(answer: Answer, language: str) -> str:
    """The short answer, escaped, with each [n] a link with a preview of its passage.

    A refusal or "no passages" is said in the page's ``language``; quotes are the sources'.
    """
    lab = labels(language)
    said = messages.words(messages.ANSWER, language)
    if answer.abstained:
        return html.escape(said["abstain_scoped" if answer.documents is not None else "abstain"])
    if not answer.citations:
        return html.escape(said["none"])
    by_rank = {c.rank: c for c in answer.citations}

    def chip(m: re.Match[str]) -> str:
        c = by_rank.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        focus = c.quote[c.focus_start - c.start : c.focus_end - c.start].strip()
        preview = focus or c.quote.strip()
        if len(preview) > TIP_CHARS:
            preview = preview[:TIP_CHARS].rsplit(" ", 1)[0] + " …"
        name = f"{lab['source_n']} {c.rank}: {c.doc_title}, {c.section}"
        return (
            f'<a class="kw-ref" href="{html.escape(c.link)}" target="_blank" '
            f'aria-label="{html.escape(name, quote=True)}">[{c.rank}]'
            f'<span class="kw-tip" aria-hidden="true"><q>{html.escape(preview)}</q> '
            f"<em>{html.escape(c.doc_title)}</em> · {html.escape(c.section)}</span></a>"
        )

    text, note = answer.answer, ""
    if answer.status == "partial":
        # Said in the page's language, on a line of its own; the quotes follow as usual.
        own = messages.words(messages.ANSWER, answer.language)["partial"]
        text = text.removeprefix(own).lstrip("\n")
        note = f'<strong class="kw-partial">{html.escape(said["partial"])}</strong><br>'
    escaped = html.escape(text).replace("\n", "<br>")
    return note + re.sub(r"\[(\d+)\]", chip, escaped)


def _folded(summary: str, cards: list[str]) -> str:
    return f'<details class="kw-more"><summary>{summary}</summary>{"".join(cards)}</details>'


def answer_text(
    answer: Answer, public_url: str | None, same_text: set[str], language: str = "nl"
) -> str:
    """The short answer with every cited source, as plain text to paste."""
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    parts = [answer.answer]
    for c in answer.citations:
        if c.rank in cited:
            parts.append(
                f"[{c.rank}] " + citation_text(c, public_url, c.doc_id in same_text, language)
            )
    return "\n\n".join(parts)


def answer_html(
    answer: Answer,
    shown: int | None = None,
    searched: list[str] | None = None,
    *,
    public_url: str | None = None,
    same_text: set[str] | None = None,
    related: list[str] | None = None,
    language: str | None = None,
    rating: int | None = None,
    note: str | None = None,
) -> str:
    """The chat reply: the short answer first, then the strongest passages, the rest folded.

    A refusal shows its message first and folds every nearest passage under a summary
    that says they are no answer, so none of them reads as one. ``searched`` names the
    sources a filter limited the search to; ``same_text`` the documents whose public page
    is the same text (a copied link may then carry a text fragment); ``related`` the
    "Zie ook" questions; ``language`` the page's language (default: the answer's), which
    every label follows; ``rating`` the chat message number that 👍/👎 beside the short
    answer rate (None: no buttons); ``note`` a line shown above the answer. The glossary's
    expansion terms stay in the JSON.
    """
    language = language or answer.language
    lab = labels(language)
    same = same_text or set()
    parts = [f'<p class="kw-note">{html.escape(note)}</p>'] if note else []
    parts.append(f'<p class="kw-answer" tabindex="-1">{_with_chips(answer, language)}</p>')
    actions = []
    if not answer.abstained and answer.citations:
        text = answer_text(answer, public_url, same, language)
        actions.append(_copy_button(text, lab["copy_answer"], lab["copied"]))
    if rating is not None:
        actions.append(_rate_buttons(rating, lab))
    if actions:
        parts.append(f'<div class="kw-actions">{"".join(actions)}</div>')
    if searched:
        names = "; ".join(html.escape(name) for name in searched)
        parts.append(f'<p class="kw-scope"><small>{lab["scope"]}: {names}</small></p>')
    citations = answer.citations if shown is None else answer.citations[:shown]
    cards = [card(c, language, public_url, c.doc_id in same) for c in citations]
    if cards and answer.abstained:
        parts.append(_folded(f"{lab['nearest']} ({len(cards)})", cards))
    elif cards:
        parts.append(f'<h2 class="kw-h">{lab["sources"]}</h2>')
        parts.extend(cards[:EXPANDED])
        if len(cards) > EXPANDED:
            parts.append(_folded(f"{lab['more']} ({len(cards) - EXPANDED})", cards[EXPANDED:]))
    if related:
        buttons = "".join(
            f'<button type="button" class="kw-next">{html.escape(q)}</button>' for q in related
        )
        parts.append(
            f'<div class="kw-related"><h2 class="kw-h">{lab["see_also"]}</h2>{buttons}</div>'
        )
    return "\n".join(parts)


def with_citations(
    answer: Answer, public_url: str | None, same_text: set[str], language: str | None = None
) -> dict[str, object]:
    """The answer's JSON with the texts "Kopieer citaat" and "Kopieer antwoord" copy.

    Each citation gets ``citation`` (memo-ready, as ``citation_text``) and the answer
    ``citation`` (as ``answer_text``), in ``language`` (default: the answer's).
    """
    language = language or answer.language
    data = answer.to_dict()
    entries: list[dict[str, object]] = data["citations"]  # type: ignore[assignment]
    for c, entry in zip(answer.citations, entries, strict=True):
        entry["citation"] = citation_text(c, public_url, c.doc_id in same_text, language)
    data["citation"] = answer_text(answer, public_url, same_text, language)
    return data
