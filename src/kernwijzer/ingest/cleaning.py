"""Repair extraction artefacts so that the cleaned text reads as the source was written.

Output format (what ``sections.py`` and the section view rely on): blocks separated by one
blank line; a block is a heading line, a paragraph (one line), or a list of ``- `` items
(nested items and item continuations indented by two spaces). Footnote definitions are
blocks starting with a superscript number.

The repairs never change words: they join what the extraction split (lines, hyphenation,
stray spaces, a lost ligature), drop what is not content (running headers, page chrome,
markup), and put page side-labels back at the start of their page. Not here: deciding what
is a heading (``sections.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from kernwijzer.ingest import tables
from kernwijzer.text.structure import (
    CELL,
    FURNITURE,
    HEADING,
    SENTINELS,
    SUPERSCRIPTS,
    Mark,
    extract,
    wrap,
)


class SourceInfo(Protocol):
    """What cleaning reads of a document's metadata (``corpus.SourceInfo`` has it).

    A protocol, so that cleaning does not import the corpus that imports it.
    """

    @property
    def profile(self) -> str:
        """How the text was prepared: pdf, markdown, structured, web."""

    @property
    def chrome(self) -> Sequence[str]:
        """Lines of page furniture to drop."""

    @property
    def truncate_at(self) -> str | None:
        """A line from which on nothing is the document's text."""

    @property
    def running_header(self) -> str | None:
        """A PDF's header line repeated on every page."""


FOOTNOTE_RE = re.compile(rf"^[{SUPERSCRIPTS}]+\s")
TERMINAL = (".", "!", "?", ":", ";")
# Dutch prefixes that never stand alone; a stray space after one is always an artefact.
BOUND_PREFIXES = {"ge", "be", "ont"}
# The commonest Dutch function words: "beperking en" is two words, never "beperkingen".
FUNCTION_WORDS = frozenset(
    "en of de het een in op te van die dat er is om aan met als bij tot voor naar uit dan".split()  # noqa: SIM905
)
# Candidate ligatures for the U+FFFD a PDF extractor leaves where it lost one.
LIGATURES = ("fh", "fi", "fl", "ff", "ffi", "ffl", "ft")
# The only ways a quote may differ from the original file, beyond what comparing letters
# and digits already ignores (whitespace, line breaks, line-end hyphens, punctuation,
# words split by a stray space). `fidelity.py` checks every quote against the original
# with exactly these; any other difference is a failure.
REPAIRS = {
    "markup": "HTML list tags, Markdown link targets and emphasis marks in a converted "
    "source are formatting, not words of the text",
    "lost-ligature": "a PDF extraction lost a ligature glyph (U+FFFD); the cleaned text "
    "restores the letters ('a\ufffdandelen' = 'afhandelen')",
    "running-header": "a PDF repeats its title at every page break; it is not part of the "
    "sentence it interrupts",
    "page-footnotes": "footnotes printed at a page break interrupt the sentence that runs on "
    "to the next page; the cleaned text moves them after it",
    "table-header": "a table's header row is structure: the cleaned text carries each "
    "column header as its cells' label (a citation's table_column), never as words",
    "table-page-break": "a table row broken by a page break goes on in a row with an empty "
    "first cell; the cleaned text rejoins each cell's two parts",
}


def clean_text(raw: str, info: SourceInfo, vocabulary: set[str]) -> str:
    """The cleaned text of one document (see `clean`)."""
    return clean(raw, info, vocabulary)[0]


