"""Per-question latency: Kernwijzer's pipeline vs a plain llama-index dense retriever.

Same questions (evals/questions.yaml), same index and model, one process, model and index
loaded once. The plain retriever is the setup a user would pick instead: llama-index's
vector index over the same Chroma chunks, embedding with the same sentence-transformers
model on torch. Kernwijzer embeds with its configured backend (ONNX Runtime by default).
Prints p50/p95 for each, their ratio and the query embedding's share of Kernwijzer's time;
writes benchmarks/results/latency.json.

    .venv/bin/python benchmarks/latency.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from llama_index.core import VectorStoreIndex

from kernwijzer.config import load_settings
from kernwijzer.evaluation.questions import load_questions
from kernwijzer.evaluation.run import git_commit, percentile
from kernwijzer.index.embedding import Embedder
from kernwijzer.llamaindex import LlamaIndexEmbedding
from kernwijzer.pipeline import Kernwijzer

ROOT = Path(__file__).resolve().parents[1]


def timed(fn: Callable[[str], object], items: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        for item in items:
            t = time.perf_counter()
            fn(item)
            out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--questions", type=Path, default=ROOT / "evals" / "questions.yaml")
    args = parser.parse_args()
    settings = load_settings()
    kw = Kernwijzer(settings)
    kw.warm_up()
    questions = [q.question for q in load_questions(args.questions)]
    dense = VectorStoreIndex.from_vector_store(
        kw.store.chunk_vector_store(kw.snapshot.manifest),
        embed_model=LlamaIndexEmbedding(
            Embedder(settings.updated(embedding_backend="torch").embedding)
        ),
    ).as_retriever(similarity_top_k=10)
    dense.retrieve("warm-up")
    ours = timed(kw.answer, questions, args.repeat)
    plain = timed(dense.retrieve, questions, args.repeat)
    # The query embedding alone: the floor both systems share.
    embed = timed(lambda q: kw.embedder.queries([q]), questions, args.repeat)
    result = {
        "questions": len(questions),
        "repeat": args.repeat,
        "commit": git_commit(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "kernwijzer_ms": {
            "p50": percentile(ours, 50),
            "p95": percentile(ours, 95),
            "mean": statistics.fmean(ours),
        },
        "llamaindex_dense_ms": {
            "p50": percentile(plain, 50),
            "p95": percentile(plain, 95),
            "mean": statistics.fmean(plain),
        },
        "query_embedding_ms": {"p50": percentile(embed, 50), "p95": percentile(embed, 95)},
    }
    result["ratio_p50"] = result["kernwijzer_ms"]["p50"] / result["llamaindex_dense_ms"]["p50"]
    result["ratio_p95"] = result["kernwijzer_ms"]["p95"] / result["llamaindex_dense_ms"]["p95"]
    result["embedding_share_p50"] = (
        result["query_embedding_ms"]["p50"] / result["kernwijzer_ms"]["p50"]
    )
    result["backend"] = settings.embedding.embedding_backend
    (ROOT / "benchmarks" / "results" / "latency.json").write_text(json.dumps(result, indent=1))
    print(f"{len(questions)} questions x {args.repeat}")
    for name in ("kernwijzer_ms", "llamaindex_dense_ms", "query_embedding_ms"):
        print(f"  {name:22s} p50 {result[name]['p50']:7.1f}  p95 {result[name]['p95']:7.1f}")
    print(
        f"  ratio kernwijzer / llama-index dense: p50 {result['ratio_p50']:.2f}"
        f"  p95 {result['ratio_p95']:.2f}"
    )
    print(f"  query embedding's share of Kernwijzer p50: {result['embedding_share_p50']:.0%}")


if __name__ == "__main__":
    main()
