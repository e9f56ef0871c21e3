"""The corpus catalogue: adding a document, replacing an edition, listing what is there.

``kernwijzer add`` keeps the published file (``<id>.original.pdf``) beside its extracted
text (``<id>.txt``, the structured format of ``extraction``) and writes the entry in
``sources.yaml``. What the caller did not give stays ``null``: what a file says about itself
(its title, a page's date) is shown, and only the title is taken from it, because an entry
needs one. A replaced edition moves to ``corpus/archive/`` with its metadata and a frozen
copy of its cleaned text and sections, so links to it keep opening ("vervangen door …").

An add either completes or changes nothing: the new corpus is checked whole in a copy
first, the files are written under new names, and the active ``sources.yaml`` is replaced
last (one rename). Not here: the index (``kernwijzer index`` picks the change up).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from kernwijzer.files import atomic_write, load_yaml, sha256_of
from kernwijzer.ingest.corpus import (
    DOC_ID,
    CorpusError,
    LoadedDocument,
    SourceInfo,
    document_fields,
    load_corpus,
    load_sources,
)
from kernwijzer.ingest.extract import DOCX, HTML, PDF, Extracted, ExtractionError, extract
from kernwijzer.ingest.sections import build_sections, slug
from kernwijzer.text.language import detect_language

log = logging.getLogger(__name__)
ARCHIVE = "archive"
FROZEN = "{id}.document.json"  # an archived edition's text and sections, as last indexed
JOURNAL = ".kernwijzer-add.json"  # what an add in progress makes (``recover``)
KINDS = {PDF: "PDF", HTML: "web page (HTML)", DOCX: "Word document (DOCX)", "text": "text"}
MAX_ORIGINAL_BYTES = 100_000_000  # a published PDF with images; its text is checked apart
OPTIONAL = ("publisher", "date", "version", "url")


class CatalogueError(CorpusError):
    """An add or replace that was refused; the corpus is unchanged."""


@dataclass(frozen=True)
class NewDocument:
    """What the caller says about a file to add (None = not given)."""

    path: Path
    title: str | None = None
    publisher: str | None = None
    date: str | None = None
    version: str | None = None
    url: str | None = None
    replaces: str | None = None
    doc_id: str | None = None
    language: str | None = None
    group: str | None = None


@dataclass
class Added:
    """The result of an add: the entry written and what could not be determined."""

    info: SourceInfo
    extracted: Extracted
    sections: int
    unknown: list[str]
    notes: list[str] = field(default_factory=list)
    archived: SourceInfo | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``kernwijzer add --json``)."""
        return {
            "document": asdict(self.info),
            "format": self.extracted.kind,
            "pages": self.extracted.pages,
            "headings": self.extracted.headings,
            "sections": self.sections,
            "tables": self.extracted.tables,
            "table_rows": self.extracted.table_rows,
            "not_determined": self.unknown,
            "found_in_file": self.extracted.found,
            "notes": self.notes,
            "archived": asdict(self.archived) if self.archived else None,
        }


def editions(corpus_dir: Path) -> list[tuple[Path, SourceInfo]]:
    """Every document with the folder its files are in: active ones, then superseded ones.

    The active list wins: an add interrupted between writing the archive list and the
    active list leaves the document active, as if it had not been replaced.
    """
    active = load_sources(corpus_dir)
    ids = {i.id for i in active}
    archive = corpus_dir / ARCHIVE
    archived = [i for i in load_sources(archive, required=False) if i.id not in ids]
    return [(corpus_dir, i) for i in active] + [(archive, i) for i in archived]


def archived_sources(corpus_dir: Path) -> list[SourceInfo]:
    """The superseded editions kept in ``corpus/archive/``."""
    return [i for folder, i in editions(corpus_dir) if folder != corpus_dir]


def checksums(known: list[tuple[Path, SourceInfo]]) -> dict[str, str]:
    """Checksum of each document's published file (and text file) → document id."""
    out: dict[str, str] = {}
    for folder, info in known:
        for name in (info.original, info.file):
            if name and (folder / name).exists():
                out[sha256_of(folder / name)] = info.id
        if info.sha256:
            out[info.sha256] = info.id
    return out


