"""Flattened tables (tab-separated rows with embedded HTML lists) rendered as readable lists.

Each row becomes a list item: its first cell is the item, every other cell an indented
line, bullets inside a cell become sub-items. A column header is structure, not words of
the cell: it is never written into the text but carried as the cell's mark (``structure``),
so no quote can contain it. A row whose first cell is empty continues the row before it
(a table split by a page break). Not here: detecting where a table starts (``cleaning.py``).
"""

from __future__ import annotations

import html
import re

from kernwijzer.text.structure import CELL, wrap

Cell = list[str]  # the items of one cell


def _cell_items(cell: str) -> Cell:
    text = re.sub(r"</?(ul|li|p)\b[^>]*>", " • ", cell)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    items = [re.sub(r"\s+", " ", part).strip() for part in text.split("•")]
    return [item for item in items if item]


def _is_header(cells: list[str]) -> bool:
    return all(len(c.strip()) < 40 and "<" not in c for c in cells)


def _merge_into(previous: list[Cell], continuation: list[Cell]) -> None:
    """Append a continuation row cell by cell, rejoining an item split mid-sentence."""
    while len(previous) < len(continuation):
        previous.append([])
    for target, extra in zip(previous, continuation, strict=False):
        if not extra:
            continue
        if target and not target[-1].endswith((".", "!", "?", ":", ";")):
            target[-1] = f"{target[-1]} {extra[0]}"
            target.extend(extra[1:])
        else:
            target.extend(extra)


def _label(header: list[str], j: int) -> str:
    return header[j].strip().rstrip(":").strip() if j < len(header) else ""


def _render_row(cells: list[Cell], header: list[str]) -> str:
    first = " ".join(cells[0]) if cells and cells[0] else ""
    lines = [f"- {wrap(first, CELL, _label(header, 0))}"] if first else []
    for j, items in enumerate(cells[1:], start=1):
        if not items:
            continue
        label = _label(header, j)
        # Titles (of sources, say) do not end in a full stop; sentences do.
        if not any(i.endswith(".") for i in items):
            lines.append(f"  {wrap('; '.join(items), CELL, label)}")
        else:
            lines.append("  - " + wrap("\n  - ".join(items), CELL, label))
    if not first and lines:
        lines[0] = "- " + lines[0].lstrip()
    return "\n".join(lines)


def render(rows: list[str], header_expected: bool = False) -> str:
    """Render tab-separated rows as a list block (see the module docstring)."""
    header: list[str] = []
    parsed: list[list[Cell]] = []
    for k, row in enumerate(rows):
        raw_cells = row.split("\t")
        if k == 0 and (header_expected or _is_header(raw_cells)):
            header = [c.strip() for c in raw_cells]
            continue
        cells = [_cell_items(c) for c in raw_cells]
        if parsed and not cells[0]:
            _merge_into(parsed[-1], cells)
        else:
            parsed.append(cells)
    return "\n".join(_render_row(cells, header) for cells in parsed)
