"""Building the index: corpus → sections → chunks and sentences → embeddings → Chroma.

Incremental: every text carries a content hash, and embeddings of unchanged texts are
copied from the active build instead of recomputed; a changed model or ``--rebuild``
recomputes all. A build that changes nothing at all is skipped. Safe: the new build is
written aside and switched to only when complete (see ``store.py``).
Not here: answering questions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from chromadb.errors import ChromaError

from kernwijzer.config import Settings
from kernwijzer.files import load_yaml
from kernwijzer.index.embedding import Embedder
from kernwijzer.index.store import (
    IndexCorruptError,
    IndexStore,
    IndexWriteError,
    Manifest,
    ReadCopyDamagedError,
)
from kernwijzer.ingest.changes import DocumentChange, Outline, document_changes, outline
from kernwijzer.ingest.corpus import Document, document_fields, load_corpus
from kernwijzer.ingest.sections import Section, build_sections

if TYPE_CHECKING:
    # Chunking and nodes are llama-index's: imported when a build needs them, so that a run
    # that finds nothing changed is a hash comparison without loading llama-index.
    from llama_index.core.schema import TextNode

    from kernwijzer.ingest.chunking import Chunk, Sentence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """Everything derived from the corpus before embedding."""

    documents: list[Document]
    sections: dict[str, list[Section]]
    chunks: list[Chunk]
    sentences: list[Sentence]


@dataclass(frozen=True)
class IndexReport:
    """What ``kernwijzer index --json`` prints."""

    documents: int
    sections: int
    chunks: int
    sentences: int
    embedded: int
    reused: int
    removed: int
    seconds: float
    model: str
    store: str
    sentences_embedded: int = 0
    sentences_reused: int = 0
    skipped: bool = False
    repaired: bool = False  # the active build was broken and has been rebuilt
    # Per document, the sections added, removed and changed since the previous build.
    changes: list[DocumentChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``kernwijzer index --json``)."""
        return {**asdict(self), "changes": [c.to_dict() for c in self.changes]}

    def summary(self) -> str:
        """One line for people (``--json`` prints the fields instead)."""
        action = "unchanged" if self.skipped else f"embedded {self.embedded}, reused {self.reused}"
        if self.repaired:
            action = f"repaired a broken index: {action}"
        line = (
            f"Index at {self.store}: {self.documents} documents, {self.sections} sections, "
            f"{self.chunks} chunks, {self.sentences} sentences ({action}, removed "
            f"{self.removed}) in {self.seconds:.1f} s"
        )
        return "\n".join([line, *(f"  {c.summary()}" for c in self.changes)])


def prepare(settings: Settings, embedder: Embedder, progress: bool = False) -> Prepared:
    """Load, clean, section and chunk the corpus (a bar per document with ``progress``)."""
    from kernwijzer.ingest.chunking import chunk_document, make_splitter, sentences_for

    documents = load_corpus(settings.corpus.corpus_dir, settings.corpus.max_document_bytes)
    splitter = make_splitter(
        embedder.tokenize, settings.chunking.chunk_tokens, settings.chunking.chunk_overlap
    )
    sections, chunks, sentences = {}, [], []
    shown: Any = documents
    if progress:
        from tqdm import tqdm

        shown = tqdm(documents, desc="Sections and chunks", unit="document")
    for doc in shown:
        secs = build_sections(doc.id, doc.info.title, doc.text, doc.marks)
        doc_chunks = chunk_document(doc, secs, splitter)
        sections[doc.id] = secs
        chunks += doc_chunks
        sentences += sentences_for(doc, doc_chunks, secs)
    return Prepared(documents, sections, chunks, sentences)


def fingerprint(prepared: Prepared, model_id: str) -> str:
    """Changes whenever anything that ends up in the index would change."""
    digest = hashlib.sha256(model_id.encode())
    for doc in prepared.documents:
        digest.update(json.dumps(asdict(doc.info), sort_keys=True).encode())
        digest.update(doc.text.encode())
        digest.update(json.dumps([s.to_dict() for s in prepared.sections[doc.id]]).encode())
        digest.update(json.dumps([m.to_dict() for m in doc.marks]).encode())
    for chunk in prepared.chunks:
        digest.update(f"{chunk.id}|{chunk.end}|{chunk.anchor}|{chunk.embed_text}".encode())
    for sentence in prepared.sentences:
        digest.update(
            f"{sentence.id}|{sentence.end}|{sentence.chunk_id}|{sentence.kind}|"
            f"{sentence.embed_text}".encode()
        )
    return digest.hexdigest()[:24]


