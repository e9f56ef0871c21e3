"""Which library reads the published files best: measured on the test files.

    .venv/bin/python benchmarks/extractors.py [--out F]

PDF (``tests/data/brochure-2026.pdf``, set from the brochure's known text): Kernwijzer's
extraction on pdfplumber against pypdfium2's plain text (PDFium, the fastest reader here;
pdfplumber installs it). HTML (``tests/data/avondzorg.html``): trafilatura against jusText
(the boilerplate remover trafilatura itself falls back on). Per reader:

- ``sentences``: share of the source's sentences (PDF) or paragraphs, items, cells and
  headings (HTML) found whole in the output (words joined with single spaces): text kept
  and not broken;
- ``furniture``: lines of page furniture that leaked into the text (running header, page
  numbers; navigation, cookie banner, sidebar, footer);
- ``headings`` and ``table_rows`` the reader reports as structure (a plain-text reader
  reports none);
- ``ms``: the median of 5 runs.

Writes benchmarks/results/extractors.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(ROOT))

PDF_FURNITURE = [r"^Aanbod huisartsgeneeskundige zorg · editie 2026$", r"^\d{1,2}$"]
HTML_FURNITURE = ["Zorginkoop", "Declareren", "cookies", "Akkoord", "Lees ook", "Privacy", "©"]


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(text.split()))
    return [p for p in parts if p]


def _flat(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _timed(fn: Callable[[], Any], runs: int = 5) -> tuple[Any, float]:
    times, out = [], None
    for _ in range(runs):
        started = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - started) * 1000)
    return out, round(statistics.median(times), 1)


def pdf_readers() -> dict[str, Any]:
    """Kernwijzer on pdfplumber against pypdfium2, on the brochure test edition."""
    import pypdfium2

    from kernwijzer.ingest.extract import pdf_text
    from tests.data.make_fixtures import brochure_blocks

    # The brochure's own text, less what the test edition sets differently: its title line
    # and the team list, which it sets as a table.
    blocks = [b for b in brochure_blocks()[1:] if not b.startswith("- De doktersassistent")]
    source = [s for b in blocks for line in b.split("\n") for s in _sentences(line.lstrip("- "))]
    path = DATA / "brochure-2026.pdf"

    def pdfium() -> str:
        pdf = pypdfium2.PdfDocument(str(path))
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)

    out: dict[str, Any] = {}
    ours, ms = _timed(lambda: pdf_text(path))
    plain, ms_plain = _timed(pdfium)
    for name, text, headings, rows, took in (
        (
            "pdfplumber (kernwijzer.extraction)",
            ours.text,
            ours.headings,
            ours.table_rows,
            ms,
        ),
        ("pypdfium2 get_text_range", plain, 0, 0, ms_plain),
    ):
        flat = _flat(text)
        lines = [line.strip() for line in text.splitlines()]
        out[name] = {
            "sentences": round(sum(s in flat for s in source) / len(source), 3),
            "furniture": sum(any(re.match(p, x) for p in PDF_FURNITURE) for x in lines),
            "headings": headings,
            "table_rows": rows,
            "ms": took,
        }
    out["source sentences"] = len(source)
    return out


def html_readers() -> dict[str, Any]:
    """trafilatura (through Kernwijzer) against jusText, on the saved insurer page."""
    import justext

    from kernwijzer.ingest.extract import html_text

    markup = (DATA / "avondzorg.html").read_text(encoding="utf-8")
    main = re.search(r"<main>(.*)</main>", markup, re.S)
    assert main is not None
    # Each paragraph, item, cell and heading of the main text on its own.
    elements = re.findall(r"<(p|li|td|th|h\d)>(.*?)</\1>", main.group(1), re.S)
    source = [" ".join(text.split()) for _, text in elements]

    def jt() -> str:
        paragraphs = justext.justext(markup.encode(), justext.get_stoplist("Dutch"))
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    ours, ms = _timed(lambda: html_text(markup))
    plain, ms_plain = _timed(jt)
    out: dict[str, Any] = {}
    for name, text, headings, rows, took in (
        (
            "trafilatura (kernwijzer.extraction)",
            ours.text,
            ours.headings,
            ours.table_rows,
            ms,
        ),
        ("jusText", plain, 0, 0, ms_plain),
    ):
        flat = _flat(text)
        out[name] = {
            "sentences": round(sum(s in flat for s in source) / len(source), 3),
            "furniture": sum(f in text for f in HTML_FURNITURE),
            "headings": headings,
            "table_rows": rows,
            "ms": took,
        }
    out["source sentences"] = len(source)
    return out


def main() -> int:
    """Run both comparisons; print and write them."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "extractors.json")
    args = p.parse_args()
    result = {"pdf": pdf_readers(), "html": html_readers()}
    print(json.dumps(result, indent=1, ensure_ascii=False))
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
