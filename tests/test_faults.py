"""Crashes never lose the index: SIGKILL a build at random moments, the old index answers."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

from kernwijzer.index.build import build_index
from kernwijzer.pipeline import Kernwijzer
from tests.conftest import settings_env


def test_killed_builds_leave_the_previous_index_working(small_settings, embedder, output_dir):
    build_index(small_settings, embedder=embedder, progress=False)
    env = settings_env(small_settings)
    rng = random.Random(7)
    outcomes = []
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-m", "kernwijzer.cli", "index", "--rebuild", "--json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        delay = rng.uniform(2.0, 12.0)
        time.sleep(delay)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        answer = Kernwijzer(small_settings, embedder).answer(
            "Wat zijn de voorwaarden voor segment 1?"
        )
        ok = any("Geregistreerd zijn in BIG-register" in c.quote for c in answer.citations)
        outcomes.append(
            f"kill after {delay:.1f}s (finished before kill: {finished}): old index answers: {ok}"
        )
        assert ok
    final = build_index(small_settings, embedder=embedder, progress=False)
    assert final.chunks > 0
    builds = list((small_settings.store.index_dir / "builds").iterdir())
    assert len(builds) == 1, "leftovers of killed builds were not cleaned up"
    (output_dir / "fault-kills.txt").write_text("\n".join(outcomes) + "\n")
