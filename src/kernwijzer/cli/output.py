"""What the commands print: JSON lines, and an answer as a terminal reads it."""

from __future__ import annotations

import json
from typing import Any

from kernwijzer.answer.compose import Answer


def print_json(obj: Any) -> None:
    """One JSON object on one line, non-ASCII kept as it is."""
    print(json.dumps(obj, ensure_ascii=False))


def format_answer(answer: Answer, base_url: str) -> str:
    """Human-readable rendering of an answer for the terminal."""
    nl = answer.language == "nl"
    lines = [answer.answer, ""]
    if answer.citations:
        heading = (
            (
                "Dichtstbijzijnde passages (geen antwoord):"
                if nl
                else "Nearest passages (not an answer):"
            )
            if answer.abstained
            else ("Bronnen (met voorbehoud):" if nl else "Sources (with caution):")
            if answer.status == "partial"
            else ("Bronnen:" if nl else "Sources:")
        )
        lines.append(heading)
    for c in answer.citations:
        lines.append(f"[{c.rank}] “{c.quote.strip()}”")
        who = f"{c.publisher} — " if c.publisher else ""
        when = f" ({c.edition})" if c.edition else ""
        lines.append(f"    {who}{c.doc_title}{when}")
        lines.append(f"    {c.section}")
        lines.append(
            f"    {base_url}{c.link}" + (f"  (origineel: {c.source_url})" if c.source_url else "")
        )
    if answer.expansions:
        lines.append(
            ("Ook gezocht op: " if nl else "Also searched for: ") + ", ".join(answer.expansions)
        )
    if answer.dutch_reading:
        lines.append(f"Read in Dutch as: {answer.dutch_reading}")
    return "\n".join(lines)


def count_of(n: int, noun: str) -> str:
    """The count with its noun: "1 document", "3 documents"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
