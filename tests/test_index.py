"""Building the index: incremental, safe against crashes and concurrent runs, model-checked.

The fake encoder (``tests/fakes.py``) stands in for the model where only the build's own
logic is tested; the full-corpus and no-op checks use the real one.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest
import yaml

from kernwijzer.config import load_settings
from kernwijzer.index.build import build_index
from kernwijzer.index.snapshot import IndexSnapshot
from kernwijzer.index.store import (
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexStore,
)
from kernwijzer.pipeline import Kernwijzer
from tests.fakes import FakeEmbedder

FIELDS = {
    "documents",
    "sections",
    "chunks",
    "sentences",
    "embedded",
    "reused",
    "removed",
    "seconds",
    "model",
    "store",
}


def test_full_index_counts_and_second_run_reuses_everything(index_settings, embedder):
    manifest = IndexStore(index_settings).manifest()
    assert manifest is not None and manifest.counts["documents"] == 5
    again = asdict(build_index(index_settings, embedder=embedder, progress=False))
    assert set(again) >= FIELDS
    assert again["reused"] == again["chunks"] and again["embedded"] == 0
    assert again["documents"] == 5 and again["sections"] > 60 and again["chunks"] > 100


def test_incremental_update_embeds_only_what_changed(small_settings, fake_embedder):
    first = build_index(small_settings, embedder=fake_embedder, progress=False)
    assert first.embedded == first.chunks and first.reused == 0
    doc = small_settings.corpus.corpus_dir / "004_79db686d74906387.txt"
    doc.write_text(
        doc.read_text(encoding="utf-8").replace(
            "24 x 7 bereikbaar voor spoed", "24 x 7 bereikbaar voor spoedeisende zorg"
        ),
        encoding="utf-8",
    )
    second = build_index(small_settings, embedder=fake_embedder, progress=False)
    assert 0 < second.embedded < second.chunks
    assert second.reused == second.chunks - second.embedded
    # Drop a document: its chunks are removed, nothing is embedded.
    entries = yaml.safe_load(
        (small_settings.corpus.corpus_dir / "sources.yaml").read_text(encoding="utf-8")
    )
    (small_settings.corpus.corpus_dir / "sources.yaml").write_text(
        yaml.safe_dump([e for e in entries if e["id"] != "lhv-aanbod-web"], allow_unicode=True),
        encoding="utf-8",
    )
    third = build_index(small_settings, embedder=fake_embedder, progress=False)
    assert third.documents == 1 and third.embedded == 0 and third.removed > 0
    assert len(list((small_settings.store.index_dir / "builds").iterdir())) == 1  # old builds gone


def test_missing_corrupt_and_foreign_indexes_are_refused(small_settings, fake_embedder, tmp_path):
    with pytest.raises(IndexMissingError, match="kernwijzer index"):
        Kernwijzer(small_settings, fake_embedder).answer("Wat is segment 1?")
    build_index(small_settings, embedder=fake_embedder, progress=False)
    store = IndexStore(small_settings)
    assert IndexSnapshot.load(store, fake_embedder.model_id).chunks.ids
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        IndexSnapshot.load(store, "another-model|query: |passage: ")
    manifest_path = small_settings.store.index_dir / "manifest.json"
    good = manifest_path.read_text(encoding="utf-8")
    manifest_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        IndexSnapshot.load(store, fake_embedder.model_id)
    data = json.loads(good)
    data["counts"]["chunks"] += 1
    manifest_path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="manifest says"):
        IndexSnapshot.load(store, fake_embedder.model_id)
    # A rebuild repairs it.
    build_index(small_settings, embedder=fake_embedder, rebuild=True, progress=False)
    assert IndexSnapshot.load(store, fake_embedder.model_id).chunks.ids


def test_a_second_concurrent_build_is_refused(small_settings, fake_embedder):
    store = IndexStore(small_settings)
    with store.lock(), pytest.raises(IndexLockedError, match="Another 'kernwijzer index'"):
        build_index(small_settings, embedder=fake_embedder, progress=False)


def test_model_change_forces_a_full_rebuild(small_settings, fake_embedder):
    build_index(small_settings, embedder=fake_embedder, progress=False)
    other = load_settings(
        corpus_dir=small_settings.corpus.corpus_dir,
        index_dir=small_settings.store.index_dir,
        passage_prefix="passage:  ",
    )
    report = build_index(other, embedder=FakeEmbedder(other.embedding), progress=False)
    assert report.embedded == report.chunks and report.reused == 0


def test_a_broken_corpus_changes_nothing(small_settings, fake_embedder):
    build_index(small_settings, embedder=fake_embedder, progress=False)
    before = (small_settings.store.index_dir / "manifest.json").read_text(encoding="utf-8")
    (small_settings.corpus.corpus_dir / "004_79db686d74906387.txt").write_bytes(
        b"\xff\xfe binary \x00"
    )
    from kernwijzer.ingest.corpus import CorpusError

    with pytest.raises(CorpusError, match="asr-huisartsenzorg"):
        build_index(small_settings, embedder=fake_embedder, progress=False)
    assert (small_settings.store.index_dir / "manifest.json").read_text(encoding="utf-8") == before
    kw = Kernwijzer(small_settings, fake_embedder)
    answer = kw.answer("Wat zijn de voorwaarden voor segment 1?")
    assert any("BIG-register" in c.quote for c in answer.citations)


def test_a_no_op_run_is_a_fingerprint_check_without_the_model(small_settings, embedder):
    """Nothing changed: no corpus parsing, no model; a changed file takes the full path."""
    import subprocess
    import sys

    from tests.conftest import settings_env

    build_index(small_settings, embedder=embedder, progress=False)
    script = (
        "import sys; from kernwijzer.config import load_settings; "
        "from kernwijzer.index.build import build_index; r = build_index(load_settings()); "
        "print(r.skipped, any(m in sys.modules for m in "
        "('torch', 'sentence_transformers', 'gradio')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        env=settings_env(small_settings),
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == ["True", "False"], run.stdout + run.stderr
    # A byte changed in a source file: the full check runs (and finds what changed).
    meta = yaml.safe_load((small_settings.corpus.corpus_dir / "sources.yaml").read_text("utf-8"))
    path = small_settings.corpus.corpus_dir / meta[0]["file"]
    text = path.read_text("utf-8")
    path.write_text(text.replace("\n", "\n\nEen nieuwe alinea over de normpraktijk.\n\n", 1))
    report = build_index(small_settings, embedder=embedder, progress=False)
    assert not report.skipped and report.embedded >= 1


def _same_rows(a, b) -> None:
    assert a.ids == b.ids and a.texts == b.texts and a.metadatas == b.metadatas
    assert np.array_equal(np.asarray(a.embeddings), np.asarray(b.embeddings))


def test_a_build_loads_from_its_sealed_read_copy(small_settings, fake_embedder):
    """The read copy holds exactly Chroma's rows and is sealed with digests; a missing copy
    is read from Chroma again and rewritten, a damaged one is refused (never answered
    from), naming the repair."""
    import shutil

    from kernwijzer.index.store import IndexCorruptError

    build_index(small_settings, embedder=fake_embedder, progress=False)
    store = IndexStore(small_settings)
    manifest = store.manifest()
    assert manifest is not None
    folder = store.read_copy_dir(manifest)
    assert (folder / "digests.json").exists()
    for kind in ("documents", "chunks", "sentences"):
        assert (folder / f"{kind}.npy").exists() and (folder / f"{kind}.json").exists()
        _same_rows(store.read(manifest, kind), store._read_chroma(manifest, kind))
    shutil.rmtree(folder)
    IndexSnapshot.load(IndexStore(small_settings), fake_embedder.model_id)  # from Chroma
    assert (folder / "digests.json").exists()
    for kind in ("documents", "chunks", "sentences"):
        _same_rows(
            IndexStore(small_settings).read(manifest, kind), store._read_chroma(manifest, kind)
        )
    snapshot = IndexSnapshot.load(IndexStore(small_settings), fake_embedder.model_id)
    assert isinstance(snapshot.sentences.vectors, np.memmap)  # mapped, not copied
    assert Kernwijzer(small_settings, fake_embedder).answer("Wat betekent urgentie U3?").citations
    (folder / "sentences.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(IndexCorruptError, match="kernwijzer index"):
        IndexSnapshot.load(IndexStore(small_settings), fake_embedder.model_id)


def test_bm25_is_kept_with_the_read_copy_and_a_damaged_one_is_rebuilt(
    small_settings, fake_embedder
):
    """The saved BM25 index scores exactly as one built from the texts; damaged or from
    other texts, it is rebuilt rather than trusted or refused."""
    from kernwijzer.index.bm25 import Bm25Index
    from kernwijzer.text.tokens import tokens

    build_index(small_settings, embedder=fake_embedder, progress=False)
    store = IndexStore(small_settings)
    manifest = store.manifest()
    assert manifest is not None
    folder = store.read_copy_dir(manifest) / "sentences.bm25"
    assert (folder / "stamp.json").exists()  # written with the build, not at first start
    texts = store.read(manifest, "sentences").texts
    query = tokens("Wat betekent urgentie U3 voor de huisartsenpost?")
    fresh = Bm25Index(texts).scores(query)
    assert np.array_equal(Bm25Index.cached(texts, folder).scores(query), fresh)
    for data in folder.glob("data.csc.index.npy"):
        data.write_bytes(b"\x93NUMPY garbage")
    assert np.array_equal(Bm25Index.cached(texts, folder).scores(query), fresh)
    other = Bm25Index.cached(texts[:10], folder)  # other texts: the stamp does not match
    assert other.size == 10 and Bm25Index.cached(texts, folder).size == len(texts)
    assert Kernwijzer(small_settings, fake_embedder).answer("Wat betekent urgentie U3?").citations
