"""Time to add one PDF (21 pages, or 500 with --copies 24) and index it, as a user runs it.

    .venv/bin/python benchmarks/add.py [--runs 3] [--copies 1 [4 24 …]] [--out F]

Sets a PDF from the texts of two corpus documents (the policy document and the brochure,
``tests/data/make_fixtures.make_from_corpus``: 21 pages), copies the
project's corpus *without those two* to a temporary folder and indexes it once (not timed),
so none of the PDF's text has an embedding to reuse. Then per run: ``kernwijzer add``
(extraction, checks, files) and ``kernwijzer index`` (the new
document's sections, chunks and embeddings; the rest reused), each a fresh process; the
corpus and index are restored between runs. Also reports the extraction figures (pages,
headings, tables, table rows) and min/median/max seconds. With ``--copies N …`` the PDF
holds the two documents N times over, each copy's lines marked so no sentence repeats
(``make_from_corpus``), one result per size, and the index seconds per embedded text at
each size: growth in chunks is linear when those stay level. Writes
benchmarks/results/add.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SET_FROM = ("lhv-nhg-kernwaarden", "lhv-aanbod-brochure")
KERNWIJZER = [sys.executable, "-m", "kernwijzer.cli"]
sys.path.insert(0, str(ROOT))


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def main() -> int:
    """Run the benchmark and print/write its figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--copies", type=int, nargs="+", default=[1])
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "add.json")
    args = p.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sizes: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = _base(work)
        for copies in args.copies:
            sizes.append(_size(work, env, copies, args.runs))
            # Written after every size: the largest may run for a long time.
            result = sizes[0] if len(args.copies) == 1 else {"sizes": sizes, "runs": args.runs}
            text = json.dumps(result, indent=1, ensure_ascii=False)
            args.out.write_text(text, encoding="utf-8")
            print(json.dumps(sizes[-1], ensure_ascii=False), flush=True)
    return 0


def _base(work: Path) -> dict[str, str]:
    """The corpus without the two documents, indexed once (not timed)."""
    shutil.copytree(ROOT / "corpus", work / "base-corpus")
    entries = yaml.safe_load((work / "base-corpus" / "sources.yaml").read_text("utf-8"))
    kept = [e for e in entries if e["id"] not in SET_FROM]
    (work / "base-corpus" / "sources.yaml").write_text(
        yaml.safe_dump(kept, allow_unicode=True), encoding="utf-8"
    )
    env = {
        **os.environ,
        "KERNWIJZER_CORPUS_DIR": str(work / "corpus"),
        "KERNWIJZER_INDEX_DIR": str(work / "index"),
    }
    shutil.copytree(work / "base-corpus", work / "corpus")
    subprocess.run([*KERNWIJZER, "index"], env=env, check=True, capture_output=True)
    shutil.copytree(work / "index", work / "base-index")
    return env


def _size(work: Path, env: dict[str, str], copies: int, runs: int) -> dict[str, object]:
    import pdfplumber

    from tests.data.make_fixtures import make_from_corpus

    pdf = work / f"beleid-{copies}.pdf"
    make_from_corpus(pdf, list(SET_FROM), "Huisartsenzorg: kernwaarden en aanbod", copies)
    with pdfplumber.open(pdf) as opened:
        pages = len(opened.pages)
    adds, indexes, totals, report, summary = [], [], [], {}, ""
    for _ in range(runs):
        for name in ("corpus", "index"):
            shutil.rmtree(work / name)
            shutil.copytree(work / f"base-{name}", work / name)
        t_add, out = _timed([*KERNWIJZER, "add", str(pdf), "--json"], env)
        t_index, summary = _timed([*KERNWIJZER, "index", "--json"], env)
        report = json.loads(out)
        adds.append(t_add)
        indexes.append(t_index)
        totals.append(t_add + t_index)
    built = json.loads(summary)
    embedded = built["embedded"] + built.get("sentences_embedded", 0)

    def stats(xs: list[float]) -> dict[str, float]:
        return {
            "min": round(min(xs), 2),
            "median": round(statistics.median(xs), 2),
            "max": round(max(xs), 2),
        }

    return {
        "copies": copies,
        "pages": pages,
        "bytes": pdf.stat().st_size,
        "extraction": {
            k: report[k] for k in ("pages", "headings", "sections", "tables", "table_rows")
        },
        "add_s": stats(adds),
        "index_s": stats(indexes),
        "add_and_index_s": stats(totals),
        "runs": runs,
        "index": {k: built[k] for k in ("documents", "sections", "chunks", "sentences")},
        "embedded_texts": embedded,
        "index_s_per_embedded_text": round(statistics.median(indexes) / max(embedded, 1), 4),
    }


if __name__ == "__main__":
    sys.exit(main())
