"""File operations several stages need: a digest, atomic writes, a folder swap, safe YAML.

Also how a problem in an entry of a file a person wrote is told: in that file's words.

Not here: what is hashed, swapped or read, or why (``catalogue``, ``readcopy``,
``modelprep``, ``gemmaprep``, ``config``, ``corpus``, ``questions``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import ValidationError
from pydantic_core import PydanticCustomError


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex), read in blocks: model weights are over a gigabyte."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write(path: Path, text: str, durable: bool = False) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then a rename.

    A reader (or a crash) sees the old content or the new, never half. ``durable`` syncs
    the data to disk before the rename (the index's manifest: the switch to a new build).
    The temporary file is hidden and named by process, and removed if the write fails.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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


class _NoAliasLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing aliases too.

    Plain values only: a ``!!python`` tag is refused, never run. No file of ours has a use
    for aliases, and nine nested ones ("billion laughs") expand a few lines into gigabytes.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.YAMLError(f"aliases (*{event.anchor}) are not allowed here")
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    """Plain values from YAML; `yaml.YAMLError` for a tag, an alias or bad syntax."""
    return yaml.load(text, Loader=_NoAliasLoader)


def refuse(message: str) -> NoReturn:
    """Refuse a field's value from a pydantic validator with the file author's wording."""
    raise PydanticCustomError("refused", "{message}", {"message": message})


_EXTRA = ("extra_forbidden", "unexpected_keyword_argument")


def entry_problem(exc: ValidationError) -> str:
    """The first problem of one entry, as its author names things.

    Unknown fields first (a typo in a name explains the rest), then missing ones, then the
    first bad value in field order. pydantic's own wording is kept only for a value of the
    wrong type, prefixed with the field's name.
    """
    errors = exc.errors()
    unknown = sorted(str(e["loc"][-1]) for e in errors if e["type"] in _EXTRA)
    if unknown:
        return f"unknown field(s) {unknown}"
    missing = [e for e in errors if e["type"] in ("missing", "missing_argument")]
    first = (missing or errors)[0]
    name = ".".join(str(part) for part in first["loc"])
    if first in missing:
        return f"'{name}' is missing or empty"
    if first["type"] == "refused":
        return str(first["msg"])
    return f"'{name}': {first['msg']}"
