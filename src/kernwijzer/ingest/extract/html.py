"""A saved web page's main text, navigation and page furniture left out (trafilatura)."""

from __future__ import annotations

import re
from typing import Any

from kernwijzer.ingest.extract.common import HTML, Extracted, ExtractionError, table_block


def html_text(markup: str | bytes, name: str = "page") -> Extracted:
    """The main text of a web page, navigation and page furniture left out (trafilatura)."""
    import trafilatura
    from lxml import etree
    from trafilatura.utils import load_html

    # trafilatura decodes the page by its own declaration. Code is never text: a <script>
    # inside a heading would otherwise become words of the title and of the section.
    tree = load_html(markup)
    if tree is None:
        raise ExtractionError(f"{name}: not a readable web page")
    for code in tree.xpath("//script|//style|//noscript|//template"):
        code.drop_tree()
    # trafilatura's balanced default: its precision mode drops short lists on small pages.
    xml = trafilatura.extract(
        tree,
        output_format="xml",
        include_tables=True,
        include_links=False,
        include_comments=False,
        include_images=False,
        include_formatting=False,
        with_metadata=True,
    )
    if xml is None:
        raise ExtractionError(f"{name}: no main text found on the page")
    root = etree.fromstring(xml.encode("utf-8"))
    found = {k: str(root.get(k)) for k in ("title", "date", "sitename") if root.get(k)}
    lines: list[str] = []
    headings = tables = rows = 0
    main = root.find("main")
    for element in main if main is not None else []:
        tag = element.tag
        if tag == "head":
            level = int((element.get("rend") or "h2").lstrip("h") or 2)
            lines.append(f"{'#' * level} {_flat(element)}")
            headings += 1
        elif tag == "list":
            lines.extend(_list_lines(element, 0))
        elif tag == "table":
            table = [[_flat(cell) for cell in row.iter("cell")] for row in element.iter("row")]
            lines += [rows_text] if (rows_text := table_block(table)) else []
            tables, rows = tables + 1, rows + len(table)
        elif text := _flat(element):
            lines.append(text)
    title = found.get("title")
    if title and (not lines or _plain(lines[0]) != title):
        lines.insert(0, title)
    elif lines:
        lines[0] = _plain(lines[0])  # the title line is the document's, not a section
    return Extracted(
        text="\n\n".join(lines) + "\n",
        kind=HTML,
        headings=headings,
        tables=tables,
        table_rows=rows,
        found=found,
    )


def _flat(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _plain(line: str) -> str:
    return re.sub(r"^#{1,6}\s+", "", line)


def _list_lines(element: Any, depth: int) -> list[str]:
    lines = []
    for item in element.findall("item"):
        nested = item.findall("list")
        for sub in nested:
            item.remove(sub)
        lines.append(f"{'  ' * depth}- {_flat(item)}")
        for sub in nested:
            lines.extend(_list_lines(sub, depth + 1))
    return ["\n".join(lines)] if depth == 0 else lines
