"""Import only what a command needs: answering never loads torch, Gradio or llama-index.

Each check runs in a fresh interpreter and reads ``sys.modules`` after the work is done,
so a lazy import that fires on first use is caught too.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import settings_env

HEAVY = ("torch", "gradio", "llama_index", "transformers", "sentence_transformers", "faiss")

SCRIPTS = {
    "pipeline": (
        "from kernwijzer.config import load_settings\n"
        "from kernwijzer.pipeline import Kernwijzer\n"
        "assert Kernwijzer(load_settings()).answer('Mag een PA de huisarts vervangen?').citations\n"
    ),
    "ask": "from kernwijzer.cli import main\nassert main(['ask', 'Wat betekent U3?']) == 0\n",
    "sections": "from kernwijzer.cli import main\nassert main(['sections']) == 0\n",
    "index-no-op": "from kernwijzer.cli import main\nassert main(['index']) == 0\n",
}


def _loaded(script: str, settings, extra: tuple[str, ...] = ()) -> set[str]:
    watched = set(HEAVY) | set(extra)
    probe = script + (
        "import json, sys\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {watched!r})))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("command", sorted(SCRIPTS))
def test_answering_loads_no_torch_gradio_or_llama_index(command, index_settings):
    assert _loaded(SCRIPTS[command], index_settings) == set()


@pytest.mark.parametrize("command", ["pipeline", "ask"])
def test_answering_from_a_read_copy_loads_no_chroma(command, index_settings):
    # The build's read copy (``compact``) holds what answering needs; Chroma stays the
    # store of record, for builds and checks.
    assert _loaded(SCRIPTS[command], index_settings, extra=("chromadb",)) == set()


def test_the_app_loads_gradio_but_not_torch(index_settings):
    script = (
        "from kernwijzer.config import load_settings\n"
        "from kernwijzer.pipeline import Kernwijzer\n"
        "from kernwijzer.web.app import build_app\n"
        "s = load_settings()\n"
        "kw = Kernwijzer(s)\n"
        "build_app(kw, s)\n"
        "assert kw.answer('Wat betekent U3?').citations\n"
    )
    assert _loaded(script, index_settings) == {"gradio"}
