"""Plain text and Markdown, as they are."""

from __future__ import annotations

import re

from kernwijzer.ingest.extract.common import TEXT, Extracted


def plain_text(raw: str) -> Extracted:
    """Plain text as it is; Markdown ``#`` headings are already the structured form."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    headings = sum(1 for line in text.split("\n") if re.match(r"#{1,6}\s+\S", line))
    return Extracted(text=text.strip() + "\n", kind=TEXT, headings=headings)
