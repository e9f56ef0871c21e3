"""The section view: a cleaned document as a readable HTML page, a cited span highlighted.

Headings carry their section anchor as ``id``, lists and footnotes keep their shape (a
marker links to its note), a table cell shows its column header as a label, and page
furniture is greyed. ``highlight=(start, end)`` marks exactly those characters of the
cleaned text lightly, ``focus`` the answering sentence strongly (``inline.py``). Every
piece of corpus text is HTML-escaped. Not here: routing (``web/app.py``).
"""

from __future__ import annotations

import html
import re

from kernwijzer import messages
from kernwijzer.answer.links import document_link
from kernwijzer.ingest.cleaning import FOOTNOTE_RE
from kernwijzer.ingest.corpus import LoadedDocument, SourceInfo
from kernwijzer.ingest.sections import blocks
from kernwijzer.text.footnotes import DIGITS
from kernwijzer.web.inline import Decoration, render

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2733;
 line-height:1.55}
header{background:#0b5c80;color:#fff;padding:1rem 2rem}
header a{color:#fff}
main{display:flex;gap:2rem;padding:1rem 2rem;max-width:1200px}
nav{flex:0 0 300px;font-size:.85rem;position:sticky;top:0;max-height:100vh;overflow:auto}
nav ul{list-style:none;padding-left:.8rem}
article{flex:1;min-width:0}
mark.hl{background:#fff3bf;color:inherit;padding:.1rem 0;scroll-margin-top:40vh}
mark.focus{background:#ffd43b;color:inherit;font-weight:600;scroll-margin-top:40vh}
.kw-col{font-size:.8em;font-weight:600;color:#4a5562;text-transform:uppercase;letter-spacing:.02em}
.furniture{color:#5c6670;font-style:italic}
.fnref{text-decoration:underline;color:#0b5c80}
article,header{overflow-wrap:anywhere}
@media (max-width:760px){main{flex-direction:column;padding:.75rem 1rem;gap:.5rem}
 nav{position:static;flex:none;max-height:none;border-bottom:1px solid #d0d7de}
 header{padding:.75rem 1rem}header h1{font-size:1.3rem}}
.fn{font-size:.85rem;color:#555}
.meta{color:#d8eef7;font-size:.9rem}
.superseded{background:#fff3cd;color:#4a3800;border-left:4px solid #b58900;padding:.5rem .8rem;
margin:0;position:sticky;top:0;z-index:2;box-shadow:0 1px 3px rgba(0,0,0,.2)}
.superseded a{color:#4a3800}
"""


def _render_list(text: str, offset: int, deco: Decoration) -> str:
    """A list block as nested ``<ul>``: a deeper list goes inside its parent's ``<li>``."""
    out: list[str] = []
    depth = 0  # open <ul> elements
    open_item: list[bool] = []  # per open <ul>: whether its last <li> is still open
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        indent = (len(line) - len(line.lstrip(" "))) // 2
        item = line.lstrip(" ")
        is_item = item.startswith("- ")
        content_at = offset + m.start() + (len(line) - len(item)) + (2 if is_item else 0)
        content = render(item[2:] if is_item else item, content_at, deco)
        if not is_item:
            # A continuation line belongs to the item above it.
            out.append(f"<div>{content}</div>" if depth else f"<p>{content}</p>")
            continue
        level = indent + 1
        while depth > level:
            if open_item[-1]:
                out.append("</li>")
            out.append("</ul>")
            open_item.pop()
            depth -= 1
        while depth < level:
            out.append("<ul>")
            open_item.append(False)
            depth += 1
            if depth < level:
                out.append("<li>")  # a list that starts deeper than its parent item
                open_item[-1] = True
        if open_item[-1]:
            out.append("</li>")
        out.append(f"<li>{content}")
        open_item[-1] = True
    while depth:
        if open_item[-1]:
            out.append("</li>")
        out.append("</ul>")
        open_item.pop()
        depth -= 1
    return "".join(out)


def _line_above(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset)
    above_start = text.rfind("\n", 0, max(line_start, 0)) + 1
    return re.sub(r"^\s*(- )?", "", text[above_start : max(line_start, 0)]).strip()


def render_document(
    doc: LoadedDocument,
    highlight: tuple[int, int] | None = None,
    focus: tuple[int, int] | None = None,
    successor: SourceInfo | None = None,
    language: str = "nl",
) -> str:
    """The whole document as an HTML page (see the module docstring).

    ``language`` ("nl" or "en") is the page's own words: labels and the header.
    ``highlight`` is the quoted passage (marked lightly), ``focus`` its answering sentence
    (marked strongly). A superseded edition says so at the top, linking its ``successor``.
    """
    # A definition's term already stands above its description on the page: no label twice.
    marks = tuple(m for m in doc.marks if m.label != _line_above(doc.text, m.start))
    deco = Decoration(passage=highlight, focus=focus, marks=marks, footnote_links=True)
    heads = {s.start: s for s in doc.sections[1:]}
    body = []
    for block in blocks(doc.text):
        section = heads.get(block.start)
        inline = render(block.text, block.start, deco)
        if section is not None:
            level = min(section.level + 1, 6)
            body.append(f'<h{level} id="{html.escape(section.anchor)}">{inline}</h{level}>')
        elif block.is_list:
            body.append(_render_list(block.text, block.start, deco))
        elif note := FOOTNOTE_RE.match(block.text):
            number = note.group(0).strip().translate(DIGITS)
            body.append(f'<p class="fn" id="fn-{number}">{inline}</p>')
        else:
            body.append(f"<p>{inline}</p>")
    toc = "".join(
        f'<li style="margin-left:{(s.level - 1) * 0.8}rem"><a href="#{html.escape(s.anchor)}">'
        f"{html.escape(s.title)}</a></li>"
        for s in doc.sections[1:]
    )
    info = doc.info
    w = messages.words(messages.SOURCE_VIEW, language)
    kind = messages.KINDS_NL.get(info.kind or "", info.kind) if language == "nl" else info.kind
    origin = (
        f'<a href="{html.escape(info.url)}" rel="noopener noreferrer">{html.escape(info.url)}</a>'
        if info.url
        else w["no_url"]
    )
    meta = " · ".join(
        html.escape(x)
        for x in (
            info.publisher or w["publisher"],
            kind or "",
            f"{w['date']}: {info.edition or w['unknown']}",
        )
        if x
    )
    script = (
        "<script>window.addEventListener('load',()=>{"
        "const m=document.querySelector('mark.focus')||document.querySelector('mark.hl');"
        "if(m){m.scrollIntoView({block:'center'});}});</script>"
        if highlight
        else ""
    )
    return f"""<!doctype html><html lang="{html.escape(info.language or "nl")}"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(info.title)} · Kernwijzer</title><style>{STYLE}</style></head><body>
<header><a href="/">{w["back"]}</a><h1>{html.escape(info.title)}</h1>
<div class="meta">{meta} · {origin}</div></header>{_superseded(info, successor)}
<main><nav aria-label="{w["contents"]}"><details id="toc" open>
<summary><strong>{w["contents"]}</strong></summary>
<ul>{toc}</ul></details></nav><article>{"".join(body)}</article></main>
<script>if(matchMedia('(max-width:760px)').matches){{document.getElementById('toc').open=false;}}
</script>
{script}</body></html>"""


def _superseded(info: SourceInfo, successor: SourceInfo | None) -> str:
    """The notice on an archived edition: replaced by which, and since when."""
    if info.status != "superseded":
        return ""
    if successor is not None:
        edition = f" ({html.escape(successor.edition)})" if successor.edition else ""
        href = html.escape(document_link(successor.id))
        by = f'<a href="{href}">{html.escape(successor.title)}</a>{edition}'
    else:
        by = html.escape(info.superseded_by or "een nieuwere editie")
    since = f" op {html.escape(info.superseded_on)}" if info.superseded_on else ""
    return (
        f'<p class="superseded" role="note"><strong>Vervangen</strong> door {by}{since}. '
        "Kernwijzer citeert deze oude editie niet meer; de pagina blijft voor eerdere "
        "verwijzingen.</p>"
    )


def not_found_page(doc_id: str) -> str:
    """The page for an unknown document id."""
    return f"""<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Niet gevonden · Kernwijzer</title><style>{STYLE}</style></head><body>
<header><a href="/">← Kernwijzer</a><h1>Bron niet gevonden</h1></header>
<main><article><p>Er is geen document met id <code>{html.escape(doc_id)}</code> in de index.</p>
</article></main></body></html>"""
