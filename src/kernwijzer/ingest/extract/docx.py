"""A Word document's text: Heading styles as sections, list styles as items, tables."""

from __future__ import annotations

import re
from pathlib import Path

from kernwijzer.ingest.extract.common import (
    DOCX,
    Extracted,
    ExtractionError,
    check_unpacked,
    table_block,
)


def docx_text(path: Path) -> Extracted:
    """A Word document's text: its Heading styles as sections, list styles as items, tables."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        # The sizes a zip states for its members are the sizes it will unpack to: checked
        # before python-docx unpacks anything.
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
        check_unpacked(path.name, ((m.compress_size, m.file_size) for m in members))
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        if isinstance(exc, ExtractionError):
            raise
        raise ExtractionError(
            f"{path.name}: not a readable Word document (password-protected or damaged)"
        ) from exc
    props = document.core_properties
    found = {k: str(v) for k, v in (("title", props.title), ("date", props.created)) if v}
    lines: list[str] = []
    headings = tables = rows = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            table = [[" ".join(c.text.split()) for c in row.cells] for row in block.rows]
            lines += [rows_text] if (rows_text := table_block(table)) else []
            tables, rows = tables + 1, rows + len(table)
            continue
        text = " ".join(block.text.split())
        style = (block.style.name if block.style is not None else "") or ""
        if not text:
            continue
        if m := re.fullmatch(r"Heading (\d)", style):
            lines.append(f"{'#' * int(m.group(1))} {text}")
            headings += 1
        elif style == "Title" and not lines:
            lines.append(text)
        elif style.startswith("List"):
            item = f"- {text}"
            if lines and lines[-1].startswith("- "):
                lines[-1] += "\n" + item
            else:
                lines.append(item)
        else:
            lines.append(text)
    return Extracted(
        text="\n\n".join(lines) + "\n",
        kind=DOCX,
        headings=headings,
        tables=tables,
        table_rows=rows,
        found=found,
    )
