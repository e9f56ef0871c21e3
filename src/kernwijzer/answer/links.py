"""The section view's links: built and read in one place.

``/bron/<doc>`` opens a document; ``?q=<start>-<end>`` marks a cited passage and
``&f=<start>-<end>`` its answering sentence (character offsets in the cleaned text);
``#<anchor>`` is the section. Citations carry these links, the app serves them, the
evaluation checks them. Not here: the page itself (``sectionview``), the route (``web.app``).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlparse

PREFIX = "/bron/"
_SPAN = re.compile(r"(\d{1,9})-(\d{1,9})")
_PATH = re.compile(rf"{re.escape(PREFIX)}([^/]+)")


def document_link(doc_id: str) -> str:
    """The app-relative link to a whole document."""
    return f"{PREFIX}{quote(doc_id)}"


def section_link(
    doc_id: str, anchor: str, start: int, end: int, focus: tuple[int, int] | None = None
) -> str:
    """The app-relative link to the section view: the passage and its answering sentence."""
    marked = f"&f={focus[0]}-{focus[1]}" if focus else ""
    return f"{document_link(doc_id)}?q={start}-{end}{marked}#{quote(anchor)}"


def parse_link(link: str) -> tuple[str, str] | None:
    """(document id, section anchor) of a section-view link, None if it is not one."""
    parsed = urlparse(link)
    m = _PATH.fullmatch(parsed.path)
    return (unquote(m.group(1)), unquote(parsed.fragment)) if m else None


def parse_span(value: str | None, limit: int) -> tuple[int, int] | None:
    """``"120-180"`` → (120, 180) when it is a valid span of a text ``limit`` long."""
    m = _SPAN.fullmatch(value or "")
    if not m:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    return (start, end) if 0 <= start < end <= limit else None
