"""A compact read copy of a build: each collection's vectors as a NumPy file, its rows as JSON.

Answering needs every row of the active build in memory. Paging them out of Chroma takes
seconds at this corpus size ×100 (and a Chroma import at every start); a memory-mapped
``.npy`` and one JSON file load in a fraction of that. Chroma stays the store of record:
the copy is written beside a build when it is first read (or, for a Chroma server, into
the local cache under the build id) and rebuilt from Chroma when it is missing or short.

A copy answers only once it is sealed: ``seal`` writes the sha256 of every file of the copy
(rows, vectors, BM25 arrays) into ``digests.json``, last, and ``check`` compares them before
a start uses the copy. Random vectors of the right shape, or offsets shifted by a few
characters, pass every shape check and answer wrongly and silently; a digest does not pass.
Hashing the copy at every start would cost a start its speed at a large corpus, so a file
once verified is remembered by size and modification time (``memo``) and hashed again only
when either changes.
Not here: which rows to read or what they mean (``store``, ``snapshot``).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np

from kernwijzer.files import atomic_write, sha256_of

log = logging.getLogger(__name__)
FORMAT = 1
DIGESTS = "digests.json"
State = Literal["absent", "unsealed", "ok"]


class DamagedCopyError(Exception):
    """A file of a sealed read copy is missing or does not match its digest."""


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name != DIGESTS and not p.name.endswith(".tmp")
    )


def seal(folder: Path) -> None:
    """Record the digest of every file of the copy; the record is written last.

    A failure (read-only folder, full disk) leaves the copy unsealed: it is then not used,
    and answering reads the store of record instead.
    """
    try:
        digests = {
            str(p.relative_to(folder)): {"sha256": sha256_of(p), "bytes": p.stat().st_size}
            for p in _files(folder)
        }
        atomic_write(folder / DIGESTS, json.dumps({"format": FORMAT, "files": digests}))
    except OSError as exc:
        log.warning("Could not seal the read copy in %s: %s", folder, exc)


def unseal(folder: Path) -> None:
    """Drop the seal before a file of the copy is rewritten."""
    try:
        (folder / DIGESTS).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("Could not unseal the read copy in %s: %s", folder, exc)


def check(folder: Path, memo: Path | None = None) -> State:
    """Whether the copy in ``folder`` may be used: absent, unsealed, or verified ("ok").

    Raises `DamagedCopyError` when a sealed file is missing or differs from its digest.
    ``memo`` remembers verified files by size and modification time (a cache: unreadable
    or unwritable, every file is hashed).
    """
    record_file = folder / DIGESTS
    if not record_file.exists():
        return "unsealed" if folder.exists() and any(folder.iterdir()) else "absent"
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        files: dict[str, dict[str, Any]] = record["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DamagedCopyError(f"{DIGESTS} cannot be read ({exc})") from exc
    known = _read_memo(memo)
    verified = {}
    for name, want in files.items():
        path = folder / name
        try:
            stat = path.stat()
        except OSError as exc:
            raise DamagedCopyError(f"{name} is missing") from exc
        key = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
        if known.get(key) != want["sha256"] and (
            stat.st_size != want["bytes"] or sha256_of(path) != want["sha256"]
        ):
            raise DamagedCopyError(f"{name} does not match its digest")
        verified[key] = want["sha256"]
    if {k: known.get(k) for k in verified} != verified:
        _write_memo(memo, verified)
    return "ok"


def _read_memo(memo: Path | None) -> dict[str, str]:
    if memo is None:
        return {}
    try:
        return dict(json.loads(memo.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


def _write_memo(memo: Path | None, verified: dict[str, str]) -> None:
    if memo is None:
        return
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(memo, json.dumps(verified))
    except OSError:
        pass  # only the next start's speed depends on it


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
    """Write the copy of one collection (unsealed); a failure costs the next start its speed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        unseal(folder)
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