def add_document(
    corpus_dir: Path,
    new: NewDocument,
    max_bytes: int,
    today: dt.date | None = None,
) -> Added:
    """Add ``new.path`` to the corpus (replacing ``new.replaces`` if given); see module doc."""
    today = today or dt.date.today()
    if (recovered := recover(corpus_dir)) is not None:
        log.warning("Before this add: %s", recovered)
    path = new.path
    _check_file(path)
    known = editions(corpus_dir)
    active = [i for folder, i in known if folder == corpus_dir]
    taken = {i.id for _, i in known}
    digest = sha256_of(path)
    if (same := checksums(known).get(digest)) is not None:
        raise CatalogueError(
            f"{path.name} is already in the corpus: it is the same file as document '{same}' "
            f"(SHA-256 {digest[:12]}…)"
        )
    old = _replaced(active, new.replaces)
    try:
        extracted = extract(path)
    except ExtractionError as exc:
        raise CatalogueError(str(exc)) from exc
    if len(extracted.text.encode("utf-8")) > max_bytes:
        raise CatalogueError(
            f"{path.name}: its text is larger than the limit of {max_bytes} bytes; raise "
            "KERNWIJZER_MAX_DOCUMENT_BYTES if it is meant to be this big"
        )
    notes: list[str] = []
    title = new.title or extracted.found.get("title") or extracted.text.split("\n", 1)[0].strip()
    if not new.title:
        notes.append(f"title taken from the file: {title!r} (pass --title to set another)")
    doc_id = new.doc_id or _new_id(title, taken, new, old)
    if new.doc_id and new.doc_id in taken:
        raise CatalogueError(f"Document id '{new.doc_id}' is already taken")
    language = new.language or _language(extracted.text)
    if not new.language:
        notes.append(f"language detected from the text: {language}")
    info = SourceInfo(
        id=doc_id,
        file=f"{doc_id}.txt",
        title=title,
        publisher=new.publisher,
        kind=KINDS[extracted.kind],
        url=new.url,
        language=language,
        date=new.date,
        group=new.group or (old.group if old else None),
        profile="structured",
        version=new.version,
        original=f"{doc_id}.original{path.suffix.lower()}",
        sha256=digest,
        added=today.isoformat(),
        replaces=old.id if old else None,
    )
    unknown = [k for k in OPTIONAL if getattr(info, k) is None]
    for key, value in extracted.found.items():
        if key in ("date", "creationdate") and not new.date:
            notes.append(
                f"the file states {key} {value!r}; not recorded as the edition date (pass "
                "--date if it is)"
            )
    plan = _plan(corpus_dir, path, info, extracted, old, today)
    sections = _commit(corpus_dir, plan, max_bytes)
    archived = (
        replace(old, status="superseded", superseded_by=info.id, superseded_on=today.isoformat())
        if old
        else None
    )
    return Added(info, extracted, sections, unknown, notes, archived)


def _check_file(path: Path) -> None:
    if path.is_symlink():
        # As sources.yaml refuses links: a link named like a policy document could serve any
        # file this machine can read (/etc/passwd) as a source.
        raise CatalogueError(
            f"{path}: a symbolic link; add the file it points to by its own path, after "
            "checking it is the document you mean"
        )
    if not path.is_file():
        raise CatalogueError(f"{path}: no such file")
    if path.stat().st_size > MAX_ORIGINAL_BYTES:
        raise CatalogueError(f"{path.name}: larger than {MAX_ORIGINAL_BYTES} bytes")


def _replaced(active: list[SourceInfo], replaces: str | None) -> SourceInfo | None:
    if replaces is None:
        return None
    for info in active:
        if info.id == replaces:
            return info
    raise CatalogueError(
        f"--replaces {replaces}: no active document with that id; the active ones are "
        f"{sorted(i.id for i in active)}"
    )


def _new_id(title: str, taken: set[str], new: NewDocument, old: SourceInfo | None) -> str:
    base = slug(title, set())[:48].rstrip("-")
    if old is not None and (base in taken or base == old.id):
        suffix = new.version or new.date or "nieuw"
        base = f"{old.id}-{slug(suffix, set())}"
    return slug(base, set(taken))


def _language(text: str) -> str:
    # The questions' detector: Dutch or English, as --language accepts.
    try:
        return detect_language(text[:5000])
    except OSError as exc:  # its model unpacks to a temporary file: a full disk stops it
        raise CatalogueError(
            f"The language of the text could not be detected ({exc.strerror or exc}); pass "
            "--language nl or --language en"
        ) from exc


