"""Shared fixtures: the real corpus, the real model, real Chroma indexes in temp folders.

Two tiers. A test that uses the real model (the ``embedder``, ``index_settings`` or ``kw``
fixtures, or a process that loads it) carries the ``model`` marker, set here from its
fixtures or by hand where a subprocess loads it. The rest, with the ``fake_*`` fixtures
(``tests/fakes.py``) where they need vectors, are the fast tier: ``make test-fast``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from kernwijzer.config import PROJECT_ROOT, Settings, load_settings
from kernwijzer.index.build import build_index
from kernwijzer.index.embedding import Embedder
from kernwijzer.ingest.corpus import load_corpus
from kernwijzer.pipeline import Kernwijzer
from tests.fakes import FakeEmbedder

CORPUS = PROJECT_ROOT / "corpus"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright drives it, never downloads one
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OUTPUT = PROJECT_ROOT / "test-output"
SMALL_DOCS = ("lhv-aanbod-web", "asr-huisartsenzorg")  # two short documents: fast builds


MODEL_FIXTURES = frozenset({"embedder", "index_settings", "kw", "light"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden files")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def documents():
    return {d.id: d for d in load_corpus(CORPUS)}


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(load_settings().embedding)


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """The full corpus indexed once per test session, in its own folder."""
    settings = load_settings(index_dir=tmp_path_factory.mktemp("index"))
    build_index(settings, embedder=embedder, progress=False)
    return settings


@pytest.fixture(scope="session")
def kw(index_settings: Settings, embedder: Embedder) -> Kernwijzer:
    k = Kernwijzer(index_settings, embedder)
    k.warm_up()
    return k


@pytest.fixture(scope="session")
def fake_embedder() -> FakeEmbedder:
    """The fake encoder (``tests/fakes.py``): vectors without a model."""
    return FakeEmbedder(load_settings().embedding)


@pytest.fixture(scope="session")
def fake_index_settings(
    tmp_path_factory: pytest.TempPathFactory, fake_embedder: FakeEmbedder
) -> Settings:
    """The full corpus indexed once per session with the fake encoder (seconds)."""
    settings = load_settings(index_dir=tmp_path_factory.mktemp("fake-index"))
    build_index(settings, embedder=fake_embedder, progress=False)
    return settings


@pytest.fixture(scope="session")
def fake_kw(fake_index_settings: Settings, fake_embedder: FakeEmbedder) -> Kernwijzer:
    """The pipeline over the fake index: its own logic, no model."""
    return Kernwijzer(fake_index_settings, fake_embedder)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment a subprocess (CLI, app, benchmark) needs to use these settings' data."""
    return {
        **os.environ,
        "KERNWIJZER_INDEX_DIR": str(settings.store.index_dir),
        "KERNWIJZER_CORPUS_DIR": str(settings.corpus.corpus_dir),
    }


def make_small_corpus(target: Path, docs: tuple[str, ...] = SMALL_DOCS) -> Path:
    """A corpus folder holding a few of the real documents and their real metadata."""
    target.mkdir(parents=True, exist_ok=True)
    entries = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
    keep = [e for e in entries if e["id"] in docs]
    for e in keep:
        shutil.copy(CORPUS / e["file"], target / e["file"])
    (target / "sources.yaml").write_text(yaml.safe_dump(keep, allow_unicode=True), encoding="utf-8")
    return target


@pytest.fixture
def small_settings(tmp_path: Path) -> Settings:
    return load_settings(
        corpus_dir=make_small_corpus(tmp_path / "corpus"), index_dir=tmp_path / "index"
    )


def _load_benchmark() -> ModuleType:
    # By path: a dependency installs its own top-level `benchmarks` package.
    path = PROJECT_ROOT / "benchmarks" / "load.py"
    spec = importlib.util.spec_from_file_location("kw_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


start_app = _load_benchmark().start_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
