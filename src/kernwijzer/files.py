"""Two file operations several stages need: a streaming digest and a whole-folder swap.

Not here: what is hashed or swapped, or why (``catalogue``, ``compact``, ``modelprep``,
``gemmaprep``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex), read in blocks: model weights are over a gigabyte."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def swap_in(staging: Path, target: Path) -> None:
    """Replace the folder ``target`` by the finished ``staging`` one, whole.

    The old folder is moved aside first and removed last, so an interrupted swap never
    leaves half of either in place.
    """
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
