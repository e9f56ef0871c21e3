"""A PDF's text: headings by type size and weight, tables by pdfplumber's table finder."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernwijzer.ingest.extract.common import (
    MAX_RATIO,
    MAX_UNPACKED_PART,
    MAX_UNPACKED_TOTAL,
    PDF,
    Extracted,
    ExtractionError,
    check_unpacked,
    table_block,
)

# A line in the top or bottom margin repeated on this share of pages is a running header
# or footer (title, page number), not text.
MARGIN_SHARE = 0.08
REPEATED_ON = 0.5
BULLETS = ("•", "●", "▪", "◦", "–", "-", "*")


@dataclass
class _Line:
    text: str
    size: float
    top: float
    bottom: float
    x0: float
    page: int
    bold: bool = False


def pdf_text(path: Path) -> Extracted:
    """A PDF's text with headings by type size and tables by pdfplumber's table finder."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ExtractionError(
                f"{path.name}: the PDF is password-protected (encrypted); save an unprotected "
                "copy and add that"
            ) from exc
        raise ExtractionError(f"{path.name}: not a readable PDF ({cause})") from exc
    with pdf:
        check_unpacked(path.name, _pdf_streams(pdf))
        pages = len(pdf.pages)
        found = {
            k.lower(): str(v).strip()
            for k, v in (pdf.metadata or {}).items()
            if k in ("Title", "Author", "CreationDate") and isinstance(v, str) and v.strip()
        }
        lines, tables = _pdf_lines(pdf)
    if not lines and not tables:
        raise ExtractionError(
            f"{path.name}: the PDF has no text layer (a scanned image?); Kernwijzer quotes text "
            "and does not read images. Add a PDF with selectable text"
        )
    text, headings = _pdf_structured(lines, tables)
    return Extracted(
        text=text,
        kind=PDF,
        pages=pages,
        headings=headings,
        tables=len(tables),
        table_rows=sum(len(t[1]) for t in tables),
        found=found,
    )


def _pdf_streams(pdf: Any) -> Iterator[tuple[int, int]]:
    """(packed, unpacked) size of each Flate stream, inflated in bounded steps.

    pdfminer inflates a stream whole when a page uses it; here each one is inflated a
    megabyte at a time and dropped, so a bomb is measured without being held in memory.
    """
    import zlib

    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

    document = pdf.doc
    seen: set[int] = set()
    for xref in document.xrefs:
        for objid in xref.get_objids():
            if objid in seen:
                continue
            seen.add(objid)
            try:
                obj = document.getobj(objid)
            except Exception:  # an unreadable object is pdfminer's to report
                continue
            if not isinstance(obj, PDFStream):
                continue
            filters = [f for f, _ in obj.get_filters()]
            if not filters or filters[0] not in LITERALS_FLATE_DECODE:
                continue
            raw = obj.get_rawdata() or b""
            inflater, unpacked, rest = zlib.decompressobj(), 0, raw
            enough = min(max(MAX_UNPACKED_PART, MAX_RATIO * len(raw)), MAX_UNPACKED_TOTAL)
            try:
                while rest and unpacked <= enough:  # past it, the answer is known
                    unpacked += len(inflater.decompress(rest, 1 << 20))
                    rest = inflater.unconsumed_tail
            except zlib.error:
                pass  # a damaged stream is pdfminer's to report
            yield len(raw), unpacked


_Table = tuple[tuple[int, float], list[list[str]]]  # ((page, top), rows)


def _pdf_lines(pdf: Any) -> tuple[list[_Line], list[_Table]]:
    lines: list[_Line] = []
    tables: list[_Table] = []
    for number, page in enumerate(pdf.pages):
        found_tables = page.find_tables()
        boxes = [t.bbox for t in found_tables]
        for table in found_tables:
            rows = [[" ".join((c or "").split()) for c in row] for row in table.extract()]
            tables.append(((number, table.bbox[1]), [r for r in rows if any(r)]))

        def outside(obj: dict[str, Any], boxes: list[Any] = boxes) -> bool:
            return not any(
                b[0] <= obj["x0"] and obj["x1"] <= b[2] and b[1] <= obj["top"] <= b[3]
                for b in boxes
            )

        text_page = page.filter(outside) if boxes else page
        for line in text_page.extract_text_lines(return_chars=True, keep_blank_chars=False):
            chars = [c for c in line["chars"] if c["text"].strip()]
            if not chars:
                continue
            size = statistics.median(round(c["size"], 1) for c in chars)
            bold = all("bold" in str(c.get("fontname", "")).lower() for c in chars)
            lines.append(
                _Line(
                    line["text"].strip(),
                    size,
                    line["top"],
                    line["bottom"],
                    line["x0"],
                    number,
                    bold,
                )
            )
    return _without_running_lines(lines, pdf), tables


