"""Start-up times as a user meets them: each command and the app as whole processes.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--out F]

Every run is a fresh interpreter (imports, model and index load included), on the index
the settings point at (built first if needed). The app is timed twice: to its first answer
on ``/health`` (listening) and to ``/health`` saying ``ok`` (model and index in memory).
Prints min/median/max per measure and writes benchmarks/results/startup.json (or --out).
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNWIJZER = [sys.executable, "-m", "kernwijzer.cli"]
COMMANDS = {
    "ask": [*KERNWIJZER, "ask", "Mag een PA de huisarts vervangen?"],
    "index (nothing changed)": [*KERNWIJZER, "index"],
    "sections": [*KERNWIJZER, "sections"],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def time_command(argv: list[str]) -> float:
    """Seconds for one whole process; a failing command is an error, not a figure."""
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=dict(os.environ), timeout=600)
    return time.perf_counter() - started


def time_app() -> tuple[float, float]:
    """Seconds from launch to /health answering at all, and to /health saying ok."""
    port = _free_port()
    env = {**os.environ, "KERNWIJZER_PORT": str(port), "KERNWIJZER_HOST": "127.0.0.1"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    listening = None
    try:
        while time.perf_counter() - started < 300:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    status = json.loads(r.read()).get("status")
            except urllib.error.HTTPError as exc:  # 503 while loading: listening already
                status = json.loads(exc.read() or b"{}").get("status")
            except OSError:
                time.sleep(0.05)
                continue
            listening = listening or time.perf_counter() - started
            if status == "ok":
                return listening, time.perf_counter() - started
            time.sleep(0.05)
        raise RuntimeError("app did not become ready in 300 s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def summary(values: list[float]) -> dict[str, float]:
    """min/median/max in seconds, rounded for a table."""
    return {
        "min": round(min(values), 2),
        "median": round(statistics.median(values), 2),
        "max": round(max(values), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "startup.json"
    )
    args = parser.parse_args()
    time_command(COMMANDS["index (nothing changed)"])  # a built index; warm disk caches
    results: dict[str, dict[str, float]] = {}
    for name, argv in COMMANDS.items():
        results[name] = summary([time_command(argv) for _ in range(args.runs)])
    app = [time_app() for _ in range(args.runs)]
    results["app: listening"] = summary([a for a, _ in app])
    results["app: answering (/health ok)"] = summary([b for _, b in app])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"runs": args.runs, "seconds": results}, indent=1))
    print(f"| measure ({args.runs} runs, s) | min | median | max |")
    print("|---|---|---|---|")
    for name, s in results.items():
        print(f"| {name} | {s['min']} | {s['median']} | {s['max']} |")


if __name__ == "__main__":
    main()
