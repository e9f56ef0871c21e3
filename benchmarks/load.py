"""Load test: simulated users asking a mix of questions against the running app (loopback).

    .venv/bin/python benchmarks/load.py [--users 20] [--seconds 60] [--think 0] [--url URL]
                                        [--out F]

``--think S``: each user waits a random 0-2S seconds before the next question, as a person
reading the answer does; 0 (the default) is a stress test, every user asking again the
moment an answer arrives.

Without --url it starts `app.py` on a free port itself. Bounded: every user stops after
--seconds; only 127.0.0.1 is ever contacted. Writes benchmarks/results/load.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kernwijzer.evaluation.questions import load_questions  # noqa: E402
from kernwijzer.evaluation.run import percentile  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_app(env: dict[str, str], timeout: float = 180) -> tuple[subprocess.Popen, str]:
    """Start `app.py` on a free loopback port; return it once /health answers.

    Also the UI tests' way to start the app, so both meet it the way a user does.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (outlives this call: the app writes to it)
    proc = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={**env, "KERNWIJZER_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/health", timeout=2)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    log.seek(0)
    raise RuntimeError(f"app did not start:\n{log.read()[-2000:]}")


def _ask(url: str, question: str) -> tuple[bool, object, float | None]:
    """One question: (answered, body, Retry-After seconds of a 503 or None)."""
    try:
        with urllib.request.urlopen(
            f"{url}/api/ask?q={urllib.parse.quote(question)}", timeout=60
        ) as r:
            body = json.loads(r.read())
            return r.status == 200 and "citations" in body, body, None
    except urllib.error.HTTPError as exc:
        if exc.code == 503:
            return False, f"HTTP {exc.code}", float(exc.headers.get("Retry-After") or 1)
        return False, f"HTTP {exc.code}", None
    except Exception as exc:
        return False, str(exc), None


def run_load(url: str, users: int, seconds: float, pid: int | None, think: float = 0.0) -> dict:
    questions = [q.question for q in load_questions(ROOT / "evals" / "questions.yaml")]
    latencies: list[float] = []
    errors: list[str] = []
    busy: list[float] = []  # 503 + Retry-After: back-pressure, not failure
    lock = threading.Lock()
    stop = time.time() + seconds
    memory = [rss_mb(pid)] if pid else []

    def user(seed: int) -> None:
        rng = random.Random(seed)
        while time.time() < stop:
            started = time.perf_counter()
            ok, body, retry_after = _ask(url, rng.choice(questions))
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if retry_after is not None:
                    busy.append(elapsed)
                else:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(str(body)[:200])
            if retry_after is not None:
                time.sleep(retry_after)  # as the server asks
            elif think:
                time.sleep(rng.uniform(0, 2 * think))  # reading the answer

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        time.sleep(5)
        if pid:
            memory.append(rss_mb(pid))
    latencies.sort()
    return {
        "users": users,
        "seconds": seconds,
        "think_s": think,
        "requests": len(latencies),
        "errors": len(errors),
        "busy_503": len(busy),
        "error_samples": errors[:5],
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "throughput_rps": len(latencies) / seconds,
        "rss_mb": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between questions")
    parser.add_argument("--url")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load.json")
    args = parser.parse_args()
    proc = None
    url = args.url
    if not url:
        proc, url = start_app(dict(os.environ))
    try:
        result = run_load(url, args.users, args.seconds, proc.pid if proc else None, args.think)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "error_samples"}, indent=1))


if __name__ == "__main__":
    main()