def clean(raw: str, info: SourceInfo, vocabulary: set[str]) -> tuple[str, list[Mark]]:
    """Clean one document's raw text according to its profile; see the module docstring.

    Returns the text and its structure marks (table cells, page furniture).
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = _drop_chrome(text.split("\n"), info)
    if info.profile == "pdf":
        blocks = _pdf_blocks(lines, info, vocabulary)
    elif info.profile == "markdown":
        blocks = _markdown_blocks(lines)
    elif info.profile == "structured":
        blocks = _markdown_blocks([_heading_line(line) for line in lines])
    else:
        blocks = _web_blocks(lines)
    return extract("\n\n".join(b for b in blocks if b.strip()) + "\n")


def _drop_chrome(lines: list[str], info: SourceInfo) -> list[str]:
    """Drop page chrome; a link teaser left behind by a dropped link line is furniture.

    "Informatie voor zorgverleners over onze zorginkoop" stands above the link "Meer over
    zorginkoop": without the link it reads as text, yet it answers nothing.
    """
    if info.truncate_at:
        for i, line in enumerate(lines):
            if line.strip() == info.truncate_at:
                lines = lines[:i]
                break
    chrome = set(info.chrome)
    kept: list[str] = []
    for line in lines:
        if line.strip() not in chrome:
            kept.append(line)
            continue
        filled = [i for i, k in enumerate(kept) if k.strip()]
        if len(filled) >= 2 and _is_teaser(kept[filled[-1]]):
            kept[filled[-1]] = wrap(kept[filled[-1]].strip(), FURNITURE)
    return kept


def _is_teaser(line: str) -> bool:
    s = line.strip()
    already = any(c in s for c in SENTINELS)
    return bool(s) and not already and not s.endswith(TERMINAL) and not re.match(r"^[•·▪*-]\s", s)


# ----------------------------------------------------------------------------- web pages


def _web_blocks(lines: list[str]) -> list[str]:
    """Web page text: paragraphs per line, bullets with indented descriptions."""
    blocks: list[str] = []
    items: list[str] = []
    for line in lines:
        stripped = line.strip()
        bullet = re.match(r"^\s*[•·▪*-]\s+(.*)$", line)
        if bullet:
            items.append(f"- {bullet.group(1).strip()}")
        elif stripped and items and line.startswith("    "):
            items.append(f"  {stripped}")
        elif not stripped:
            continue
        else:
            if items:
                blocks.append(_definitions("\n".join(items)))
                items = []
            blocks.append(stripped)
    if items:
        blocks.append(_definitions("\n".join(items)))
    return blocks


def _definitions(block: str) -> str:
    """Mark a definition list's descriptions with their term ("Basisaanbod" → its text).

    A bullet that is a term (a few words, no sentence) over indented description lines is
    a definition list: the term is structure, shown as the description's label, and a
    quote of the description does not start with it (see ``answer/compose.py``).
    """

    def mark(m: re.Match[str]) -> str:
        term, description = m.group(1), m.group(2)
        if len(term.split()) > 5 or term.endswith((*TERMINAL, ",")):
            return m.group(0)
        return f"- {term}\n  {wrap(description, CELL, term)}"

    return re.sub(r"(?m)^- ([^\n]+)\n  ([^\n]+(?:\n  [^\n-][^\n]*)*)", mark, block)


# ------------------------------------------------------------------------- PDF brochures

PAGE = "\x0c"  # marks a page break where a running header stood
CHAPTER_START = re.compile(r"^\s*(\d{1,2})\s+([A-ZÀ-Ý][^.]{2,60})$")
CHAPTER_END = re.compile(r"^\s*([A-ZÀ-Ý][^.\d]{2,60}?[a-z])(\d{1,2})\s*$")


def _is_pdf_heading(line: str, prev: str, nxt: str) -> bool:
    s = line.strip()
    if not s or s == PAGE:
        return False
    if CHAPTER_START.match(line) or CHAPTER_END.match(line):
        return True
    if s.isupper() and len(s) > 8:
        return True
    if len(s) > 50 or s.endswith((*TERMINAL, ",", "-")) or not s[0].isupper():
        return False
    prev_s, next_s = prev.strip(), nxt.strip()
    prev_closed = not prev_s or prev_s == PAGE or prev_s.endswith(TERMINAL) or prev_s.isupper()
    next_opens = not next_s or next_s == PAGE or next_s[0].isupper()
    return prev_closed and next_opens


def _normalise_chapter(line: str) -> str:
    s = line.strip()
    if m := CHAPTER_START.match(s):
        return f"{m.group(1)} {m.group(2).strip()}"
    if m := CHAPTER_END.match(s):
        return f"{m.group(2)} {m.group(1).strip()}"
    return s


def _pdf_lines(lines: list[str], info: SourceInfo) -> list[str]:
    """Drop running headers (as page marks) and link-annotation URLs; keep indentation."""
    out: list[str] = []
    for line in lines:
        s = line.strip()
        if info.running_header and s == info.running_header:
            out.append(PAGE)
        elif re.fullmatch(r"https?://\S+", s) or line == "":
            continue
        else:
            out.append(line.rstrip("\n"))
    return out


def _restore_side_labels(lines: list[str], heads: list[bool]) -> list[tuple[str, bool]]:
    """Move page side-labels (headings printed after a page's body) to that page's start.

    A run of heading lines and page marks after body text holds the previous page's labels
    and the next page's leading headings. With a numbered chapter start in the run, every
    other heading in it labels the previous page; without one, the headings before the last
    page mark do.
    """
    items = list(zip(lines, heads, strict=True))
    out: list[tuple[str, bool]] = []
    page_start = 0  # index in `out` where the current page's body starts
    i = 0
    while i < len(items):
        if not (items[i][1] or items[i][0] == PAGE):
            out.append(items[i])
            i += 1
            continue
        j = i
        while j < len(items) and (items[j][1] or items[j][0] == PAGE):
            j += 1
        run = items[i:j]
        if not any(s == PAGE or CHAPTER_START.match(s) for s, _ in run):
            out.extend(run)  # an ordinary heading inside a page
            i = j
            continue
        labels, leading = _split_run(run, has_body_before=any(not h for _, h in out))
        labels.sort(key=lambda it: 0 if CHAPTER_END.match(it[0]) else 1)
        while page_start < len(out) and out[page_start][1]:
            page_start += 1
        out[page_start:page_start] = labels
        out.extend(leading)
        page_start = len(out)
        i = j
    return out


def _split_run(
    run: list[tuple[str, bool]], has_body_before: bool
) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    if not has_body_before:
        return [], [it for it in run if it[0] != PAGE]
    chapter_at = [k for k, (s, h) in enumerate(run) if h and CHAPTER_START.match(s)]
    if chapter_at:
        cut = chapter_at[-1]
        labels = [it for it in run[:cut] if it[0] != PAGE]
        return labels, [it for it in run[cut:] if it[0] != PAGE]
    pages = [k for k, (s, _) in enumerate(run) if s == PAGE]
    cut = pages[-1] if pages else len(run)
    return [it for it in run[:cut] if it[0] != PAGE], [it for it in run[cut:] if it[0] != PAGE]


def _pdf_blocks(lines: list[str], info: SourceInfo, vocabulary: set[str]) -> list[str]:
    lines = _pdf_lines(lines, info)
    heads = [
        _is_pdf_heading(line, lines[k - 1] if k else "", lines[k + 1] if k + 1 < len(lines) else "")
        for k, line in enumerate(lines)
    ]
    ordered = _restore_side_labels(lines, heads)
    blocks: list[str] = []
    body: list[str] = []
    for line, is_head in ordered:
        if is_head:
            blocks.extend(_join_pdf_body(body, vocabulary))
            body = []
            blocks.append(_normalise_chapter(line))
        elif line != PAGE:
            body.append(line)
    blocks.extend(_join_pdf_body(body, vocabulary))
    return blocks


def _starts_item(prev: str, nxt: str) -> bool:
    """Whether an indented line opens a new list item rather than continuing one.

    The extraction lost the bullet glyphs; what is left is that a wrapped line keeps its
    trailing space while an item's last line does not (unless it ends in a hyphen), and
    that items end in a full stop or colon.
    """
    if prev.rstrip().endswith(TERMINAL):
        return True
    return prev == prev.rstrip() and not prev.endswith("-") and nxt.strip()[:1].isupper()


def _join_pdf_body(lines: list[str], vocabulary: set[str]) -> list[str]:
    """Join hard-wrapped lines into paragraphs and list items."""
    blocks: list[str] = []
    current: list[str] = []  # the open paragraph or list item, as wrapped pieces
    items: list[str] = []  # finished items of an open list
    in_list = False

    def flush_paragraph() -> None:
        if current:
            text = _repair_words(_join_wrapped(current, vocabulary), vocabulary)
            if in_list:
                items.append(f"- {text}")
            else:
                blocks.append(text)
            current.clear()

    for k, line in enumerate(lines):
        indented = line.startswith(" ") and line.strip() != ""
        next_indented = k + 1 < len(lines) and lines[k + 1].startswith(" ")
        if not line.strip():
            flush_paragraph()
            continue
        starts_list = indented and next_indented and not in_list
        if in_list and not indented:
            flush_paragraph()
            blocks.append("\n".join(items))
            items.clear()
            in_list = False
        if starts_list:
            flush_paragraph()
            in_list = True
        elif (current and (in_list and _starts_item(current[-1], line))) or (
            current and not in_list and _ends_paragraph(current[-1], line)
        ):
            flush_paragraph()
        current.append(line)
    flush_paragraph()
    if items:
        blocks.append("\n".join(items))
    return blocks


def _ends_paragraph(prev: str, nxt: str) -> bool:
    p, n = prev.strip(), nxt.strip()
    return p.endswith((".", "!", "?", ":")) and n[:1].isupper()


def _join_wrapped(pieces: list[str], vocabulary: set[str]) -> str:
    """Join wrapped lines, undoing end-of-line hyphenation where it split a word."""
    text = pieces[0].strip()
    for piece in pieces[1:]:
        nxt = piece.strip()
        m = re.search(r"(\w+)-$", text)
        first = re.match(r"[^\W\d_]+", nxt)
        if m and first and not re.match(r"(en|of)\b", nxt):
            hyphenated = f"{m.group(1)}-{first.group(0)}".lower()
            # A real hyphenated compound keeps its hyphen; a word split at the line does not.
            text = f"{text}{nxt}" if hyphenated in vocabulary else f"{text[:-1]}{nxt}"
        else:
            text = f"{text} {nxt}"
    return re.sub(r"\s{2,}", " ", text).strip()


def _repair_words(text: str, vocabulary: set[str]) -> str:
    """Restore a lost ligature and join words split by stray spaces, if the join is a word."""
    text = re.sub(r"(\w*)\ufffd(\w*)", lambda m: _ligature(m, vocabulary), text)
    tokens = text.split(" ")
    out: list[str] = []
    for token in tokens:
        if out and _should_merge(out[-1], token, vocabulary):
            out[-1] = out[-1] + token
        else:
            out.append(token)
    return " ".join(out)


def _ligature(m: re.Match[str], vocabulary: set[str]) -> str:
    for lig in LIGATURES:
        word = f"{m.group(1)}{lig}{m.group(2)}"
        if word.lower() in vocabulary:
            return word
    # No candidate is a corpus word: 'fh' (afhandelen, ...) is the ligature Dutch PDFs lose.
    return f"{m.group(1)}{LIGATURES[0]}{m.group(2)}"


def _should_merge(left: str, right: str, vocabulary: set[str]) -> bool:
    lw = re.fullmatch(r"[(“‘\"']?([^\W\d_]+)", left)
    rw = re.match(r"^([^\W\d_]+)", right)
    if not lw or not rw or not rw.group(1)[0].islower():
        return False
    a, b = lw.group(1).lower(), rw.group(1).lower()
    if a in BOUND_PREFIXES and len(b) > 3:
        return True
    # Two real words side by side ("in een") stay apart, and so does a fragment before a
    # function word ("beperking en"); a fragment joins its neighbour only when together
    # they make a word the corpus uses.
    if b in FUNCTION_WORDS:
        return False
    return (a + b) in vocabulary and (a not in vocabulary or b not in vocabulary)


# --------------------------------------------------------------- Markdown-like documents

HEADING_LINE = re.compile(r"^(#{1,6})\s+(\S.*?)\s*$")


def _heading_line(line: str) -> str:
    """A ``## Title`` line of an extracted document as a heading mark of that level.

    Extraction (``ingest/extract``) writes the headings the source format marked (PDF type
    size, HTML ``<h2>``) this way; the marks let sections follow the source's own structure.
    """
    m = HEADING_LINE.match(line)
    return wrap(m.group(2), HEADING, str(len(m.group(1)))) if m else line


def _markdown_blocks(lines: list[str]) -> list[str]:
    """Policy text converted to Markdown: tables, footnotes, broken paragraphs, markup."""
    paragraphs = _markdown_paragraphs(lines)
    paragraphs = _relocate_footnotes(paragraphs)
    paragraphs = _join_broken(paragraphs)
    return [_strip_markup(p) for p in paragraphs]


def _markdown_paragraphs(lines: list[str]) -> list[str]:
    """Group lines into blocks: tables become lists, consecutive list lines stay together."""
    blocks: list[str] = []
    table: list[str] = []
    header_pending = False
    for line in [*lines, ""]:
        if "\t" in line:
            table.append(line)
            continue
        if table and (not line.strip() or FOOTNOTE_RE.match(line.strip())):
            # A table interrupted by blank lines or a footnote may continue after it.
            if line.strip():
                blocks.append(line.strip())
            continue
        if table:
            blocks.append(tables.render(table, header_expected=header_pending))
            table = []
        header_pending = bool(re.match(r"^(Kernpunten|Kader)\b", line.strip()))
        _add_line(blocks, line)
    return [b for b in blocks if b.strip()]


def _add_line(blocks: list[str], line: str) -> None:
    s = line.strip()
    if not s or s == "-":
        blocks.append("")
        return
    item = re.match(r"^(\s*)-\s+(.*)$", line)
    if item:
        indent = "  " if item.group(1) else ""
        text = f"{indent}- {item.group(2).strip()}"
        if blocks and blocks[-1].lstrip().startswith("- "):
            blocks[-1] += "\n" + text
        else:
            blocks.append(text)
        return
    if "-->" in s:
        # A run of "U3 --> …" lines is a list that lost its bullets.
        s = "- " + re.sub(r"\s*-->\s*", " → ", s)
        if blocks and blocks[-1] == "" and len(blocks) > 1 and "→" in blocks[-2]:
            blocks.pop()
        if blocks and blocks[-1].startswith("- ") and "→" in blocks[-1]:
            blocks[-1] += "\n" + s
            return
    blocks.append(s)


def _relocate_footnotes(blocks: list[str]) -> list[str]:
    """Move footnote definitions out of the running text to just before the next heading.

    They sit wherever the page ended, often mid-sentence; moved, the sentence they split
    can be joined again and each footnote stays a footnote.
    """
    out: list[str] = []
    pending: list[str] = []
    for block in blocks:
        if FOOTNOTE_RE.match(block):
            pending.append(block)
            continue
        if pending and _looks_like_heading(block):
            out.extend(pending)
            pending = []
        out.append(block)
    return out + pending


def _looks_like_heading(block: str) -> bool:
    s = block.strip()
    return "\n" not in s and (
        s.startswith(f"{SENTINELS[0]}{HEADING}:")
        or bool(re.match(r"^\d+(\.\d+)*\.\s+\S", s) and len(s) < 80)
        or s.endswith("?")
        or s.startswith(("Kernpunten", "Kader:"))
    )


def _join_broken(blocks: list[str]) -> list[str]:
    """Join a paragraph or item split by a page break: the next part starts lower-case."""
    out: list[str] = []
    for block in blocks:
        stripped = re.sub(r"^-\s+", "", block.strip())
        if out and stripped[:1].islower() and not out[-1].rstrip().endswith(TERMINAL):
            first, _, rest = stripped.partition("\n")
            out[-1] = f"{out[-1].rstrip()} {first.strip()}"
            if rest:
                out[-1] += "\n" + rest
            continue
        out.append(block)
    return out


def _strip_markup(block: str) -> str:
    block = re.sub(r"\[([^\]]+)\]\(#?[^)]*\)", r"\1", block)
    block = re.sub(r"<(https?://[^>]+)>", r"\1", block)
    block = re.sub(r"\*\*([^*]+)\*\*", r"\1", block)
    block = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", block)
    block = re.sub(
        r"\^\{([\d,]+)\}",
        lambda m: ",".join(
            n.translate(str.maketrans("0123456789", SUPERSCRIPTS)) for n in m.group(1).split(",")
        ),
        block,
    )
    return "\n".join(line.rstrip() for line in block.split("\n"))
