"""Time to add a very large saved web page (60,000 paragraphs, 3.1 MB), and how indexing it goes.

    .venv/bin/python benchmarks/page.py [--paragraphs 60000] [--index-seconds 240] [--out F]

The page is written here: one ``<h1>``, an ``<h2>`` every 500 paragraphs, each paragraph
"Alinea N:" and two to four words drawn (seeded) from the corpus's own vocabulary, so no
sentence repeats and nothing can be reused from the project's index. The corpus and its
index are copied to a temporary folder (indexed there if the project has none; not timed);
then ``kernwijzer add page.html`` runs to the end as a fresh process, timed.
``kernwijzer index --verbose`` (its progress bars on a pipe) is then stopped after
``--index-seconds``: embedding some 10^5 texts on two cores takes hours, so the bars' last
readings (done, total, elapsed, ETA) are the figure. Writes benchmarks/results/page.json
(or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNWIJZER = [sys.executable, "-m", "kernwijzer.cli"]
# tqdm's line: "Embedding passages:   3%|▎  | 812/27000 [00:40<21:47, 20.0text/s]".
BAR = re.compile(
    r"^(?P<desc>[^:\r\n]+):\s+\d+%.*?(?P<n>\d+)/(?P<total>\d+) \[(?P<el>[^<]+)<(?P<eta>[^,]+),"
)


def write_page(path: Path, paragraphs: int, seed: int = 7) -> None:
    """A saved page of ``paragraphs`` short paragraphs in the corpus's words."""
    words = sorted(
        {
            w
            for f in (ROOT / "corpus").glob("*.txt")
            for w in re.findall(r"[a-zà-ÿ]{4,}", f.read_text("utf-8").lower())
        }
    )
    rng = random.Random(seed)
    out = [
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>",
        "<title>Zeer lange pagina</title></head><body><h1>Zeer lange pagina</h1>",
    ]
    for i in range(paragraphs):
        if i % 500 == 0:
            out.append(f"<h2>Deel {i // 500 + 1}</h2>")
        body = " ".join(rng.choice(words) for _ in range(rng.randint(2, 4)))
        out.append(f"<p>Alinea {i + 1}: {body.capitalize()}.</p>")
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")


def _index_readings(env: dict[str, str], seconds: float) -> dict[str, dict[str, object]]:
    """Run ``index -v`` for ``seconds``: every progress bar's last reading, and its rate.

    The rate is taken over the bar's second half of readings (texts per second between its
    middle and its last reading, by the wall clock), so the model's load and first batch,
    which fall in its first update, do not count as embedding time.
    """
    proc = subprocess.Popen(
        [*KERNWIJZER, "index", "--verbose"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    seen: dict[str, list[tuple[float, int, int, str, str]]] = {}

    def read() -> None:
        assert proc.stderr is not None
        buf = b""
        while chunk := os.read(proc.stderr.fileno(), 4096):
            buf += chunk
            *lines, buf = re.split(rb"[\r\n]", buf)
            for line in lines:
                m = BAR.match(line.decode("utf-8", "replace").strip())
                if m:
                    seen.setdefault(m["desc"].strip(), []).append(
                        (time.monotonic(), int(m["n"]), int(m["total"]), m["el"], m["eta"].strip())
                    )

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        # SIGTERM, not SIGINT: a benchmark started in the background inherits SIGINT ignored.
        # The build is written aside and switched to at the end, so a kill loses nothing.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    reader.join(timeout=5)
    readings: dict[str, dict[str, object]] = {}
    for desc, points in seen.items():
        when, done, total, elapsed, eta = points[-1]
        reading: dict[str, object] = {"done": done, "total": total, "elapsed": elapsed, "eta": eta}
        mid = points[len(points) // 2]
        if when > mid[0] and done > mid[1]:
            rate = (done - mid[1]) / (when - mid[0])
            reading["steady_per_s"] = round(rate, 2)
            reading["steady_eta_h"] = round((total - done) / rate / 3600, 2)
        readings[desc] = reading
    return readings


def main() -> int:
    """Run the benchmark and print/write its figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--paragraphs", type=int, default=60_000)
    p.add_argument("--index-seconds", type=float, default=240.0)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "page.json")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "KERNWIJZER_CORPUS_DIR": str(work / "corpus"),
            "KERNWIJZER_INDEX_DIR": str(work / "index"),
        }
        shutil.copytree(ROOT / "corpus", work / "corpus")
        if (ROOT / "index" / "manifest.json").exists():
            shutil.copytree(ROOT / "index", work / "index")  # the project's own: no re-embedding
        subprocess.run([*KERNWIJZER, "index"], env=env, check=True, capture_output=True)
        page = work / "lange-pagina.html"
        write_page(page, args.paragraphs)
        started = time.perf_counter()
        done = subprocess.run(
            [*KERNWIJZER, "add", str(page), "--json"], env=env, capture_output=True, text=True
        )
        add_s = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
        report = json.loads(done.stdout) if done.returncode == 0 else {}
        print(f"add: exit {done.returncode} in {add_s:.1f} s", flush=True)
        result = {
            "paragraphs": args.paragraphs,
            "bytes": page.stat().st_size,
            "add_exit": done.returncode,
            "add_message": done.stderr.strip()[-300:],
            "add_s": round(add_s, 1),
            "extraction": {k: report.get(k) for k in ("headings", "sections", "tables")},
            "index_run_s": args.index_seconds,
            "index_bars": _index_readings(env, args.index_seconds),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
