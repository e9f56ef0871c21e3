"""Tune the fusion settings on the question set, with a held-out half to keep it honest.

    .venv/bin/python evals/tune.py [--rounds 2] [--out evals/results/tune.json]

Coordinate search: one setting at a time over a small grid, keeping a change only if it
raises the objective (quote MRR@10 + quote hit@5) on the answerable questions of the
*calibration* half (`questions.assign_halves`, the split every fitted value uses). The test
half is scored with the
same settings and reported beside it, so an evaluator can see how much of a gain is fit
to the questions. Query embeddings are computed once and reused: only fusion and answer
composition change between settings, so a full pass takes a few seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from kernwijzer.config import PROJECT_ROOT, Settings, load_settings
from kernwijzer.evaluation.questions import Question, assign_halves, load_questions
from kernwijzer.evaluation.run import run_eval
from kernwijzer.pipeline import Kernwijzer

# The low ends (no BM25, no section score, no gloss) are there for a dense side strong
# enough to need less help (EmbeddingGemma against e5-small).
GRID: dict[str, list[float]] = {
    "rrf_k": [10, 20, 30, 45, 60, 90],
    "lexical_weight_nl": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7],
    "lexical_weight_en": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
    "section_weight": [0.0, 0.1, 0.2, 0.3, 0.4, 0.6],
    "short_penalty": [0.0, 0.1, 0.15, 0.25, 0.4],
    "gloss_weight": [0.0, 0.25, 0.5, 0.75, 1.0, 1.5],
    "cue_bonus": [0.0, 0.05, 0.1, 0.2],
    "coverage_weight": [0.0, 0.05, 0.1, 0.2],
}


def _cached_queries(kw: Kernwijzer) -> None:
    # Fusion settings do not change a query's vector; embedding each question once turns
    # a 100-setting search from minutes of model calls into seconds.
    cache: dict[str, np.ndarray] = {}
    embed = kw.embedder.queries

    def queries(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in cache]
        if missing:
            cache.update(zip(missing, embed(missing), strict=True))
        return np.stack([cache[t] for t in texts])

    kw.embedder.queries = queries  # type: ignore[method-assign]


def _score(kw: Kernwijzer, questions: list[Question]) -> dict[str, float]:
    # Its own halves (every other question): score the whole subset it is given.
    result = run_eval(kw, questions, systems=("kernwijzer",))
    summary = result["summary_by_half"]["all"]["kernwijzer"]
    overall = summary["overall"]
    return {k: overall[k] for k in ("quote_hit@5", "quote_mrr@10", "section_hit@5")}


def _objective(metrics: dict[str, float]) -> float:
    return metrics["quote_mrr@10"] + metrics["quote_hit@5"]


def tune(base: Settings, questions: list[Question], rounds: int) -> dict[str, Any]:
    """Coordinate search on one half; both halves' metrics for every accepted step."""
    halves = assign_halves(questions)
    answerable = [q for q in questions if not q.abstain]
    tuning = [q for q in answerable if halves[q.id] == "calibration"]
    held_out = [q for q in answerable if halves[q.id] == "test"]
    kw = Kernwijzer(base)
    kw.warm_up()
    _cached_queries(kw)
    current = {name: getattr(base, name) for name in GRID}

    def evaluate(values: dict[str, float]) -> tuple[dict[str, float], Kernwijzer]:
        variant = kw.with_settings(base.updated(**values))
        return _score(variant, tuning), variant

    def step(metrics: dict[str, float], variant: Kernwijzer) -> dict[str, Any]:
        return {"settings": dict(current), "tuning": metrics, "held_out": _score(variant, held_out)}

    best_metrics, best_kw = evaluate(current)
    steps = [step(best_metrics, best_kw)]
    for _ in range(rounds):
        changed = False
        for name, grid in GRID.items():
            for value in grid:
                if value == current[name]:
                    continue
                metrics, variant = evaluate({**current, name: value})
                if _objective(metrics) > _objective(best_metrics) + 1e-9:
                    current[name], best_metrics, best_kw, changed = value, metrics, variant, True
            steps.append(step(best_metrics, best_kw))
            print(json.dumps(steps[-1]), file=sys.stderr)
        if not changed:
            break
    return {
        "grid": GRID,
        "tuning_questions": len(tuning),
        "held_out_questions": len(held_out),
        "steps": steps,
    }


def main() -> None:
    """Run the search and write every step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    evals = PROJECT_ROOT / "evals"
    parser.add_argument("--questions", type=Path, default=evals / "questions.yaml")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=evals / "results" / "tune.json")
    args = parser.parse_args()
    result = tune(load_settings(), load_questions(args.questions), args.rounds)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    first, last = result["steps"][0], result["steps"][-1]
    print(json.dumps({"start": first, "end": last}, indent=1))


if __name__ == "__main__":
    main()
