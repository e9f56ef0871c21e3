"""Chroma server mode: indexing and answering against a real `chroma run` on loopback."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kernwijzer.config import load_settings
from kernwijzer.index.build import build_index
from kernwijzer.index.store import IndexStore
from kernwijzer.pipeline import Kernwijzer
from tests.conftest import free_port

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.skip("chroma CLI missing")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(tmp_path / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("chroma run did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=30)
    shutil.rmtree(tmp_path / "chroma", ignore_errors=True)


def test_index_and_answer_through_a_chroma_server(chroma_server, small_settings, embedder):
    settings = load_settings(
        corpus_dir=small_settings.corpus.corpus_dir,
        index_dir=small_settings.store.index_dir,
        chroma_host="127.0.0.1",
        chroma_port=chroma_server,
    )
    report = build_index(settings, embedder=embedder, progress=False)
    assert (
        report.store == f"chroma://127.0.0.1:{chroma_server}" and report.embedded == report.chunks
    )
    assert not (
        settings.store.index_dir / "manifest.json"
    ).exists()  # nothing went to the local store
    again = build_index(settings, embedder=embedder, progress=False)
    assert again.embedded == 0 and again.reused == again.chunks
    # Two app instances share one server.
    first, second = Kernwijzer(settings, embedder), Kernwijzer(settings, embedder)
    for kw in (first, second):
        answer = kw.answer("Wat zijn de voorwaarden voor segment 1?")
        assert any("Geregistreerd zijn in BIG-register" in c.quote for c in answer.citations)
    # A rebuild switches builds on the server and drops the old collections.
    build_index(settings, embedder=embedder, rebuild=True, progress=False)
    store = IndexStore(settings)
    names = [c if isinstance(c, str) else c.name for c in store.client("").list_collections()]
    builds = {n.split("_")[1] for n in names if n.startswith("kernwijzer_b")}
    assert builds == {store.manifest().build_id}
    first.reload()
    assert first.answer("segment 2 hoofdcontractant").citations
