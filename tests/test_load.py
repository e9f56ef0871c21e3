"""Slow: 20 simulated users for 60 s against the running app (`make test-slow`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, settings_env


@pytest.mark.slow
def test_twenty_users_for_a_minute(index_settings, output_dir):
    env = settings_env(index_settings)
    out = subprocess.run(
        [
            sys.executable,
            "benchmarks/load.py",
            "--users",
            "20",
            "--seconds",
            "60",
            "--out",
            str(output_dir / "load.json"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads((output_dir / "load.json").read_text())
    assert result["requests"] > 100 and result["errors"] == 0
    rss = result["rss_mb"]
    assert rss[-1] < rss[1] * 1.3, f"memory grew: {rss}"
