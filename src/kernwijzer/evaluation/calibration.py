"""Fitting the answerability decision on the calibration half of a question set.

`kernwijzer calibrate` runs every calibration-half question through retrieval, collects
its evidence (see ``answerability.py``), fits the model on it and then the two boundaries
between abstained, partial and answered; the test half is never seen here. The result is
a small JSON file (feature means, scales and weights, boundaries, and what it was fitted
on) that the pipeline applies without scikit-learn.
Not here: the features themselves (``answerability.py``), scoring (``evaluation/run.py``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kernwijzer.evaluation.questions import SPLIT_SEED, Question, assign_halves
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.retrieval.answerability import AnswerabilityModel, Evidence, fit, fit_boundaries
from kernwijzer.retrieval.question import Turn, clean_question


def collect_evidence(kw: Kernwijzer, questions: list[Question]) -> list[Evidence]:
    """The answerability evidence of each question (no probability)."""
    kw.warm_up()
    out = []
    for q in questions:
        text = clean_question(q.question, kw.settings.retrieval.max_question_chars)
        query = kw.query(text, [Turn(c) for c in q.context])
        out.append(kw.retrieve(query, with_probability=False)[1])
    return out


def calibrate(
    kw: Kernwijzer, questions: list[Question], seed: int = SPLIT_SEED
) -> AnswerabilityModel:
    """Fit the answerability model on the calibration half of ``questions``."""
    halves = assign_halves(questions, seed)
    chosen = [q for q in questions if halves[q.id] == "calibration"]
    evidence = collect_evidence(kw, chosen)
    meta = {
        "fitted_on": "calibration half",
        "split_seed": seed,
        "questions": len(chosen),
        "answerable": sum(not q.abstain for q in chosen),
        "out_of_scope": sum(q.abstain for q in chosen),
        "model": kw.embedder.model_id,
        "date": date.today().isoformat(),
    }
    model = fit(evidence, [not q.abstain for q in chosen], meta)
    probability = [model.probability(e) for e in evidence]
    answerable = [p for p, q in zip(probability, chosen, strict=True) if not q.abstain]
    oos = [p for p, q in zip(probability, chosen, strict=True) if q.abstain]
    lower, upper = fit_boundaries(answerable, oos)
    return replace(model, abstain_below=lower, partial_below=upper)