def _reusable(
    store: IndexStore, manifest: Manifest | None, model_id: str
) -> tuple[dict[str, list[float]], set[str]]:
    """Hash → embedding from the active build (same model only), and its chunk ids."""
    if manifest is None:
        return {}, set()
    found: dict[str, list[float]] = {}
    chunk_ids: set[str] = set()
    for kind in ("chunks", "sentences"):
        try:
            rows = store.read(manifest, kind)
        except Exception:
            log.warning("Previous build unreadable; embedding everything again")
            return {}, set()
        if kind == "chunks":
            chunk_ids = set(rows.ids)
        if manifest.model_id == model_id:
            for meta, vec in zip(rows.metadatas, rows.embeddings, strict=True):
                found[meta["hash"]] = list(map(float, vec))
    return found, chunk_ids


def _embed_missing(
    texts: list[str],
    hashes: list[str],
    known: dict[str, list[float]],
    embedder: Embedder,
    progress: bool,
) -> int:
    """Embed every text whose hash is not known yet, in one call, and remember the vectors.

    One call lets sentence-transformers sort all texts by length before batching, which
    on this corpus (short sentences, long chunks) halves the padding work.
    """
    todo: dict[str, str] = {}
    for text, h in zip(texts, hashes, strict=True):
        if h not in known:
            todo.setdefault(h, text)
    if todo:
        vectors = embedder.passage_inputs(list(todo.values()), progress=progress)
        for h, vec in zip(todo, vectors, strict=True):
            known[h] = vec.tolist()
    return len(todo)


def _node(
    node_id: str, doc_id: str, text: str, vector: list[float], meta: dict[str, Any]
) -> TextNode:
    """A llama-index node whose source document is ``doc_id`` (stored as its doc_id)."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    node = TextNode(id_=node_id, text=text, embedding=vector, metadata=meta)
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=doc_id)
    return node


def _document_metadata(doc: Document, sections: list[Section]) -> dict[str, Any]:
    """A document row's metadata: its stored fields as JSON strings (Chroma keeps scalars)."""
    fields = document_fields(doc.info, sections, doc.marks)
    return {
        "info": json.dumps(fields["info"], ensure_ascii=False),
        "sections": json.dumps(fields["sections"], ensure_ascii=False),
        "raw_sha256": doc.raw_sha256,
        "marks": json.dumps(fields["marks"], ensure_ascii=False),
    }


def _nodes(
    prepared: Prepared, embedder: Embedder, known: dict[str, list[float]], progress: bool
) -> tuple[dict[str, list[TextNode]], dict[str, int]]:
    from kernwijzer.ingest.chunking import content_hash

    # What each text is embedded as, prompt and title included: its hash decides reuse.
    chunk_texts = [embedder.passage_input(c.title, c.text, c.embed_text) for c in prepared.chunks]
    chunk_hashes = [content_hash(embedder.model_id + t) for t in chunk_texts]
    sent_texts = [embedder.passage_input(s.title, s.text, s.embed_text) for s in prepared.sentences]
    sent_hashes = [content_hash(embedder.model_id + t) for t in sent_texts]
    chunk_new = len({h for h in chunk_hashes if h not in known})
    sent_new = len({h for h in sent_hashes if h not in known} - set(chunk_hashes))
    _embed_missing(chunk_texts + sent_texts, chunk_hashes + sent_hashes, known, embedder, progress)
    chunk_vecs = [known[h] for h in chunk_hashes]
    sent_vecs = [known[h] for h in sent_hashes]
    chunk_nodes = [
        _node(c.id, c.doc_id, c.text, v, {**c.store_metadata(), "hash": h})
        for c, v, h in zip(prepared.chunks, chunk_vecs, chunk_hashes, strict=True)
    ]
    sentence_nodes = [
        _node(s.id, s.doc_id, s.text, v, {**s.store_metadata(), "hash": h})
        for s, v, h in zip(prepared.sentences, sent_vecs, sent_hashes, strict=True)
    ]
    document_nodes = [
        # Chroma wants a vector on every row; documents are looked up by id only.
        _node(
            d.id,
            d.id,
            d.text,
            [1.0],
            _document_metadata(d, prepared.sections[d.id]),
        )
        for d in prepared.documents
    ]
    counts = {"chunk_new": chunk_new, "sentence_new": sent_new}
    return {"chunks": chunk_nodes, "sentences": sentence_nodes, "documents": document_nodes}, counts