@dataclass
class _Plan:
    """Every file an add writes, worked out before anything is written."""

    path: Path  # the published file
    info: SourceInfo
    extracted: Extracted
    old: SourceInfo | None  # the edition it replaces
    active_entries: list[dict[str, Any]]  # the new active list
    archive_entries: list[dict[str, Any]]  # the new archive list

    def old_files(self, folder: Path) -> list[str]:
        """The replaced edition's files in ``folder`` (copied to the archive, then removed)."""
        if self.old is None:
            return []
        return [n for n in (self.old.file, self.old.original) if n and (folder / n).exists()]

    def targets(self, folder: Path, frozen: str | None) -> list[Path]:
        """Every new file ``write`` makes, in the order it makes them."""
        made = [folder / str(self.info.original), folder / self.info.file]
        if self.old is not None:
            made += [folder / ARCHIVE / name for name in self.old_files(folder)]
            if frozen is not None:
                made.append(folder / ARCHIVE / FROZEN.format(id=self.old.id))
        return made

    def write(self, folder: Path, frozen: str | None, made: list[Path]) -> None:
        """Write the new files into ``folder``, the active list last.

        Only new names are written before the active list (the published file, its text,
        the old edition's copies in the archive); each is added to ``made`` before it is
        written, so a failure part-way knows what to remove.
        """
        made.append(folder / str(self.info.original))
        shutil.copy2(self.path, made[-1])
        made.append(folder / self.info.file)
        atomic_write(made[-1], self.extracted.text)
        if self.old is not None:
            archive = folder / ARCHIVE
            archive.mkdir(exist_ok=True)
            for name in self.old_files(folder):
                made.append(archive / name)
                shutil.copy2(folder / name, made[-1])
            if frozen is not None:
                made.append(archive / FROZEN.format(id=self.old.id))
                made[-1].write_text(frozen, encoding="utf-8")
            _write_entries(archive / "sources.yaml", self.archive_entries)
        _write_entries(folder / "sources.yaml", self.active_entries)


def _commit(corpus_dir: Path, plan: _Plan, max_bytes: int) -> int:
    """Check the new corpus whole in a copy, then write it; the active list goes last.

    A failure while writing for real (a full disk) removes what this add made and puts
    the archive list back, so the corpus is as it was. Returns the new document's number
    of sections.
    """
    path, info, old = plan.path, plan.info, plan.old
    try:
        with tempfile.TemporaryDirectory(dir=corpus_dir.parent, prefix=".kernwijzer-add-") as tmp:
            stage = Path(tmp) / "corpus"
            shutil.copytree(corpus_dir, stage)
            plan.write(stage, None, [])
            documents = {d.id: d for d in load_corpus(stage, max_bytes)}
    except CorpusError as exc:
        raise CatalogueError(f"{path.name} cannot be added: {exc}") from exc
    except OSError as exc:  # the staging copy did not fit (a full disk): nothing written
        raise CatalogueError(
            f"{path.name} could not be checked ({exc.strerror or exc}); nothing was added"
        ) from exc
    doc = documents[info.id]
    sections = len(build_sections(doc.id, doc.info.title, doc.text, doc.marks)) - 1
    # The frozen copy is made from the corpus as it stands: what the index was built from,
    # so the offsets in links already given out still fit.
    frozen = _frozen(corpus_dir, old, plan.archive_entries[-1]) if old else None
    archive_list = corpus_dir / ARCHIVE / "sources.yaml"
    journal = {
        "adds": info.id,
        "made": [str(t.relative_to(corpus_dir)) for t in plan.targets(corpus_dir, frozen)],
        "archive_list": archive_list.read_text("utf-8") if archive_list.exists() else None,
        "then_remove": plan.old_files(corpus_dir),
    }
    made: list[Path] = []
    try:
        # Written first: an add killed at any point is finished or undone by the next one
        # (``recover``), so no half-written edition and no unreferenced file stays behind.
        atomic_write(corpus_dir / JOURNAL, json.dumps(journal, ensure_ascii=False))
        plan.write(corpus_dir, frozen, made)
    except OSError as exc:
        _undo(corpus_dir, journal)
        raise CatalogueError(
            f"{path.name} could not be written ({exc.strerror or exc}); nothing was added"
        ) from exc
    _finish(corpus_dir, journal)
    return sections


def recover(corpus_dir: Path) -> str | None:
    """Finish or undo an add that was interrupted; say which (None: there was none).

    The journal names the files the add made and the replaced edition's files it was to
    remove. If the active list already names the new document the add had switched: the
    old files go. Else nothing of it counts: what it made goes and the archive list is put
    back. Staging copies of killed adds (``.kernwijzer-add-*``) are removed as well; adds
    run one at a time (the index lock), so none of them is in use.
    """
    for stale in corpus_dir.parent.glob(".kernwijzer-add-*"):
        shutil.rmtree(stale, ignore_errors=True)
    path = corpus_dir / JOURNAL
    if not path.exists():
        return None
    try:
        journal = json.loads(path.read_text("utf-8"))
        active = {str(e.get("id")) for e in _entries(corpus_dir / "sources.yaml")}
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise CatalogueError(
            f"{path} (an interrupted add's journal) cannot be read ({exc}); look at it, and "
            "remove it once corpus/sources.yaml is as you want it"
        ) from exc
    if journal["adds"] in active:
        _finish(corpus_dir, journal)
        return f"an interrupted add of '{journal['adds']}' was finished"
    _undo(corpus_dir, journal)
    return f"an interrupted add of '{journal['adds']}' was undone"