def _without_running_lines(lines: list[_Line], pdf: Any) -> list[_Line]:
    """Drop lines in the page margins that repeat on many pages (titles, page numbers)."""
    pages = max(len(pdf.pages), 1)
    heights = {i: float(p.height) for i, p in enumerate(pdf.pages)}

    def in_margin(line: _Line) -> bool:
        h = heights[line.page]
        return line.top < h * MARGIN_SHARE or line.bottom > h * (1 - MARGIN_SHARE)

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    counts = Counter(key(x) for x in lines if in_margin(x))
    repeated = {k for k, n in counts.items() if pages > 1 and n >= max(2, pages * REPEATED_ON)}
    return [
        x
        for x in lines
        if not (in_margin(x) and (key(x) in repeated or re.fullmatch(r"[\d\s/|-]+", x.text)))
    ]


@dataclass
class _Group:
    lines: list[_Line]
    level: int  # heading level; 0 = body text, -1 = the document's title


def _pdf_structured(lines: list[_Line], tables: list[_Table]) -> tuple[str, int]:
    """Group lines into the title, headings, paragraphs and items; place tables in order.

    Body type is the size most of the characters have; each larger size is a heading level
    (largest first), and headings in body type (`_body_heading_level`) come below those.
    The first line in the largest type on page 1 is the title.
    """
    if not lines:
        return "\n\n".join(table_block(rows) for _, rows in tables) + "\n", 0
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    body = weights.most_common(1)[0][0]
    first = lines[0]
    has_title = first.page == 0 and first.size >= body + 1.0 and first.size == max(weights)
    rest = [x for x in lines if not (has_title and x is first)]
    sizes = sorted({x.size for x in rest if x.size >= body + 1.0}, reverse=True)
    levels = {size: i + 1 for i, size in enumerate(sizes)}
    groups: list[_Group] = []
    for line in lines:
        if has_title and (
            line is first
            or (
                groups
                and groups[-1].level == -1
                and _wraps(groups[-1].lines[-1], line)
                and line.size == first.size
            )
        ):
            level = -1
        elif line.size in levels:
            level = levels[line.size]
        else:
            starts = not groups or _starts_new_block(groups[-1].lines[-1], line)
            level = _body_heading_level(line, body, len(levels) + 1) if starts else 0
        last = groups[-1] if groups else None
        if (
            last
            and last.level == level
            and (
                _wraps(last.lines[-1], line)
                if level
                else not _starts_new_block(last.lines[-1], line)
            )
        ):
            last.lines.append(line)
        else:
            groups.append(_Group([line], level))
    blocks = [((g.lines[0].page, g.lines[0].top), _render(g)) for g in groups]
    blocks += [(pos, table_block(rows)) for pos, rows in tables if rows]
    blocks.sort(key=lambda b: b[0])
    headings = sum(1 for g in groups if g.level > 0)
    parts: list[str] = []
    for _, text in blocks:
        if parts and text.startswith("- ") and parts[-1].startswith("- "):
            parts[-1] += "\n" + text  # consecutive items are one list
        else:
            parts.append(text)
    return "\n\n".join(parts) + "\n", headings


NUMBERING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+\S")


def _body_heading_level(line: _Line, body: float, base: int) -> int:
    """The level of a heading set in body type starting a block, or 0 for text.

    A short line without closing punctuation that is wholly bold, or numbered in more than
    one level ("2.1 Taken"; a lone "2 …" may be a list item), is a heading; its numbering
    depth adds levels below ``base``.
    """
    text = line.text
    if line.size != body or len(text) > 80 or text.endswith((".", ",", ";", ":")):
        return 0
    m = NUMBERING.match(text)
    depth = m.group(1).count(".") + 1 if m else 1
    return base + depth - 1 if line.bold or depth > 1 else 0


def _wraps(prev: _Line, line: _Line) -> bool:
    """A heading (or title) that runs on to a second line of the same type.

    Also across a page break, when the part before it does not end a sentence.
    """
    if line.size != prev.size:
        return False
    if line.page == prev.page:
        return line.top - prev.bottom < line.size
    return line.page == prev.page + 1 and not prev.text.rstrip().endswith((".", "?", "!", ":"))


def _starts_new_block(prev: _Line, line: _Line) -> bool:
    if line.text.startswith(BULLETS) or re.match(r"\d{1,2}[.)]\s", line.text):
        return True
    if line.page != prev.page:
        # A paragraph runs on to the next page unless the last one ended a sentence.
        return prev.text.rstrip().endswith((".", "!", "?", ":"))
    return line.top - prev.bottom > 0.6 * line.size


def _render(group: _Group) -> str:
    texts = [x.text for x in group.lines]
    if group.level > 0:
        return f"{'#' * min(group.level, 6)} {_join(texts)}"
    if group.level < 0:
        return _join(texts)
    if texts[0].startswith(BULLETS):
        return "- " + _join([texts[0].lstrip("".join(BULLETS)).strip(), *texts[1:]])
    return _join(texts)


def _join(pieces: list[str]) -> str:
    """Join wrapped lines; a hyphen at a line end before a lower-case word split the word."""
    text = pieces[0].strip()
    for piece in pieces[1:]:
        nxt = piece.strip()
        split_word = re.search(r"[^\W\d_]-$", text) and nxt[:1].islower()
        if split_word and not re.match(r"(en|of)\b", nxt):
            text = text[:-1] + nxt
        else:
            text = f"{text} {nxt}"
    return text
