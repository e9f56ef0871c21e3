"""The browser app: a Gradio chat mounted in FastAPI beside the section view ``/bron/<doc>``.

Layout only; answers come from `Kernwijzer`, HTML from ``cards.py`` and ``sectionview.py``.
Analytics are off, the theme uses system fonts (no font CDN), and questions are queued so
concurrent users wait rather than fail.
"""

from __future__ import annotations

import os

# Before gradio is imported: no usage analytics, no update checks.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("GRADIO_TELEMETRY_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import html
import logging
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from kernwijzer.answer import Answer
from kernwijzer.cards import answer_html, copy_panel
from kernwijzer.config import Settings
from kernwijzer.embedding import Embedder
from kernwijzer.pipeline import Kernwijzer, QuestionError, Turn
from kernwijzer.sectionview import not_found_page, parse_highlight, render_document

log = logging.getLogger(__name__)
EXAMPLES = [
    "Mag een PA de huisarts vervangen?",
    "Hoeveel patiënten heeft een normpraktijk?",
    "Wat betekent urgentie U3?",
    "May a PA replace a GP?",
    "Do I need the insurer's permission for GP care?",
]
# After Gradio has rendered the reply (next frames), put the new reply's first line at the
# top of the chat box and of the window: the short answer is what a GP reads first.
SCROLL_TO_REPLY = """() => {
  const show = () => {
    const rows = document.querySelectorAll('#kw-chat .message-row.bot-row');
    if (rows.length) rows[rows.length - 1].scrollIntoView({block: 'start'});
  };
  requestAnimationFrame(() => requestAnimationFrame(show));
}"""
CSS = """
.kw-card{border:1px solid #d0d7de;border-radius:8px;padding:.5rem .75rem;margin:.5rem 0}
.kw-card blockquote{margin:0 0 .3rem 0;border-left:3px solid #0b5c80;padding-left:.6rem}
.kw-path{color:#57606a;font-size:.85em}
.kw-card mark.focus{background:none;color:inherit;font-weight:700}
.kw-col{font-size:.8em;font-weight:600;color:#4a5562;text-transform:uppercase}
.kw-notes{font-size:.8em;color:#4a5562;margin:.2rem 0 .3rem 1.2rem;padding:0;list-style:none}
.kw-copy textarea{width:100%;font-size:.8rem}
.kw-more summary{cursor:pointer;font-weight:600;margin:.5rem 0}
#kw-chat .message-row{scroll-margin-top:2.5rem}
"""
GROUPS = {"beroepsgroep": "LHV / NHG", "verzekeraar": "Verzekeraars"}


def about_sources(kw: Kernwijzer) -> str:
    """Markdown listing the documents with publisher and date/version."""
    lines = ["| Document | Uitgever | Soort | Datum/versie |", "|---|---|---|---|"]
    for doc in kw.snapshot.documents.values():
        i = doc.info
        title = f"[{i.title}](/bron/{i.id})"
        lines.append(
            f"| {title} | {i.publisher or 'onbekend'} | {i.kind or ''} | {i.date or 'onbekend'} |"
        )
    return "\n".join(lines)


def _source_choices(kw: Kernwijzer) -> list[tuple[str, str]]:
    return [
        (f"{GROUPS.get(d.info.group or '', 'Overig')}: {d.info.title}", d.info.id)
        for d in kw.snapshot.documents.values()
    ]


def respond(
    kw: Kernwijzer,
    message: str,
    chat: list[dict[str, Any]],
    turns: list[str],
    sources: list[str],
    show_all: bool,
    base_url: str,
) -> tuple[list[dict[str, Any]], list[str], str, str]:
    """One chat turn: returns the chat, the conversation state, the copy panel, the input."""
    chat = list(chat or [])
    if not (message or "").strip():
        return chat, turns, gr.skip(), ""  # nothing to send: no empty turn in the chat
    try:
        answer: Answer = kw.answer(
            message,
            history=[Turn(t) for t in turns or []],
            top_k=25 if show_all else None,
            documents=set(sources) if sources else None,
        )
    except QuestionError as exc:
        chat += [
            {"role": "user", "content": html.escape(message or "")},
            {"role": "assistant", "content": html.escape(str(exc))},
        ]
        return chat, turns, "", ""
    searched = None
    if answer.documents is not None:
        docs = kw.snapshot.documents
        searched = [docs[d].info.title for d in answer.documents if d in docs]
    # The chat renders HTML: the user's own text is escaped like everything else.
    chat += [
        {"role": "user", "content": html.escape(answer.question)},
        {"role": "assistant", "content": answer_html(answer, searched=searched)},
    ]
    return chat, [*(turns or []), answer.question], copy_panel(answer, base_url), ""


