"""Flattened tables (tab-separated rows with embedded HTML lists) rendered as readable lists.

Each row becomes a list item: its first cell is the item, every other cell an indented
line labelled with its column header, bullets inside a cell become sub-items. A row whose
first cell is empty continues the row before it (a table split by a page break).
Not here: detecting where a table starts (``cleaning.py``).
"""

from __future__ import annotations

import html
import re

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


def _render_row(cells: list[Cell], header: list[str]) -> str:
    first = " ".join(cells[0]) if cells and cells[0] else ""
    lines = [f"- {first}"] if first else []
    for j, items in enumerate(cells[1:], start=1):
        if not items:
            continue
        label = header[j].strip() if j < len(header) else ""
        # Titles (of sources, say) do not end in a full stop; sentences do.
        short = not any(i.endswith(".") for i in items)
        if short:
            joined = "; ".join(items)
            lines.append(f"  {label}: {joined}" if label else f"  {joined}")
        else:
            if label:
                lines.append(f"  {label if label.endswith(':') else label + ':'}")
            lines.extend(f"  - {item}" for item in items)
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
