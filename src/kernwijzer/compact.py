"""A compact read copy of a build: each collection's vectors as a NumPy file, its rows as JSON.

Answering needs every row of the active build in memory. Paging them out of Chroma takes
seconds at this corpus size ×100 (and a Chroma import at every start); a memory-mapped
``.npy`` and one JSON file load in a fraction of that. Chroma stays the store of record:
the copy is written beside a build when it is first read (or, for a Chroma server, into
the local cache under the build id), checked against the manifest's counts when loaded,
and simply rebuilt from Chroma when it is missing, short or damaged.
Not here: which rows to read or what they mean (``store``, ``snapshot``).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
FORMAT = 1


def load(folder: Path, kind: str, expected: int | None, dim: int) -> tuple[Any, ...] | None:
    """``(ids, texts, metadatas, vectors)`` of one collection, or None to read Chroma instead.

    None when there is no copy, or it is not this format, not ``expected`` rows long, or
    cannot be read: the copy is a cache, never the reason an index is refused.
    """
    rows_file, vectors_file = folder / f"{kind}.json", folder / f"{kind}.npy"
    if not rows_file.exists() or not vectors_file.exists():
        return None
    try:
        rows = json.loads(rows_file.read_text(encoding="utf-8"))
        vectors = np.load(vectors_file, mmap_mode="r", allow_pickle=False)
        ids, texts, metas = rows["ids"], rows["texts"], rows["metadatas"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("Ignoring the damaged read copy %s (%s); reading Chroma", rows_file, exc)
        return None
    lengths = {len(ids), len(texts), len(metas), vectors.shape[0]}
    if rows.get("format") != FORMAT or len(lengths) != 1 or vectors.ndim != 2:
        return None
    if (expected is not None and len(ids) != expected) or (len(ids) and vectors.shape[1] != dim):
        return None
    return ids, texts, metas, vectors


def save(
    folder: Path,
    kind: str,
    ids: list[str],
    texts: list[str],
    metadatas: list[dict[str, Any]],
    vectors: np.ndarray,
) -> None:
    """Write the copy of one collection; a failure only costs the next start its speed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        suffix = f".{os.getpid()}.tmp"
        rows_tmp = folder / f"{kind}.json{suffix}"
        vectors_tmp = folder / f"{kind}.npy{suffix}"
        rows = {"format": FORMAT, "ids": ids, "texts": texts, "metadatas": metadatas}
        rows_tmp.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        with vectors_tmp.open("wb") as fh:
            np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        # Vectors first: a reader that finds the rows finds vectors of the same write.
        os.replace(vectors_tmp, folder / f"{kind}.npy")
        os.replace(rows_tmp, folder / f"{kind}.json")
    except OSError as exc:
        log.warning("Could not write the read copy in %s: %s", folder, exc)
        for tmp in folder.glob(f"*.{os.getpid()}.tmp"):
            tmp.unlink(missing_ok=True)
