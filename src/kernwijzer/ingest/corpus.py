"""The corpus: source files plus their metadata, loaded and cleaned into `Document`s.

A document is described by an entry in ``corpus/sources.yaml``; ``.txt``, ``.md`` and
``.html`` files load. Cleaning itself lives in ``cleaning.py``; this module only reads,
validates and hands over. Not here: sections (``sections.py``) or chunks.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from kernwijzer.files import entry_problem, load_yaml, refuse
from kernwijzer.ingest.cleaning import clean
from kernwijzer.ingest.sections import Section
from kernwijzer.text.structure import SENTINELS, Mark

# A document id: a lower-case slug (file names, links and the archive are built from it).
DOC_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")
PROFILES = ("web", "pdf", "markdown", "structured")
STATUSES = ("active", "superseded")


class CorpusError(ValueError):
    """A corpus file or metadata entry that cannot be used; the message names it."""


# Metadata values a YAML file may give as a date or number; stored as the text they read as.
_AS_TEXT = ("date", "url", "publisher", "version", "added", "superseded_on")


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class SourceInfo:
    """What is known about one source document (unknown = None, never invented).

    Also the schema of a ``sources.yaml`` entry: an entry is validated by building one, and
    each refusal says what is wrong in the file's own terms (``files.entry_problem``).
    """

    id: str
    file: str
    title: str
    publisher: str | None = None
    kind: str | None = None
    url: str | None = None
    language: str = "nl"
    date: str | None = None
    group: str | None = None
    profile: str = "web"
    chrome: tuple[str, ...] = ()
    truncate_at: str | None = None
    running_header: str | None = None
    # Editions (``kernwijzer add``): the published file kept beside the text, its checksum,
    # the version as the publisher names it, and how editions follow each other.
    version: str | None = None
    original: str | None = None
    sha256: str | None = None
    added: str | None = None
    status: str = "active"
    replaces: str | None = None
    superseded_by: str | None = None
    superseded_on: str | None = None

    @field_validator("id", "file", "title", mode="before")
    @classmethod
    def _given(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str) or not value.strip():
            refuse(f"'{info.field_name}' is missing or empty")
        return value

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not DOC_ID.fullmatch(value):
            refuse("id must be lower-case letters, digits, '-'")
        return value

    @field_validator("file")
    @classmethod
    def _inside(cls, value: str) -> str:
        if Path(value).is_absolute() or ".." in Path(value).parts:
            refuse(f"file must be inside the corpus folder, not {value!r}")
        return value

    @field_validator(*_AS_TEXT, mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return None if value is None else str(value)

    @field_validator("url")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s<>\"']+", value):
            refuse(f"url must be an http(s) address, not {value!r}")
        return value

    @field_validator("chrome", mode="before")
    @classmethod
    def _lines(cls, value: object) -> object:
        return () if value is None else value

    @field_validator("profile", "status")
    @classmethod
    def _one_of(cls, value: str, info: ValidationInfo) -> str:
        allowed = PROFILES if info.field_name == "profile" else STATUSES
        if value not in allowed:
            refuse(f"{info.field_name} must be one of {allowed}")
        return value

    @property
    def edition(self) -> str | None:
        """Date and version as one label ("2026-03 · versie 2"), None if neither is known."""
        return edition_label(self.date, self.version)


def edition_label(date: str | None, version: str | None) -> str | None:
    """One label for a date and version ("2026-03 · versie 2"); None if neither is known."""
    parts = [p for p in (date, f"versie {version}" if version else None) if p]
    return " · ".join(parts) or None


@dataclass(frozen=True)
class Document:
    """A cleaned document: the single text every quote is taken from."""

    info: SourceInfo
    text: str
    raw_sha256: str
    extra: dict[str, str] = field(default_factory=dict)
    marks: tuple[Mark, ...] = ()  # table cells and page furniture (``structure``)

    @property
    def id(self) -> str:
        """The document id from the metadata."""
        return self.info.id


MAX_DOCUMENT_BYTES = 5_000_000  # a policy text is kilobytes; megabytes mean a wrong file


def _source_info(entry: object, index: int, meta_path: Path) -> SourceInfo:
    if not isinstance(entry, dict):
        raise CorpusError(f"{meta_path}: entry {index} is not a mapping")
    label = entry.get("id") or f"entry {index}"
    try:
        return SourceInfo(**{str(k): v for k, v in entry.items()})
    except ValidationError as exc:
        raise CorpusError(f"{meta_path}: {label}: {entry_problem(exc)}") from None


def load_sources(corpus_dir: Path, required: bool = True) -> list[SourceInfo]:
    """Read and validate ``sources.yaml``; raise `CorpusError` naming any bad entry.

    ``required=False`` reads a list that may be absent or empty (the archive's).
    """
    meta_path = corpus_dir / "sources.yaml"
    if not meta_path.exists():
        if not required:
            return []
        raise CorpusError(f"No corpus metadata: {meta_path} does not exist")
    try:
        entries = load_yaml(meta_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{meta_path} is not valid YAML: {exc}") from exc
    if not required and not entries:
        return []
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f"{meta_path} must be a non-empty list of documents")
    infos = [_source_info(e, i, meta_path) for i, e in enumerate(entries)]
    ids = [i.id for i in infos]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise CorpusError(f"{meta_path}: duplicate document id(s) {sorted(duplicates)}")
    return infos


def read_source(
    info: SourceInfo, corpus_dir: Path, max_bytes: int = MAX_DOCUMENT_BYTES
) -> tuple[str, str]:
    """Return the raw text of a source file and its SHA-256; HTML is reduced to text."""
    path = corpus_dir / info.file
    if not path.resolve().is_relative_to(corpus_dir.resolve()):
        raise CorpusError(f"Document '{info.id}': file must be inside the corpus folder")
    if not path.exists():
        raise CorpusError(f"Document '{info.id}': file {path} is missing")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise CorpusError(f"Document '{info.id}': {path.name} is not one of {SUPPORTED_SUFFIXES}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(
                f"Document '{info.id}': {path.name} is larger than the limit of {max_bytes} bytes "
                f"({size}); raise KERNWIJZER_MAX_DOCUMENT_BYTES if it is meant to be this big"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(
            f"Document '{info.id}': {path.name} cannot be read ({exc.strerror or exc})"
        ) from exc
    if b"\x00" in data:
        raise CorpusError(f"Document '{info.id}': {path.name} is binary, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"Document '{info.id}': {path.name} is not valid UTF-8 (byte {exc.start})"
        ) from exc
    if any(c in text for c in SENTINELS):
        # Cleaning uses these private-use characters for structure marks (``structure``).
        raise CorpusError(
            f"Document '{info.id}': {path.name} holds private-use characters U+E000-U+E002"
        )
    if path.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text, info.id)
    if not text.strip():
        raise CorpusError(f"Document '{info.id}': {path.name} is empty")
    return text, hashlib.sha256(data).hexdigest()


def html_to_text(markup: str, doc_id: str = "page") -> str:
    """A saved web page's main text in the structured format (``extraction``, trafilatura)."""
    from kernwijzer.ingest.extract import ExtractionError, html_text

    try:
        return html_text(markup, doc_id).text
    except ExtractionError as exc:
        raise CorpusError(f"Document '{doc_id}': {exc}") from exc


def load_corpus(corpus_dir: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> list[Document]:
    """Load and clean every document listed in ``sources.yaml``; refuse any bad one whole."""
    infos = [
        # A web page is read through its headings (``html_to_text``), like an added one.
        replace(info, profile="structured")
        if info.file.lower().endswith((".html", ".htm"))
        else info
        for info in load_sources(corpus_dir)
    ]
    raws = [read_source(info, corpus_dir, max_bytes) for info in infos]
    vocabulary = corpus_vocabulary(
        [raw for raw, _ in raws], [info.profile == "pdf" for info in infos]
    )
    documents = []
    for info, (raw, digest) in zip(infos, raws, strict=True):
        text, marks = clean(raw, info, vocabulary)
        documents.append(Document(info=info, text=text, raw_sha256=digest, marks=tuple(marks)))
    return documents


def corpus_vocabulary(texts: list[str], damaged: list[bool]) -> set[str]:
    """Lower-cased words of the corpus; cleaning only joins word pieces into these.

    Words of a damaged text (a PDF extraction with split words) count only if they occur
    at least twice there, so that its one-off fragments ('ge', 'baar') are not words.
    """
    words: set[str] = set()
    pattern = r"[^\W\d_]+(?:-[^\W\d_]+)*"
    for text, is_damaged in zip(texts, damaged, strict=True):
        found = [w.lower() for w in re.findall(pattern, text)]
        if is_damaged:
            found = [w for w, n in Counter(found).items() if n >= 2]
        words.update(found)
    return words


@dataclass
class LoadedDocument:
    """A cleaned document as stored in the index."""

    info: SourceInfo
    text: str
    sections: list[Section]
    marks: tuple[Mark, ...] = ()  # table cells and page furniture (``structure``)
    by_anchor: dict[str, Section] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_anchor = {s.anchor: s for s in self.sections}

    @classmethod
    def from_fields(
        cls,
        doc_id: str,
        text: str,
        info: dict[str, Any],
        sections: list[dict[str, Any]],
        marks: list[dict[str, Any]],
    ) -> LoadedDocument:
        """A stored document back from the fields `document_fields` gave, and its text."""
        return cls(
            SourceInfo(**info),
            text,
            [Section.from_dict(doc_id, s) for s in sections],
            tuple(Mark.from_dict(m) for m in marks),
        )


def document_fields(
    info: SourceInfo, sections: Sequence[Section], marks: Sequence[Mark]
) -> dict[str, Any]:
    """How a document is stored besides its text: metadata, section tree, marks.

    Ready for JSON, in the index and in an archived edition alike; read back by
    `LoadedDocument.from_fields`. The one place both directions are defined.
    """
    return {
        "info": asdict(info),
        "sections": [s.to_dict() for s in sections],
        "marks": [m.to_dict() for m in marks],
    }