def build_index(
    settings: Settings,
    embedder: Embedder | None = None,
    rebuild: bool = False,
    progress: bool = True,
) -> IndexReport:
    """Build or update the index; see the module docstring."""
    started = time.perf_counter()
    embedder = embedder or Embedder(settings.embedding)
    store = IndexStore(settings)
    with store.lock():
        quick = source_fingerprint(settings, embedder.model_id)
        if not rebuild and (unchanged := _unchanged(store, quick, settings, started)):
            return unchanged
        prepared = prepare(settings, embedder, progress)
        active = None if rebuild else _safe_manifest(store)
        fp = fingerprint(prepared, embedder.model_id)
        n_sections = sum(len(v) for v in prepared.sections.values())
        base: dict[str, Any] = {
            "documents": len(prepared.documents),
            "sections": n_sections,
            "chunks": len(prepared.chunks),
            "sentences": len(prepared.sentences),
            "model": settings.embedding.model,
            "store": store.where,
        }
        repaired = False
        if active is not None:
            try:
                repaired = _repair_read_copy(store, active)
                store.verify(active)
            except IndexCorruptError as exc:
                # "Unchanged" must mean usable: a broken active build is rebuilt, and said so.
                log.warning("Active build is broken, rebuilding it: %s", exc)
                active, repaired = None, True
        totals = {k: base[k] for k in ("documents", "sections", "chunks", "sentences")}
        if active is not None and active.fingerprint == fp:
            store.remove_other_builds(active.build_id)  # leftovers of a killed run
            # Same index from new inputs (a code or file change that changes nothing):
            # remember them, so the next run is a fingerprint check.
            store.annotate(replace(active, source_fingerprint=quick, totals=totals))
            return IndexReport(
                **base,
                embedded=0,
                reused=len(prepared.chunks),
                removed=0,
                seconds=round(time.perf_counter() - started, 3),
                sentences_reused=len(prepared.sentences),
                skipped=True,
                repaired=repaired,
            )
        # A first build (or a rebuild) has nothing to compare with: no per-document list.
        changes = (
            document_changes(_outlines_of(store, active), _outlines(prepared)) if active else []
        )
        known, old_chunks = _reusable(store, active, embedder.model_id)
        nodes, counts = _nodes(prepared, embedder, known, progress)
        manifest = Manifest(
            build_id=store.new_build_id(),
            model_id=embedder.model_id,
            dim=embedder.dim,
            fingerprint=fp,
            created=time.time(),
            counts={k: len(v) for k, v in nodes.items()},
            source_fingerprint=quick,
            totals=totals,
        )
        _write_build(store, manifest, nodes)
        new_ids = {n.node_id for n in nodes["chunks"]}
        return IndexReport(
            **base,
            embedded=counts["chunk_new"],
            reused=len(prepared.chunks) - counts["chunk_new"],
            removed=len(old_chunks - new_ids),
            seconds=round(time.perf_counter() - started, 3),
            sentences_embedded=counts["sentence_new"],
            sentences_reused=len(prepared.sentences) - counts["sentence_new"],
            repaired=repaired,
            changes=changes,
        )


def _outlines(prepared: Prepared) -> dict[str, Outline]:
    return {d.id: outline(d.text, prepared.sections[d.id]) for d in prepared.documents}


def _outlines_of(store: IndexStore, active: Manifest | None) -> dict[str, Outline]:
    """The section outlines of the active build's documents ({} when there is none)."""
    if active is None:
        return {}
    rows = store.read(active, "documents", embeddings=False)
    out = {}
    for doc_id, text, meta in zip(rows.ids, rows.texts, rows.metadatas, strict=True):
        sections = [Section.from_dict(doc_id, s) for s in json.loads(str(meta["sections"]))]
        out[doc_id] = outline(text, sections)
    return out


def _write_build(store: IndexStore, manifest: Manifest, nodes: dict[str, list[TextNode]]) -> None:
    """Write a new build and make it active; on failure remove it and keep the old one.

    A half-written build is deleted at once, not at the next run: on a full disk its files
    are what the disk needs back. A store that cannot be written (disk full, permissions,
    a damaged store) is `IndexWriteError`; anything else is a bug and propagates.
    """
    try:
        for kind in ("documents", "chunks", "sentences"):
            store.write(manifest.build_id, kind, nodes[kind])
        write_read_copy(store, manifest)  # the first start loads fast
        store.switch(manifest)
    except BaseException as exc:
        if _is_active(store, manifest.build_id):
            raise  # switched already: only the clean-up of old builds failed
        store.discard(manifest.build_id)
        if not isinstance(exc, (OSError, ChromaError)):
            raise
        kept = "The unfinished build was removed and the previous index is still in use."
        if store.out_of_room(exc):
            raise IndexWriteError(
                f"Not enough disk space to write the index at {store.where} ({exc}). {kept} "
                "Free some space, then run: kernwijzer index"
            ) from exc
        raise IndexWriteError(
            f"The index at {store.where} could not be written ({exc}). {kept}"
        ) from exc


