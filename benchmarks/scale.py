"""Scale: the corpus replicated 1x, 10x, 100x — build time, index size, per-question latency.

Each copy is every cleaned document under a new id, with the sentences of each paragraph
shuffled (seeded) so copies are not exact duplicates. Sentences themselves repeat, so their
embeddings are reused by content hash; every chunk is new and embedded.

    .venv/bin/python benchmarks/scale.py [--factors 1 10 100] [--work /tmp/kw-scale]

Beside the speed, how far the answers drift from exact retrieval: past ``rank_depth``
sentences, fusion ranks only each signal's first ranks and dense candidates come from a
half-precision scan (``dense``). The same questions are retrieved again with a depth past
the corpus size (every rank, every similarity exact) and the top five sentence texts are
compared (texts, since copies share their sentences).

Writes benchmarks/results/scale.json (updated after every factor).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kernwijzer.config import load_settings  # noqa: E402
from kernwijzer.evaluation.questions import load_questions  # noqa: E402
from kernwijzer.evaluation.run import percentile  # noqa: E402
from kernwijzer.index.build import build_index  # noqa: E402
from kernwijzer.index.embedding import Embedder  # noqa: E402
from kernwijzer.ingest.corpus import load_corpus  # noqa: E402
from kernwijzer.pipeline import Kernwijzer  # noqa: E402


def shuffled(text: str, rng: random.Random) -> str:
    out = []
    for line in text.split("\n"):
        parts = re.split(r"(?<=[.!?]) (?=[A-Z])", line)
        if len(parts) > 2:
            head, body = parts[0], parts[1:]
            rng.shuffle(body)
            line = " ".join([head, *body])
        out.append(line)
    return "\n".join(out)


def make_corpus(target: Path, factor: int) -> None:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    entries = []
    for doc in load_corpus(ROOT / "corpus"):
        for copy in range(factor):
            rng = random.Random(f"{doc.id}-{copy}")
            name = f"{doc.id}-c{copy}"
            text = doc.text if copy == 0 else shuffled(doc.text, rng)
            (target / f"{name}.md").write_text(text, encoding="utf-8")
            entries.append(
                {
                    "id": name,
                    "file": f"{name}.md",
                    "title": f"{doc.info.title} ({copy})",
                    "publisher": doc.info.publisher,
                    "profile": "markdown",
                }
            )
    (target / "sources.yaml").write_text(
        yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8"
    )


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--work", type=Path, default=Path("/tmp/kw-scale"))
    args = parser.parse_args()
    out_path = ROOT / "benchmarks" / "results" / "scale.json"
    results = json.loads(out_path.read_text()) if out_path.exists() else {}
    questions = [q.question for q in load_questions(ROOT / "evals" / "questions.yaml")]
    embedder = None
    for factor in args.factors:
        corpus, index = args.work / f"corpus-{factor}", args.work / f"index-{factor}"
        make_corpus(corpus, factor)
        shutil.rmtree(index, ignore_errors=True)
        settings = load_settings(corpus_dir=corpus, index_dir=index)
        embedder = embedder or Embedder(settings.embedding)
        started = time.perf_counter()
        report = build_index(settings, embedder=embedder, progress=True)
        build_s = time.perf_counter() - started
        kw = Kernwijzer(settings, embedder)
        t = time.perf_counter()
        kw.warm_up()
        load_s = time.perf_counter() - t
        lat = []
        for q in questions:
            t = time.perf_counter()
            kw.answer(q)
            lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        exact = kw.with_settings(settings.updated(rank_depth=10**9))
        same_top1, overlap = 0, 0.0
        for q in questions:
            fast_hits, exact_hits = (k.retriever.search(k.query(q), 5).hits for k in (kw, exact))
            fast = [kw.snapshot.sentences.texts[h.index] for h in fast_hits]
            slow = [kw.snapshot.sentences.texts[h.index] for h in exact_hits]
            same_top1 += bool(fast and slow and fast[0] == slow[0])
            overlap += len(set(fast) & set(slow)) / max(1, len(set(slow)))
        results[str(factor)] = {
            "documents": report.documents,
            "chunks": report.chunks,
            "sentences": report.sentences,
            "build_s": round(build_s, 1),
            "embedded_chunks": report.embedded,
            "embedded_sentences": report.sentences_embedded,
            "index_mb": round(size_mb(index), 1),
            "load_s": round(load_s, 1),
            "p50_ms": round(percentile(lat, 50), 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "approximate": kw.retriever.approximate,
            "same_top1_as_exact": round(same_top1 / len(questions), 3),
            "top5_overlap_with_exact": round(overlap / len(questions), 3),
        }
        out_path.write_text(json.dumps(results, indent=1))
        print(factor, results[str(factor)], flush=True)


if __name__ == "__main__":
    main()