def build_blocks(kw: Kernwijzer, settings: Settings) -> gr.Blocks:
    """The Gradio interface (layout and wiring only)."""
    base_url = f"http://{settings.host}:{settings.port}"
    with gr.Blocks(title="Kernwijzer", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Kernwijzer\nAntwoorden uit de bronnen over huisartsenzorg, letterlijk geciteerd."
        )
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    elem_id="kw-chat",
                    height=560,
                    label="Kernwijzer",
                    sanitize_html=True,
                    render_markdown=False,
                    # The answer comes first: after a reply, its start is scrolled into view
                    # (SCROLL_TO_REPLY), not the bottom of its passages.
                    autoscroll=False,
                    # No share or raw-HTML copy icons: copying is the citation panel's job.
                    buttons=[],
                    placeholder="Stel een vraag over huisartsenzorg — in het Nederlands of Engels.",
                )
                question = gr.Textbox(
                    elem_id="kw-question",
                    label="Vraag / question",
                    lines=1,
                    placeholder="Bijv. Mag een PA de huisarts vervangen?",
                    max_length=settings.max_question_chars,
                )
                with gr.Row():
                    ask = gr.Button("Vraag", variant="primary", elem_id="kw-ask", interactive=False)
                    new = gr.Button("Nieuw gesprek", elem_id="kw-new")
                gr.Markdown("Voorbeeldvragen / examples")
                with gr.Row(elem_id="kw-examples"):
                    chips = [gr.Button(ex, size="sm", elem_classes="kw-chip") for ex in EXAMPLES]
            with gr.Column(scale=2):
                sources = gr.CheckboxGroup(
                    _source_choices(kw),
                    label="Filter op bron (leeg = alle bronnen)",
                    elem_id="kw-sources",
                )
                show_all = gr.Checkbox(label="Toon alle passages", elem_id="kw-all")
                with gr.Accordion("Citaties kopiëren", open=False):
                    copies = gr.HTML(elem_id="kw-copies")
                with gr.Accordion("Over de bronnen", open=False):
                    gr.Markdown(about_sources(kw))

        def on_ask(
            message: str,
            history: list[dict[str, Any]],
            state: list[str],
            chosen: list[str],
            everything: bool,
        ) -> tuple[Any, ...]:
            return respond(kw, message, history, state, chosen, everything, base_url)

        inputs = [question, chat, turns, sources, show_all]
        outputs = [chat, turns, copies, question]
        for chip, example in zip(chips, EXAMPLES, strict=True):
            # A chip asks its question at once.
            chip.click(
                lambda h, s, c, e, q=example: on_ask(q, h, s, c, e),
                inputs[1:],
                outputs,
                concurrency_limit=4,
            ).then(None, None, None, js=SCROLL_TO_REPLY)
        ask.click(on_ask, inputs, outputs, concurrency_limit=4).then(
            None, None, None, js=SCROLL_TO_REPLY
        )
        question.submit(on_ask, inputs, outputs, concurrency_limit=4).then(
            None, None, None, js=SCROLL_TO_REPLY
        )
        # An empty question cannot be sent: the button waits for text.
        question.change(lambda q: gr.update(interactive=bool(q.strip())), question, ask)
        # One way to start over: chat, follow-up memory, copy panel, input and filters.
        reset = [*outputs, sources, show_all]
        new.click(lambda: ([], [], "", "", [], False), None, reset)
        chat.clear(lambda: ([], [], "", "", [], False), None, reset)
    demo.queue(default_concurrency_limit=4, max_size=64)
    return demo


def build_app(kw: Kernwijzer, settings: Settings) -> FastAPI:
    """FastAPI with the section view and a health check, and the chat at ``/``."""
    app = FastAPI(title="Kernwijzer", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/bron/{doc_id}", response_class=HTMLResponse)
    def section_view(doc_id: str, q: str | None = None, f: str | None = None) -> HTMLResponse:
        doc = kw.snapshot.documents.get(doc_id)
        if doc is None:
            return HTMLResponse(not_found_page(doc_id), status_code=404)
        passage = parse_highlight(q, len(doc.text))
        focus = parse_highlight(f, len(doc.text))
        return HTMLResponse(render_document(doc, passage, focus))

    @app.get("/api/ask")
    def api_ask(q: str, top_k: int | None = None) -> JSONResponse:
        # The same answer as `kernwijzer ask --json`, for integrations and load tests.
        try:
            return JSONResponse(kw.answer(q, top_k=top_k).to_dict())
        except QuestionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    @app.get("/health")
    def health() -> JSONResponse:
        m = kw.snapshot.manifest
        return JSONResponse({"status": "ok", "build": m.build_id, "chunks": m.counts.get("chunks")})

    # System fonts: the default theme would make every browser fetch fonts from a CDN.
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"])
    return gr.mount_gradio_app(
        app,
        build_blocks(kw, settings),
        path="/",
        ssr_mode=False,
        theme=theme,
        css=CSS,
        footer_links=[],
    )


def serve(settings: Settings, build_missing: bool = True) -> None:
    """Start the app on settings.host:port, building the index first if it is missing."""
    import uvicorn

    from kernwijzer.store import IndexStore

    embedder = Embedder(settings)
    if build_missing and IndexStore(settings).manifest() is None:
        from kernwijzer.indexing import build_index

        print("No index yet: building it first", flush=True)  # noqa: T201
        print(build_index(settings, embedder=embedder).summary(), flush=True)  # noqa: T201
    kw = Kernwijzer(settings, embedder)
    kw.warm_up()
    print(f"Kernwijzer: http://{settings.host}:{settings.port}", flush=True)  # noqa: T201
    uvicorn.run(
        build_app(kw, settings), host=settings.host, port=settings.port, log_level="warning"
    )
