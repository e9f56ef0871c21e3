"""The active index, read once into memory for answering.

Holds the cleaned documents with their section trees (to verify and locate quotes), the
chunks and sentences with their vectors (to rescore candidates exactly) and BM25 indexes
over both (lexical retrieval). Not here: the scoring itself (``retrieval/fusion.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from kernwijzer.index import readcopy
from kernwijzer.index.bm25 import Bm25Index
from kernwijzer.index.store import IndexCorruptError, IndexMissingError, IndexStore, Manifest
from kernwijzer.ingest.corpus import LoadedDocument

NO_INDEX = "There is no index yet at {where}. Build it with: kernwijzer index"


@dataclass
class Passages:
    """Chunks or sentences: parallel lists plus their vector matrix."""

    ids: list[str]
    texts: list[str]
    doc_ids: list[str]
    anchors: list[str]
    starts: np.ndarray
    ends: np.ndarray
    vectors: np.ndarray
    extra: list[dict[str, object]]
    position: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position = {pid: i for i, pid in enumerate(self.ids)}


def _passages(store: IndexStore, manifest: Manifest, kind: str) -> Passages:
    rows = store.read(manifest, kind)
    metas = rows.metadatas
    return Passages(
        ids=rows.ids,
        texts=rows.texts,
        doc_ids=[str(m["doc_id"]) for m in metas],
        anchors=[str(m["anchor"]) for m in metas],
        starts=np.array([int(m["start"]) for m in metas], dtype=np.int64),
        ends=np.array([int(m["end"]) for m in metas], dtype=np.int64),
        vectors=rows.embeddings,
        extra=[{k: v for k, v in m.items() if k in ("chunk_id", "kind", "path")} for m in metas],
    )


@dataclass
class IndexSnapshot:
    """Everything answering needs, from one build of the index."""

    manifest: Manifest
    documents: dict[str, LoadedDocument]
    chunks: Passages
    sentences: Passages
    chunk_bm25: Bm25Index
    sentence_bm25: Bm25Index

    @classmethod
    def load(cls, store: IndexStore, model_id: str) -> IndexSnapshot:
        """Read the active build; refuse one that is missing, corrupt or of another model."""
        manifest = store.manifest()
        if manifest is None:
            raise IndexMissingError(NO_INDEX.format(where=store.where))
        if manifest.model_id != model_id:
            raise IndexCorruptError(
                f"The index at {store.where} was built with model {manifest.model_id!r}, but "
                f"{model_id!r} is configured; its vectors would give wrong answers. "
                "Rebuild it with: kernwijzer index --rebuild"
            )
        docs_rows = store.read(manifest, "documents", embeddings=False)
        documents: dict[str, LoadedDocument] = {}
        for doc_id, text, meta in zip(
            docs_rows.ids, docs_rows.texts, docs_rows.metadatas, strict=True
        ):
            documents[doc_id] = LoadedDocument.from_fields(
                doc_id,
                text,
                json.loads(str(meta["info"])),
                json.loads(str(meta["sections"])),
                json.loads(str(meta.get("marks") or "[]")),
            )
        copy = store.read_copy_dir(manifest)
        chunks = _passages(store, manifest, "chunks")
        sentences = _passages(store, manifest, "sentences")
        _check_offsets(documents, chunks)
        trusted = store.read_copy_state(manifest) == "ok"
        snapshot = cls(
            manifest=manifest,
            documents=documents,
            chunks=chunks,
            sentences=sentences,
            chunk_bm25=Bm25Index.cached(chunks.texts, copy / "chunks.bm25", trusted),
            sentence_bm25=Bm25Index.cached(sentences.texts, copy / "sentences.bm25", trusted),
        )
        if not trusted or not (copy / readcopy.DIGESTS).exists():
            # Written from the store of record just now (or a BM25 index rebuilt for a new
            # tokenizer): seal what is there now.
            store.seal_read_copy(manifest)
        return snapshot


def _check_offsets(documents: dict[str, LoadedDocument], chunks: Passages) -> None:
    """A stored chunk must still be the text at its offsets, or the index is damaged."""
    for i, doc_id in enumerate(chunks.doc_ids):
        doc = documents.get(doc_id)
        if doc is None or doc.text[chunks.starts[i] : chunks.ends[i]] != chunks.texts[i]:
            raise IndexCorruptError(
                f"Chunk {chunks.ids[i]} does not match its document. "
                "Rebuild it with: kernwijzer index --rebuild"
            )
