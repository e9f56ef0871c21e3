"""The browser app: the chat (``chat.py``) mounted in FastAPI beside the section view.

Routes: ``/`` the chat, ``/bron/<doc>`` a document's section view, ``/api/ask``, ``/health``;
every other path is closed (``security.py``). Also here: the app when the index cannot be
used (503 with the fix), and serving it on the configured address.
"""

from __future__ import annotations

import html
import logging
import threading
from typing import Annotated, Any, Literal

import gradio as gr
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse

from kernwijzer.answer.links import PREFIX, parse_span
from kernwijzer.config import Settings
from kernwijzer.index.embedding import Embedder
from kernwijzer.index.store import IndexError_
from kernwijzer.ingest.catalogue import archived_document
from kernwijzer.pipeline import Kernwijzer, UnknownDocumentError
from kernwijzer.retrieval.question import QuestionError
from kernwijzer.web.cards import with_citations
from kernwijzer.web.chat import CSS, PAGE_JS, build_blocks
from kernwijzer.web.sectionview import not_found_page, render_document
from kernwijzer.web.security import (
    Busy,
    InFlight,
    busy_response,
    harden,
    loading_response,
    unavailable_response,
)
from kernwijzer.web.turn import same_text_docs

log = logging.getLogger(__name__)


def build_app(kw: Kernwijzer, settings: Settings) -> FastAPI:
    """FastAPI with the section view and a health check, and the chat at ``/``."""
    app = FastAPI(title="Kernwijzer", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get(PREFIX + "{doc_id}", response_class=HTMLResponse)
    def section_view(
        doc_id: str, q: str | None = None, f: str | None = None, lang: str | None = None
    ) -> HTMLResponse:
        doc = kw.snapshot.documents.get(doc_id) or archived_document(
            settings.corpus.corpus_dir, doc_id
        )
        if doc is None:
            return HTMLResponse(not_found_page(doc_id), status_code=404)
        passage = parse_span(q, len(doc.text))
        focus = parse_span(f, len(doc.text))
        successor = None
        if doc.info.superseded_by:
            newer = kw.snapshot.documents.get(doc.info.superseded_by) or archived_document(
                settings.corpus.corpus_dir, doc.info.superseded_by
            )
            successor = newer.info if newer else None
        language = "en" if lang == "en" else "nl"
        return HTMLResponse(render_document(doc, passage, focus, successor, language))

    inflight = InFlight(settings.app.max_inflight)

    @app.get("/api/ask")
    def api_ask(
        q: str,
        top_k: Annotated[int | None, Query(ge=1, le=50)] = None,
        doc: Annotated[list[str] | None, Query()] = None,
        lang: Annotated[Literal["nl", "en"] | None, Query()] = None,
    ) -> JSONResponse:
        # The answer of `kernwijzer ask --json`, for integrations and load tests, with the
        # memo-ready citation texts the chat's copy buttons give (in ``lang``, default the
        # question's language).
        if not kw.ready:
            return loading_response()
        try:
            with inflight.slot():
                answer = kw.answer(q, top_k=top_k, documents=set(doc) if doc else None)
        except Busy:
            return busy_response()
        except QuestionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except UnknownDocumentError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse(
            with_citations(answer, settings.app.public_url, same_text_docs(kw), lang)
        )

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Short and without internals: which parameter, and what is wrong with it.
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'][1:]) or 'request'}: {e['msg']}"
            for e in exc.errors()
        )
        return JSONResponse({"error": problems}, status_code=422)

    @app.get("/health")
    def health() -> JSONResponse:
        if not kw.ready:
            return loading_response()
        m = kw.snapshot.manifest
        return JSONResponse({"status": "ok", "build": m.build_id, "chunks": m.counts.get("chunks")})

    harden(app, settings)
    # System fonts: the default theme would make every browser fetch fonts from a CDN.
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"])
    return gr.mount_gradio_app(
        app,
        build_blocks(kw, settings),
        path="/",
        ssr_mode=False,
        theme=theme,
        css=CSS,
        head=PAGE_JS,
        footer_links=[],
        run_history=False,  # see the top of this module: no run leaves the machine
    )


def unavailable_app(message: str, settings: Settings) -> FastAPI:
    """The app when the index cannot be used: every route says why, with the fix, as 503.

    A damaged index must never answer, and a crashed server says nothing to the browser.
    """
    app = FastAPI(title="Kernwijzer", docs_url=None, redoc_url=None, openapi_url=None)
    page = (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>Kernwijzer</title>"
        "</head><body><h1>Kernwijzer</h1><p>De index kan niet worden gebruikt; er wordt "
        "niets beantwoord. / The index cannot be used; nothing is answered.</p>"
        f"<pre>{html.escape(message)}</pre></body></html>"
    )

    @app.api_route("/{path:path}", methods=["GET", "POST", "HEAD"])
    def everything(path: str, request: Request) -> Any:
        if request.url.path in ("/", "") or request.url.path.startswith(PREFIX):
            return HTMLResponse(page, status_code=503)
        return unavailable_response(message)

    harden(app, settings)
    return app


def _warm_up(kw: Kernwijzer) -> None:
    try:
        kw.warm_up()
    except Exception:
        # The app stays up and says "loading"; the log says why it never got ready.
        log.exception("Loading the model failed")


class PortInUseError(OSError):
    """The configured address and port are taken; the message names them."""


def check_port(settings: Settings) -> None:
    """Raise `PortInUseError` when the app could not listen on host:port."""
    import socket

    family = socket.AF_INET6 if ":" in settings.app.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn does: connections of a just-stopped app (TIME_WAIT) do not hold the
        # port, a listening socket does. Without it a restart within a minute was refused.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.app.host, settings.app.port))
        except OSError as exc:
            raise PortInUseError(
                f"Cannot listen on {settings.app.host}:{settings.app.port} ({exc.strerror}). "
                "Stop what uses it, or choose another port: KERNWIJZER_PORT=7861 (or serve --port)."
            ) from exc


def serve(settings: Settings, build_missing: bool = True) -> None:
    """Start the app on settings.app.host:port, building the index first if it is missing."""
    import uvicorn

    check_port(settings)  # before minutes of index building, not after

    from kernwijzer.index.store import IndexStore

    embedder = Embedder(settings.embedding)
    if build_missing and IndexStore(settings).manifest() is None:
        from kernwijzer.index.build import build_index

        print("No index yet: building it first", flush=True)
        print(build_index(settings, embedder=embedder).summary(), flush=True)
    kw = Kernwijzer(settings, embedder)
    try:
        kw.snapshot  # noqa: B018 - the page lists the documents, so the index is read first
        # A small file, read now: unreadable, the app would never get past "loading".
        kw.answerability  # noqa: B018
        app = build_app(kw, settings)
        # Listen first, load then: /health says "loading" and the chat says so meanwhile.
        threading.Thread(target=_warm_up, args=(kw,), name="warm-up", daemon=True).start()
    except (IndexError_, ValueError) as exc:
        log.error("%s", exc)
        print(f"kernwijzer: {exc}", flush=True)
        app = unavailable_app(str(exc), settings)
    print(f"Kernwijzer: http://{settings.app.host}:{settings.app.port}", flush=True)
    uvicorn.run(
        app,
        host=settings.app.host,
        port=settings.app.port,
        log_level="warning",
        # h11 with a bound on a request's head: megabytes of headers are refused.
        http="h11",
        h11_max_incomplete_event_size=32 * 1024,
    )
