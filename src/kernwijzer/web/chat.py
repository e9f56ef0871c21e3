"""The chat page: a Gradio Blocks app, its layout, wiring and scripts.

Layout and wiring only; a turn and a rating are ``turn.py``, HTML comes from ``cards.py``, the
page's script and style from ``static/``. Analytics are off, the theme uses system fonts
(no font CDN), and questions are queued so concurrent users wait rather than fail.
Not here: the HTTP app around it, its routes and its guards (``app.py``, ``security.py``).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from functools import partial
from importlib import resources
from typing import Any
from urllib.parse import quote as url_quote

import gradio as gr

from kernwijzer.answer.links import document_link
from kernwijzer.config import Settings
from kernwijzer.ingest.catalogue import archived_sources
from kernwijzer.ingest.corpus import CorpusError
from kernwijzer.messages import EXAMPLES, LANGUAGES, PAGE, text
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.web.feedback import FEEDBACK_FILE, FeedbackError, FeedbackStore
from kernwijzer.web.turn import rate, respond

log = logging.getLogger(__name__)


def static(name: str, keep_newline: bool = False) -> str:
    """A file of ``web/static/`` (the page's script and style) as text.

    Its final newline belongs to the file, not to the script, unless ``keep_newline``.
    """
    text = resources.files("kernwijzer.web").joinpath("static", name).read_text("utf-8")
    return text if keep_newline else text.removesuffix("\n")


# After Gradio has rendered the reply (next frames), put the user's question at the top of
# the chat box and of the window, the reply's short answer and first quote right below it:
# the question stays in sight, and the short answer is what a GP reads first.
SCROLL_TO_REPLY = static("scroll-to-reply.js")
# The page's own script, in <head>: the chat strips inline handlers from replies, so clicks
# on their copy and "Zie ook" buttons are handled here, by delegation. Copying falls back
# to a hidden text area where the Clipboard API is missing (a plain-http address).
PAGE_JS = "<script>\n" + static("page.js", keep_newline=True) + "</script>"
PANE = """<div id="kw-pane" class="kw-pane" hidden>
<div class="kw-pane-bar"><div class="kw-pane-name"><strong id="kw-pane-title">Bron</strong>
<span id="kw-pane-section"></span></div>
<a id="kw-pane-open" href="/" target="_blank">open in nieuw tabblad</a>
<button type="button" id="kw-pane-close" aria-label="Sluit de bron">✕</button></div>
<iframe id="kw-pane-frame" title="Bron naast het gesprek"></iframe></div>"""
# After a 👍/👎: the comment box (fixed at the foot of the window) takes the focus.
FOCUS_NOTE = static("focus-note.js")
# After a language switch: the page's language, title and Gradio's icon names follow it.
SET_LANGUAGE = static("set-language.js")
CSS = (
    "\n"
    + static("chat.css", keep_newline=True)
    + (
        # A thumb outline (Feather's "thumbs-up", MIT) as a CSS mask: drawn in the text colour,
        # with no emoji font needed and nothing fetched.
        '.kw-rate-btn{--kw-thumb:url("data:image/svg+xml,'
        + url_quote(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' "
            "stroke='black' stroke-width='2' stroke-linejoin='round'><path d='M14 9V5a3 3 0 0 "
            "0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 "
            "2 0 0 1 2-2h3'/></svg>",
            safe=" '=/:.-",
        )
        + '")}'
    )
)


def about_sources(kw: Kernwijzer, language: str = "nl") -> str:
    """Markdown listing the documents with publisher and date/version."""
    t = partial(text, language)
    unknown = t("unknown")
    lines = [
        f"| {t('th_doc')} | {t('th_publisher')} | {t('th_kind')} | {t('th_date')} |",
        "|---|---|---|---|",
    ]
    documents = kw.snapshot.documents
    for doc in documents.values():
        i = doc.info
        title = f"[{i.title}]({document_link(i.id)})"
        lines.append(
            f"| {title} | {i.publisher or unknown} | {i.kind or ''} | {i.edition or unknown} |"
        )
    try:
        archived = archived_sources(kw.settings.corpus.corpus_dir)
    except CorpusError:
        archived = []  # the index answers; a damaged archive list only hides old editions
    for i in archived:
        # Earlier editions stay listed (their old links still open), marked as replaced.
        newer = documents.get(i.superseded_by or "")
        by = f"[{newer.info.title}]({document_link(newer.info.id)})" if newer else i.superseded_by
        title = f"~~[{i.title}]({document_link(i.id)})~~ — {t('replaced_by')} {by}"
        lines.append(
            f"| {title} | {i.publisher or unknown} | {i.kind or ''} | {i.edition or unknown} |"
        )
    return "\n".join(lines)


def _source_choices(kw: Kernwijzer, language: str = "nl") -> list[tuple[str, str]]:
    def group(name: str | None) -> str:
        key = f"group_{name}"
        return text(language, key if key in PAGE["nl"] else "group_other")

    return [
        (f"{group(d.info.group)}: {d.info.title}", d.info.id)
        for d in kw.snapshot.documents.values()
    ]


def count_label(question: str, limit: int, language: str = "nl") -> str:
    """The character counter under the question box, with a clear message at the limit."""
    n = len(question or "")
    if n > limit:
        message = text(language, "too_long", n=n, limit=limit)
        return f'<span class="kw-over" role="alert">{message}</span>'
    return text(language, "count", n=n, limit=limit)


@dataclass
class _Page:
    """The page's components, made by `_layout` and wired by the ``_wire_*`` functions."""

    header: gr.HTML
    language: gr.Radio
    turns: gr.State
    answers: gr.State
    rated: gr.State
    chat: gr.Chatbot
    question: gr.Textbox
    counter: gr.HTML
    ask: gr.Button
    skip: gr.HTML
    new: gr.Button
    note_box: gr.Group
    thanks: gr.Markdown
    note: gr.Textbox
    send_note: gr.Button
    close_note: gr.Button
    examples_head: gr.Markdown
    chips: list[gr.Button]
    sources: gr.CheckboxGroup
    show_all: gr.Checkbox
    about: gr.Accordion
    about_table: gr.Markdown
    rate_box: gr.Textbox
    rate_send: gr.Button

    @property
    def ask_inputs(self) -> list[Any]:
        """What a question is answered from (the question first)."""
        return [
            self.question,
            self.chat,
            self.turns,
            self.sources,
            self.show_all,
            self.answers,
            self.language,
        ]

    @property
    def ask_outputs(self) -> list[Any]:
        """What an answer changes."""
        return [self.chat, self.turns, self.question, self.answers]


def build_blocks(kw: Kernwijzer, settings: Settings) -> gr.Blocks:
    """The Gradio interface; Dutch until the user picks English."""
    limit = settings.retrieval.max_question_chars
    with gr.Blocks(title=text("nl", "title"), analytics_enabled=False) as demo:
        page = _layout(kw, limit)
        _wire_asking(page, kw, settings.app.public_url, limit)
        _wire_feedback(page, FeedbackStore(settings.app.data_dir / FEEDBACK_FILE), kw)
        _wire_language(page, kw, limit)
        _wire_reset(page)
    demo.queue(default_concurrency_limit=4, max_size=64)
    return demo


def _layout(kw: Kernwijzer, limit: int) -> _Page:
    """The page's components in their places (inside the open ``gr.Blocks``)."""
    t = partial(text, "nl")
    with gr.Row(elem_id="kw-head"):
        header = gr.HTML(_header("nl"), elem_id="kw-title")
        language = gr.Radio(
            list(LANGUAGES),
            value="nl",
            label=t("language"),
            elem_id="kw-lang",
            scale=0,
            min_width=0,
        )
    turns = gr.State([])
    answers = gr.State([])
    rated = gr.State(None)
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(
                elem_id="kw-chat",
                height=560,
                label=t("chat"),
                sanitize_html=True,
                render_markdown=False,
                # The answer comes first: after a reply, its start is scrolled into view
                # (SCROLL_TO_REPLY), not the bottom of its passages.
                autoscroll=False,
                # No share or raw-HTML copy icons: every card has its own copy button.
                buttons=[],
                # 👍/👎 sit beside each short answer (cards.answer_html), not after the
                # last card where Gradio puts its own.
                feedback_options=None,
                placeholder=t("placeholder_chat"),
            )
            question = gr.Textbox(
                elem_id="kw-question",
                label=t("question"),
                lines=1,
                placeholder=t("placeholder"),
            )
            counter = gr.HTML(count_label("", limit), elem_id="kw-count")
            with gr.Row():
                ask = gr.Button(t("ask"), variant="primary", elem_id="kw-ask", interactive=False)
                # Box → ask → this link → the latest answer → its chips: a keyboard
                # user reaches the answer without crossing the examples and filters.
                skip = gr.HTML(_skip_link("nl"), elem_id="kw-skip-box", padding=False)
                new = gr.Button(t("new"), elem_id="kw-new")
            # In view wherever the rated answer is: fixed at the foot of the window.
            with gr.Group(visible=False, elem_id="kw-note-box") as note_box:
                thanks = gr.Markdown(elem_id="kw-thanks")
                note = gr.Textbox(label=t("note"), elem_id="kw-note", lines=2, max_lines=6)
                with gr.Row():
                    send_note = gr.Button(t("send_note"), elem_id="kw-send-note")
                    close_note = gr.Button(t("close"), elem_id="kw-close-note")
            examples_head = gr.Markdown(t("examples"))
            with gr.Row(elem_id="kw-examples"):
                chips = [gr.Button(ex, size="sm", elem_classes="kw-chip") for ex in EXAMPLES["nl"]]
        with gr.Column(scale=2):
            # The source beside the chat: a citation chip opens its section here (on a
            # phone as a full-screen sheet); PAGE_JS fills and shows it.
            gr.HTML(PANE, elem_id="kw-pane-box", padding=False)
            sources = gr.CheckboxGroup(_source_choices(kw), label=t("filter"), elem_id="kw-sources")
            show_all = gr.Checkbox(label=t("all"), elem_id="kw-all")
            with gr.Accordion(t("about"), open=False) as about:
                about_table = gr.Markdown(about_sources(kw))
            # What the 👍/👎 buttons in a reply send (PAGE_JS fills and clicks these);
            # last in the page so their hidden frames take no room on the first screen.
            rate_box = gr.Textbox(elem_id="kw-rate-box", elem_classes="kw-hidden")
            rate_send = gr.Button("rate", elem_id="kw-rate-send", elem_classes="kw-hidden")
    return _Page(
        header=header,
        language=language,
        turns=turns,
        answers=answers,
        rated=rated,
        chat=chat,
        question=question,
        counter=counter,
        ask=ask,
        skip=skip,
        new=new,
        note_box=note_box,
        thanks=thanks,
        note=note,
        send_note=send_note,
        close_note=close_note,
        examples_head=examples_head,
        chips=chips,
        sources=sources,
        show_all=show_all,
        about=about,
        about_table=about_table,
        rate_box=rate_box,
        rate_send=rate_send,
    )


def _wire_asking(page: _Page, kw: Kernwijzer, public_url: str | None, limit: int) -> None:
    """Asking by the box, the button or an example chip; the counter as the user types."""

    def on_ask(
        message: str,
        history: list[dict[str, Any]],
        state: list[str],
        chosen: list[str],
        everything: bool,
        shown: list[dict[str, Any] | None],
        lang: str,
    ) -> tuple[Any, ...]:
        return respond(kw, message, history, state, chosen, everything, shown, public_url, lang)

    inputs, outputs = page.ask_inputs, page.ask_outputs
    for chip in page.chips:
        # A chip asks its question (its current label) at once.
        chip.click(
            lambda q, h, s, c, e, a, lang: on_ask(q, h, s, c, e, a, lang),
            [chip, *inputs[1:]],
            outputs,
            concurrency_limit=4,
        ).then(None, None, None, js=SCROLL_TO_REPLY)
    page.ask.click(on_ask, inputs, outputs, concurrency_limit=4).then(
        None, None, None, js=SCROLL_TO_REPLY
    )
    page.question.submit(on_ask, inputs, outputs, concurrency_limit=4).then(
        None, None, None, js=SCROLL_TO_REPLY
    )

    # An empty or too long question cannot be sent; the counter says why.
    def on_type(q: str, lang: str) -> tuple[Any, str]:
        sendable = bool(q.strip()) and len(q) <= limit
        return gr.update(interactive=sendable), count_label(q, limit, lang)

    page.question.change(
        on_type,
        [page.question, page.language],
        [page.ask, page.counter],
        queue=False,
        show_progress="hidden",
    )


def _wire_feedback(page: _Page, store: FeedbackStore, kw: Kernwijzer) -> None:
    """👍/👎 on an answer, and the comment box that follows it."""
    build = kw.snapshot.manifest.build_id

    def on_rate(choice: str, shown: list[dict[str, Any] | None], lang: str) -> tuple[Any, ...]:
        rating_id, message = rate(store, build, shown, choice, lang)
        return rating_id, gr.update(visible=bool(message)), message, ""

    page.rate_send.click(
        on_rate,
        [page.rate_box, page.answers, page.language],
        [page.rated, page.note_box, page.thanks, page.note],
    ).then(None, None, None, js=FOCUS_NOTE)
    page.close_note.click(lambda: gr.update(visible=False), None, page.note_box, queue=False)

    def on_note(rating_id: int | None, comment: str, lang: str) -> tuple[Any, ...]:
        if rating_id is not None and comment.strip():
            try:
                store.comment(rating_id, comment)
            except FeedbackError as exc:
                log.error("Feedback comment not stored: %s", exc)
                return gr.update(), text(lang, "not_stored"), comment
        return gr.update(visible=True), text(lang, "noted"), ""

    page.send_note.click(
        on_note, [page.rated, page.note, page.language], [page.note_box, page.thanks, page.note]
    )


def _wire_language(page: _Page, kw: Kernwijzer, limit: int) -> None:
    """The nl/en switch: every label, example and the page's own language."""

    def on_language(lang: str, q: str) -> tuple[Any, ...]:
        w = partial(text, lang)
        return (
            _header(lang),
            gr.update(label=w("language")),
            gr.update(label=w("chat"), placeholder=w("placeholder_chat")),
            gr.update(label=w("question"), placeholder=w("placeholder")),
            count_label(q, limit, lang),
            gr.update(value=w("ask")),
            gr.update(value=w("new")),
            gr.update(label=w("note")),
            gr.update(value=w("send_note")),
            gr.update(value=w("close")),
            _skip_link(lang),
            w("examples"),
            *[gr.update(value=ex) for ex in EXAMPLES[lang]],
            gr.update(label=w("filter"), choices=_source_choices(kw, lang)),
            gr.update(label=w("all")),
            gr.update(label=w("about")),
            about_sources(kw, lang),
        )

    page.language.change(
        on_language,
        [page.language, page.question],
        [
            page.header,
            page.language,
            page.chat,
            page.question,
            page.counter,
            page.ask,
            page.new,
            page.note,
            page.send_note,
            page.close_note,
            page.skip,
            page.examples_head,
            *page.chips,
            page.sources,
            page.show_all,
            page.about,
            page.about_table,
        ],
        queue=False,
    ).then(None, page.language, None, js=SET_LANGUAGE)


def _wire_reset(page: _Page) -> None:
    """One way to start over: chat, follow-up memory, answers, input, filters, feedback."""
    reset = [*page.ask_outputs, page.sources, page.show_all, page.rated, page.note_box]

    def fresh() -> tuple[Any, ...]:
        return [], [], "", [], [], False, None, gr.update(visible=False)

    page.new.click(fresh, None, reset)
    page.chat.clear(fresh, None, reset)


def _skip_link(language: str) -> str:
    return f'<a href="#kw-chat" class="kw-skip">{html.escape(text(language, "to_answer"))}</a>'


def _header(language: str) -> str:
    return (
        f"<h1>Kernwijzer</h1><p>{html.escape(text(language, 'intro'))}</p>"
        '<div id="kw-live" aria-live="polite" style="position:absolute;left:-9999px"></div>'
    )
