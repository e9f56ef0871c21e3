"""The app's HTTP surface, closed down: who may call it, what the browser may do, how much.

- Host allow-list (a shield against DNS rebinding): the bind address, localhost, the public
  URL's host and ``allowed_hosts``; any other Host header gets 400.
- Headers on every response: a Content-Security-Policy that lets the page talk to this
  server only (``connect-src 'self'``) and be framed by this app alone (its source pane
  shows ``/bron`` pages), ``X-Frame-Options``,
  ``X-Content-Type-Options`` and ``Referrer-Policy``. Gradio needs inline and evaluated
  scripts (its ``js=`` hooks), so ``script-src`` allows them, from this origin only.
- Forwarded headers (X-Forwarded-Host, …) only from a configured ``trusted_proxy``; else
  they are dropped before any route sees them.
- No uploads and no API schemas: the chat has no file input, and nobody needs the
  frameworks' OpenAPI documents or docs pages; those routes answer 404.
- A bounded number of answers in flight on ``/api/ask`` (``max_inflight``): beyond it, 503
  with ``Retry-After`` rather than an unbounded wait.
Not here: the routes themselves (``web/app.py``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from kernwijzer.config import Settings

log = logging.getLogger(__name__)

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
RETRY_AFTER_SECONDS = 1
# Framework routes nobody needs here: API schemas and docs (FastAPI's and Gradio's), uploads.
CLOSED = ("/openapi.json", "/docs", "/redoc", "/upload")
# Gradio's API description (every handler), run history, request monitoring and dev reload:
# not among the app's routes (README), so not answered.
CLOSED_PREFIXES = (
    "/gradio_api/info",
    "/gradio_api/runs",
    "/gradio_api/run-history",
    "/gradio_api/dev",
    "/monitoring",
)


# Headers a reverse proxy sets about the original request; from anyone else they are a lie
# (X-Forwarded-Host: evil.example would become the root URL in Gradio's /config).
FORWARDED = (b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-for", b"forwarded")


# A request's head: uvicorn's h11 bound only holds while a head arrives in pieces, so one
# sent in a single write is measured here. The URL bound leaves room for a question at the
# length limit percent-encoded (a non-ASCII letter is up to 9 bytes in a URL).
MAX_HEAD_BYTES = 32 * 1024
MAX_URL_BYTES = 24 * 1024


def head_problem(scope: MutableMapping[str, Any]) -> tuple[int, str] | None:
    """(status, message) for a request head over its limits, else None."""
    path: bytes = scope.get("raw_path") or str(scope.get("path", "")).encode()
    url = len(path) + len(scope.get("query_string") or b"")
    if url > MAX_URL_BYTES:
        return 414, f"URL too long: {url} bytes, at most {MAX_URL_BYTES}"
    head = sum(len(k) + len(v) + 4 for k, v in scope.get("headers") or [])
    if head > MAX_HEAD_BYTES:
        return 431, f"Request headers too large: {head} bytes, at most {MAX_HEAD_BYTES}"
    return None


def allowed_hosts(settings: Settings) -> list[str]:
    """Host names the app answers to (see the module docstring)."""
    hosts = {settings.app.host, "localhost", "127.0.0.1", "::1", *settings.app.allowed_hosts}
    if settings.app.public_url:
        hosts.add(urlparse(settings.app.public_url).hostname or "")
    return sorted(h for h in hosts if h and h not in ("0.0.0.0", "::"))


class Busy(Exception):
    """More answers in flight than ``max_inflight``."""


class InFlight:
    """A counter of answers being computed; `slot` refuses one beyond the limit."""

    def __init__(self, limit: int) -> None:
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot while answering; raise `Busy` at once when none is free."""
        if not self._slots.acquire(blocking=False):
            raise Busy
        try:
            yield
        finally:
            self._slots.release()


def _try_again_later(body: dict[str, str]) -> JSONResponse:
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def busy_response() -> JSONResponse:
    """503 with Retry-After: the client should try again shortly."""
    return _try_again_later({"error": "Busy: too many questions at once; try again shortly."})


def loading_response() -> JSONResponse:
    """503 with Retry-After while the model and index are still loading after a start."""
    return _try_again_later(
        {"status": "loading", "error": "Loading: model and index are not in memory yet."}
    )


def unavailable_response(message: str) -> JSONResponse:
    """503 for an index that cannot be used (missing, damaged): the message says the fix."""
    return JSONResponse({"status": "unavailable", "error": message}, status_code=503)


def host_name(header: str) -> str:
    """The host of a Host header without its port; an IPv6 literal ("[::1]:7860") whole."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        return header[1:end] if end > 0 else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def host_allowed(header: str, allowed: list[str]) -> bool:
    """Whether a Host header names an allowed host ("*.example.nl" allows its subdomains)."""
    name = host_name(header)
    return any(
        name == host or (host.startswith("*.") and name.endswith(host[1:])) for host in allowed
    )


def _closed(path: str) -> bool:
    return path.endswith(CLOSED) or "/docs/" in path or path.startswith(CLOSED_PREFIXES)


def harden(app: FastAPI, settings: Settings) -> None:
    """Apply the host allow-list, the headers and the closed routes to ``app``.

    One middleware, outermost, so that every response carries the headers: a refused Host,
    a closed route and an unexpected error (a short 500, never a traceback) included.
    """
    hosts = allowed_hosts(settings)

    @app.middleware("http")
    async def closed_and_headed(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path.rstrip("/")
        response: Response
        if (problem := head_problem(request.scope)) is not None:
            response = JSONResponse({"error": problem[1]}, status_code=problem[0])
        elif not host_allowed(request.headers.get("host", ""), hosts):
            # Before any route: a foreign Host (DNS rebinding) reaches nothing.
            response = JSONResponse({"error": "Invalid host header"}, status_code=400)
        elif _closed(path):
            response = JSONResponse({"error": "Not found"}, status_code=404)
        else:
            if not settings.app.trusted_proxy:
                request.scope["headers"] = [
                    (k, v) for k, v in request.scope["headers"] if k.lower() not in FORWARDED
                ]
            try:
                response = await call_next(request)
            except Exception:
                log.exception("Unexpected error answering %s", path[:200])
                response = JSONResponse({"error": "Internal error"}, status_code=500)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