def _finish(corpus_dir: Path, journal: dict[str, Any]) -> None:
    for name in journal["then_remove"]:
        (corpus_dir / name).unlink(missing_ok=True)
    (corpus_dir / JOURNAL).unlink(missing_ok=True)


def _undo(corpus_dir: Path, journal: dict[str, Any]) -> None:
    for name in journal["made"]:
        (corpus_dir / name).unlink(missing_ok=True)
    archive_list = corpus_dir / ARCHIVE / "sources.yaml"
    if journal["archive_list"] is not None:
        atomic_write(archive_list, journal["archive_list"])
    else:
        archive_list.unlink(missing_ok=True)
    (corpus_dir / JOURNAL).unlink(missing_ok=True)


def _plan(
    corpus_dir: Path,
    path: Path,
    info: SourceInfo,
    extracted: Extracted,
    old: SourceInfo | None,
    today: dt.date,
) -> _Plan:
    active = _entries(corpus_dir / "sources.yaml")
    archive = _entries(corpus_dir / ARCHIVE / "sources.yaml")
    entry = {k: v for k, v in asdict(info).items() if v not in (None, (), "")}
    entry.pop("chrome", None)
    if old is not None:
        archive = [e for e in archive if e.get("id") != old.id]
        archive.append(
            {
                **next(e for e in active if e.get("id") == old.id),
                "status": "superseded",
                "superseded_by": info.id,
                "superseded_on": today.isoformat(),
            }
        )
        active = [e for e in active if e.get("id") != old.id]
    return _Plan(path, info, extracted, old, [*active, entry], archive)


def _frozen(corpus_dir: Path, old: SourceInfo, entry: dict[str, Any]) -> str:
    documents = {d.id: d for d in load_corpus(corpus_dir)}
    doc = documents[old.id]
    sections = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
    fields = document_fields(doc.info, sections, doc.marks)
    return json.dumps(
        {
            "info": {
                **fields["info"],
                **{k: entry[k] for k in ("status", "superseded_by", "superseded_on")},
            },
            "text": doc.text,
            "sections": fields["sections"],
            "marks": fields["marks"],
        },
        ensure_ascii=False,
    )


HEADER_RE = re.compile(r"^(#.*\n)+")


def _entries(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    data = load_yaml(path.read_text(encoding="utf-8")) or []
    return list(data)


def _write_entries(path: Path, entries: list[dict[str, Any]]) -> None:
    """Write a sources list, keeping the file's leading comment block."""
    header = ""
    if path.exists() and (m := HEADER_RE.match(path.read_text(encoding="utf-8"))):
        header = m.group(0)
    body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
    atomic_write(path, header + body)


# ------------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class Listed:
    """One row of ``kernwijzer sources``."""

    info: SourceInfo
    checksum: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        keys = ("id", "title", "publisher", "date", "version", "status", "superseded_by")
        return {**{k: getattr(self.info, k) for k in keys}, "sha256": self.checksum}


def list_sources(corpus_dir: Path) -> list[Listed]:
    """Active documents, then superseded editions, each with its published file's checksum."""
    rows = []
    for folder, info in editions(corpus_dir):
        name = info.original or info.file
        checksum = info.sha256 or (
            sha256_of(folder / name) if (folder / name).exists() else "missing"
        )
        rows.append(Listed(info, checksum))
    return rows


MAX_ID_CHARS = 120


def archived_document(corpus_dir: Path, doc_id: str) -> LoadedDocument | None:
    """A superseded edition as it was last indexed (its frozen copy), or None."""
    # A document id is a short slug; anything else is no document (and a 250-character
    # name would be too long for the file system to even look up).
    if len(doc_id) > MAX_ID_CHARS or not DOC_ID.fullmatch(doc_id):
        return None
    path = corpus_dir / ARCHIVE / FROZEN.format(id=doc_id)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LoadedDocument.from_fields(
            doc_id, str(data["text"]), data["info"], data["sections"], data["marks"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged frozen copy is a page not found, not a crash