def write_read_copy(store: IndexStore, manifest: Manifest) -> None:
    """Write a build's read copy from the store of record, its BM25 indexes, then seal it."""
    from kernwijzer.index.bm25 import Bm25Index

    copy = store.read_copy_dir(manifest)
    for kind in ("documents", "chunks", "sentences"):
        records = store.read(manifest, kind)
        if kind != "documents":
            Bm25Index.cached(records.texts, copy / f"{kind}.bm25", trusted=False)
    store.seal_read_copy(manifest)


def _repair_read_copy(store: IndexStore, manifest: Manifest) -> bool:
    """Rebuild a damaged read copy from Chroma; True when it was damaged."""
    try:
        store.read_copy_state(manifest)
        return False
    except ReadCopyDamagedError as exc:
        log.warning("%s; writing it again from the store of record", exc)
        store.drop_read_copy(manifest)
        write_read_copy(store, manifest)
        return True


def _is_active(store: IndexStore, build_id: str) -> bool:
    manifest = _safe_manifest(store)
    return manifest is not None and manifest.build_id == build_id


# The modules whose code shapes what is indexed; an edit to any of them forces a full check.
SHAPING = (
    "ingest/corpus",
    "ingest/extract/__init__",  # a web page in the corpus is read through it
    "ingest/extract/common",
    "ingest/extract/html",
    "ingest/cleaning",
    "ingest/tables",
    "text/structure",
    "ingest/sections",
    "ingest/chunking",
    "index/embedding",  # its tokenizer sizes the chunks
    "index/build",
)


def source_fingerprint(settings: Settings, model_id: str) -> str:
    """A hash of everything an index is made from, read as bytes: no parsing, no model.

    The corpus folder's ``sources.yaml`` and every file it names, the settings that shape
    chunks, the model id and the code of the shaping modules. Equal to the active build's
    means a no-op run; a file that cannot be read gives a hash that matches nothing, so the
    full run reports the problem.
    """
    digest = hashlib.sha256(model_id.encode())
    shape = {
        "chunk_tokens": settings.chunking.chunk_tokens,
        "chunk_overlap": settings.chunking.chunk_overlap,
        "max_document_bytes": settings.corpus.max_document_bytes,
    }
    digest.update(json.dumps(shape, sort_keys=True).encode())
    package = Path(__file__).parents[1]  # the kernwijzer package
    for name in SHAPING:
        digest.update((package / f"{name}.py").read_bytes())
    meta = settings.corpus.corpus_dir / "sources.yaml"
    try:
        digest.update(meta.read_bytes())
        for entry in load_yaml(meta.read_text(encoding="utf-8")) or []:
            digest.update((settings.corpus.corpus_dir / str(entry["file"])).read_bytes())
    except (OSError, yaml.YAMLError, TypeError, KeyError, UnicodeDecodeError):
        digest.update(os.urandom(16))
    return digest.hexdigest()[:24]


def _unchanged(
    store: IndexStore, quick: str, settings: Settings, started: float
) -> IndexReport | None:
    """The report of a no-op run when the active build was made from these very inputs."""
    active = _safe_manifest(store)
    if active is None or active.source_fingerprint != quick or not active.totals:
        return None
    try:
        repaired = _repair_read_copy(store, active)  # the store of record is intact
        store.verify(active)
    except IndexCorruptError:
        return None  # the full run repairs it and says so
    store.remove_other_builds(active.build_id)
    t = active.totals
    return IndexReport(
        documents=t["documents"],
        sections=t["sections"],
        chunks=t["chunks"],
        sentences=t["sentences"],
        embedded=0,
        reused=t["chunks"],
        removed=0,
        seconds=round(time.perf_counter() - started, 3),
        model=settings.embedding.model,
        store=store.where,
        sentences_reused=t["sentences"],
        skipped=True,
        repaired=repaired,
    )


def _safe_manifest(store: IndexStore) -> Manifest | None:
    try:
        return store.manifest()
    except Exception:
        log.warning("Existing index unreadable; building a fresh one")
        return None
