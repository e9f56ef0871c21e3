"""Offline evaluation: the question set through Kernwijzer and two baselines, side by side.

Every question belongs to a calibration half or a test half (``questions.assign_halves``,
seeded and stratified by language and kind): whatever is fitted is fitted on the
calibration half, and the reported figures (``summary``) are the test half's; both halves
and the whole set are in ``summary_by_half``.
Systems: ``bm25`` (BM25 only, over the chunks), ``dense`` (llama-index's plain
``VectorStoreIndex`` retriever over the same Chroma chunks and model) and ``kernwijzer``
(the full pipeline). Metrics at quote level (an expected phrase inside a returned quote)
and section level (a returned passage in a gold section): hit@1, hit@5, recall@5, MRR@10,
nDCG@10; abstention precision/recall (overall, per language, per kind of out-of-scope
question) and the AUROC of the answerability evidence; verbatim-quote rate; link validity;
latency.
No LLM judge. Not here: presentation (``report.py``).
"""

from __future__ import annotations

import math
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from llama_index.core import VectorStoreIndex

from kernwijzer.answer.links import parse_link
from kernwijzer.config import PROJECT_ROOT, Settings
from kernwijzer.evaluation.questions import HALVES, REGISTERS, SPLIT_SEED, Question, assign_halves
from kernwijzer.ingest.fidelity import OriginalText
from kernwijzer.ingest.sections import Section
from kernwijzer.llamaindex import LlamaIndexEmbedding
from kernwijzer.pipeline import Kernwijzer
from kernwijzer.retrieval.question import QuestionError, Turn, retrieval_text
from kernwijzer.text.structure import FURNITURE, Mark, within

SYSTEMS = ("bm25", "dense", "kernwijzer")
K = 10


@dataclass
class Returned:
    """One returned passage, as the metrics see it."""

    quote: str
    doc_id: str
    anchor: str
    start: int
    end: int
    link: str | None = None


@dataclass
class Outcome:
    """One system's result for one question."""

    id: str
    system: str
    language: str
    category: str
    abstain_expected: bool
    abstained: bool
    latency_ms: float
    passages: list[Returned]
    quote_rank: int | None = None
    section_rank: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    half: str = "test"
    kind: str = ""
    evidence: float | None = None  # P(answerable) from the answerability model
    status: str = "answered"  # answered | partial | abstained (Kernwijzer; others answer)
    register: str = "original"  # how the question is put (``questions.REGISTERS``)
    variant_of: str = ""  # the question this one rephrases (``Question.variant_of``)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _dcg(relevant: list[bool]) -> float:
    return sum(1 / math.log2(i + 2) for i, r in enumerate(relevant) if r)


def _gold_section(
    passage: Returned, q: Question, sections: dict[str, dict[str, Section]]
) -> tuple[str, str] | None:
    """The gold section a passage lies in (at any depth below it), if any."""
    gold = {(g.doc, g.anchor) for g in q.source}
    anchor: str | None = passage.anchor
    by_anchor = sections.get(passage.doc_id, {})
    while anchor is not None:
        if (passage.doc_id, anchor) in gold:
            return (passage.doc_id, anchor)
        anchor = by_anchor[anchor].parent if anchor in by_anchor else None
    return None


def _first_cover(found: list[set[Any]]) -> list[bool]:
    """Per rank, whether it covers a gold item that no earlier rank covered."""
    covered: set[Any] = set()
    out = []
    for items in found:
        out.append(bool(items - covered))
        covered |= items
    return out


def score(outcome: Outcome, q: Question, sections: dict[str, dict[str, Section]]) -> None:
    """Fill an outcome's ranks and per-question metrics."""
    passages = [] if outcome.abstained else outcome.passages[:K]
    expected = [_norm(e) for e in q.expected]
    quotes = [_norm(p.quote) for p in passages]
    quote_found = [{i for i, e in enumerate(expected) if e in quote} for quote in quotes]
    sec_found = [{g} if g else set() for g in (_gold_section(p, q, sections) for p in passages)]
    # Ranks count any relevant passage; recall and nDCG count each gold item once, so a
    # second passage from the same gold section adds nothing (and nDCG stays <= 1).
    any_rel = [bool(f) for f in quote_found]
    sec_any = [bool(f) for f in sec_found]
    quote_rel, sec_rel = _first_cover(quote_found), _first_cover(sec_found)
    outcome.quote_rank = next((i + 1 for i, r in enumerate(any_rel) if r), None)
    outcome.section_rank = next((i + 1 for i, r in enumerate(sec_any) if r), None)
    for level, rank in (
        ("quote", outcome.quote_rank),
        ("section", outcome.section_rank),
    ):
        outcome.metrics[f"{level}_hit@1"] = float(rank == 1)
        outcome.metrics[f"{level}_hit@3"] = float(rank is not None and rank <= 3)
        outcome.metrics[f"{level}_hit@5"] = float(rank is not None and rank <= 5)
        outcome.metrics[f"{level}_mrr@10"] = 1 / rank if rank else 0.0
    outcome.metrics["quote_recall@5"] = (
        len(set().union(*quote_found[:5])) / len(expected) if expected else 0.0
    )
    gold_sections = max(1, len(q.source))
    outcome.metrics["section_recall@5"] = sum(sec_rel[:5]) / gold_sections
    ideal = _dcg([True] * min(len(expected), K))
    outcome.metrics["quote_ndcg@10"] = _dcg(quote_rel) / ideal if ideal else 0.0
    ideal_s = _dcg([True] * min(gold_sections, K))
    outcome.metrics["section_ndcg@10"] = _dcg(sec_rel) / ideal_s


def _bm25_system(kw: Kernwijzer) -> Callable[[str], list[Returned]]:
    from kernwijzer.text.tokens import tokens

    snap = kw.snapshot
    chunks = snap.chunks

    def run(text: str) -> list[Returned]:
        scores = snap.chunk_bm25.scores(tokens(text))
        order = [i for i in scores.argsort()[::-1][:K] if scores[i] > 0]
        return [
            Returned(
                chunks.texts[i],
                chunks.doc_ids[i],
                chunks.anchors[i],
                int(chunks.starts[i]),
                int(chunks.ends[i]),
            )
            for i in order
        ]

    return run


def _dense_system(kw: Kernwijzer) -> Callable[[str], list[Returned]]:
    """The plain llama-index dense retriever over the same Chroma chunks and model."""
    index = VectorStoreIndex.from_vector_store(
        kw.store.chunk_vector_store(kw.snapshot.manifest),
        embed_model=LlamaIndexEmbedding(kw.embedder),
    )
    retriever = index.as_retriever(similarity_top_k=K)

    def run(text: str) -> list[Returned]:
        out = []
        for hit in retriever.retrieve(text):
            meta = hit.node.metadata
            out.append(
                Returned(
                    hit.node.get_content(),
                    str(hit.node.ref_doc_id),
                    str(meta["anchor"]),
                    int(meta["start"]),
                    int(meta["end"]),
                )
            )
        return out

    return run


def _kernwijzer_outcome(kw: Kernwijzer, q: Question) -> tuple[list[Returned], str, float | None]:
    history = [Turn(c) for c in q.context]
    try:
        answer = kw.answer(q.question, qid=q.id, history=history)
    except QuestionError:
        return [], "abstained", None  # refused (e.g. no content word): nothing was answered
    passages = [
        Returned(c.quote, c.doc_id, c.anchor, c.start, c.end, c.link) for c in answer.citations
    ]
    probability = answer.evidence.get("probability")
    return (
        passages,
        answer.status,
        float(probability) if isinstance(probability, int | float) else None,
    )


def run_eval(
    kw: Kernwijzer,
    questions: list[Question],
    systems: tuple[str, ...] = SYSTEMS,
    progress: Callable[[int], None] | None = None,
    seed: int = SPLIT_SEED,
) -> dict[str, Any]:
    """Run every system on every question; return the full result (JSON-ready).

    ``summary`` holds the test half's figures; ``summary_by_half`` both halves and all.
    """
    kw.warm_up()
    sections = {d: doc.by_anchor for d, doc in kw.snapshot.documents.items()}
    runners = {"bm25": _bm25_system(kw), "dense": _dense_system(kw)}
    halves = assign_halves(questions, seed)
    outcomes: list[Outcome] = []
    for q in questions:
        language = q.language or kw.query(q.question).language
        for system in systems:
            started = time.perf_counter()
            evidence, status = None, "answered"
            if system == "kernwijzer":
                passages, status, evidence = _kernwijzer_outcome(kw, q)
            else:
                text = retrieval_text(q.question, [Turn(c) for c in q.context])
                passages = runners[system](text)
            abstained = status == "abstained"
            latency = (time.perf_counter() - started) * 1000
            outcome = Outcome(
                q.id, system, language, q.category, q.abstain, abstained, latency, passages
            )
            outcome.half, outcome.kind, outcome.evidence = halves[q.id], q.kind, evidence
            outcome.status, outcome.register = status, q.register
            outcome.variant_of = q.variant_of
            score(outcome, q, sections)
            outcomes.append(outcome)
        if progress:
            progress(1)
    originals = load_originals(kw)
    by_half = {
        half: summarise([o for o in outcomes if o.half == half], kw, originals) for half in HALVES
    }
    by_half["all"] = summarise(outcomes, kw, originals)
    return {
        "settings": _settings_record(kw.settings),
        "commit": git_commit(),
        "questions": len(questions),
        "split": {
            "seed": seed,
            "calibration": sum(h == "calibration" for h in halves.values()),
            "test": sum(h == "test" for h in halves.values()),
            "answerability_model": kw.answerability.meta,
            "boundaries": {
                "abstain_below": kw.answerability.abstain_below,
                "partial_below": kw.answerability.partial_below,
            },
        },
        "summary": by_half["test"],
        "summary_by_half": by_half,
        "outcomes": [asdict(o) for o in outcomes],
    }


def _metric_means(rows: list[Outcome]) -> dict[str, float]:
    keys = sorted({k for o in rows for k in o.metrics})
    return {k: round(statistics.fmean(o.metrics[k] for o in rows), 4) for k in keys} if rows else {}


def auroc(rows: list[Outcome]) -> float | None:
    """How well the evidence ranks answerable above out-of-scope questions (None: n/a)."""
    scored = [o for o in rows if o.evidence is not None]
    labels = {o.abstain_expected for o in scored}
    if len(labels) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    value = roc_auc_score([not o.abstain_expected for o in scored], [o.evidence for o in scored])
    return round(float(value), 4)


def _share(rows: list[Outcome], status: str) -> float | None:
    return round(sum(o.status == status for o in rows) / len(rows), 4) if rows else None


def _abstention(rows: list[Outcome]) -> dict[str, Any]:
    abstained = [o for o in rows if o.abstained]
    oos = [o for o in rows if o.abstain_expected]
    answerable = [o for o in rows if not o.abstain_expected]
    near = [o for o in oos if o.kind == "near-miss"]
    return {
        # The three outcomes: answerable questions should be answered (partial at worst),
        # out-of-scope ones abstained (partial at worst for a near miss).
        "answerable_answered": _share(answerable, "answered"),
        "answerable_partial": _share(answerable, "partial"),
        "oos_answered": _share(oos, "answered"),
        "oos_partial": _share(oos, "partial"),
        "near_miss_answered": _share(near, "answered"),
        "abstain_precision": round(sum(o.abstain_expected for o in abstained) / len(abstained), 4)
        if abstained
        else 1.0,
        "abstain_recall": round(sum(o.abstained for o in oos) / len(oos), 4) if oos else 1.0,
        "wrongly_abstained": round(sum(o.abstained for o in answerable) / len(answerable), 4)
        if answerable
        else 0.0,
        "evidence_auroc": auroc(rows),
    }


def paired_gap(variants: list[Outcome], rows: list[Outcome]) -> dict[str, float | int]:
    """Quote hit@1 of answerable variants beside that of their own originals, and the gap.

    A register's figure against the whole "original" register mixes in questions no
    variant rephrases (the English originals, say), which can hide or invent a gap: each
    variant is compared with the very question it rephrases, over the same ``rows``
    (one system, one half). Empty when no variant's original is among them.
    """
    originals = {o.id: o for o in rows if not o.variant_of}
    pairs = [
        (v, originals[v.variant_of])
        for v in variants
        if not v.abstain_expected and v.variant_of in originals
    ]
    if not pairs:
        return {}
    hit = statistics.fmean(v.metrics.get("quote_hit@1", 0.0) for v, _ in pairs)
    base = statistics.fmean(o.metrics.get("quote_hit@1", 0.0) for _, o in pairs)
    return {
        "pairs": len(pairs),
        "originals_hit@1": round(base, 4),
        "gap_hit@1": round(hit - base, 4),
    }


def _quality(rows: list[Outcome], kw: Kernwijzer) -> dict[str, float | None]:
    docs = kw.snapshot.documents
    passages = [p for o in rows for p in o.passages]
    verbatim = sum(
        docs[p.doc_id].text[p.start : p.end] == p.quote for p in passages if p.doc_id in docs
    )
    links = [p.link for p in passages if p.link]
    valid = sum(_link_ok(link, kw) for link in links)
    latencies = sorted(o.latency_ms for o in rows)
    return {
        "verbatim_rate": round(verbatim / len(passages), 4) if passages else 1.0,
        "link_validity": round(valid / len(links), 4) if links else None,  # no links: n/a
        "latency_p50_ms": round(percentile(latencies, 50), 2),
        "latency_p95_ms": round(percentile(latencies, 95), 2),
    }


def _link_ok(link: str, kw: Kernwijzer) -> bool:
    parsed = parse_link(link)
    doc = kw.snapshot.documents.get(parsed[0]) if parsed else None
    return doc is not None and parsed is not None and parsed[1] in doc.by_anchor


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (linear interpolation), 0.0 for no values."""
    return float(np.percentile(values, pct)) if values else 0.0


def load_originals(kw: Kernwijzer) -> dict[str, OriginalText]:
    """The original source file of every indexed document, ready for `fidelity` checks."""
    corpus = kw.settings.corpus.corpus_dir
    return {
        doc_id: OriginalText.from_raw((corpus / doc.info.file).read_text("utf-8"), doc.info)
        for doc_id, doc in kw.snapshot.documents.items()
    }


def fidelity(
    rows: list[Outcome],
    originals: dict[str, OriginalText],
    marks: dict[str, tuple[Mark, ...]] | None = None,
) -> dict[str, Any]:
    """Every returned quote against its original file: counts by repair, one example each.

    ``original_verbatim_rate`` counts quotes that match as is or after declared repairs only;
    ``furniture_quotes`` counts quotes that hold page furniture (a link teaser), which none
    may.
    """
    counts: dict[str, int] = {}
    examples: dict[str, str] = {}
    furniture = 0
    for p in (p for o in rows for p in o.passages):
        original = originals.get(p.doc_id)
        used = original.check(p.quote) if original else None
        kind = "undeclared" if used is None else ("+".join(used) or "verbatim")
        counts[kind] = counts.get(kind, 0) + 1
        examples.setdefault(kind, p.quote[:200])
        furniture += bool(within((marks or {}).get(p.doc_id, ()), p.start, p.end, FURNITURE))
    total = sum(counts.values())
    return {
        "original_verbatim_rate": round(1 - counts.get("undeclared", 0) / total, 4)
        if total
        else 1.0,
        "counts": dict(sorted(counts.items())),
        "examples": {k: v for k, v in sorted(examples.items()) if k != "verbatim"},
        "furniture_quotes": furniture,
    }


def summarise(
    outcomes: list[Outcome], kw: Kernwijzer, originals: dict[str, OriginalText] | None = None
) -> dict[str, Any]:
    """Means per system, overall and broken down by language and category."""
    summary: dict[str, Any] = {}
    for system in sorted({o.system for o in outcomes}, key=SYSTEMS.index):
        rows = [o for o in outcomes if o.system == system]
        answerable = [o for o in rows if not o.abstain_expected]
        entry: dict[str, Any] = {"overall": {**_metric_means(answerable), **_quality(rows, kw)}}
        if originals is not None:
            marks = {d: doc.marks for d, doc in kw.snapshot.documents.items()}
            entry["fidelity"] = fidelity(rows, originals, marks)
            entry["overall"]["original_verbatim_rate"] = entry["fidelity"]["original_verbatim_rate"]
        if system == "kernwijzer":
            entry["overall"].update(_abstention(rows))
        entry["by_language"] = {
            lang: {
                **_metric_means([o for o in answerable if o.language == lang]),
                **(
                    _abstention([o for o in rows if o.language == lang])
                    if system == "kernwijzer"
                    else {}
                ),
            }
            for lang in sorted({o.language for o in rows})
        }
        entry["by_category"] = {
            cat: _metric_means([o for o in answerable if o.category == cat])
            for cat in sorted({o.category for o in answerable})
        }
        entry["by_register"] = {
            register: {
                "questions": len(group),
                **_metric_means([o for o in group if not o.abstain_expected]),
                **(_abstention(group) if system == "kernwijzer" else {}),
                **paired_gap(group, rows),
            }
            for register in REGISTERS
            if (group := [o for o in rows if o.register == register])
        }
        if system == "kernwijzer":
            oos = [o for o in rows if o.abstain_expected]
            entry["by_kind"] = {
                kind: {
                    "questions": len(group),
                    "abstained": round(sum(o.abstained for o in group) / len(group), 4),
                    "answered": _share(group, "answered"),
                }
                for kind in sorted({o.kind or o.category for o in oos})
                if (group := [o for o in oos if (o.kind or o.category) == kind])
            }
        summary[system] = entry
    return summary


def _settings_record(settings: Settings) -> dict[str, Any]:
    return {
        k: str(v) if not isinstance(v, int | float | bool) or v is None else v
        for k, v in settings.flat().items()
    }


def git_commit() -> str | None:
    """The commit the evaluation ran on (with '+dirty' for uncommitted changes)."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def compare(a: dict[str, Any], b: dict[str, Any], system: str = "kernwijzer") -> dict[str, Any]:
    """Per-question wins and losses of run B against run A (by quote MRR, then abstention)."""

    def by_id(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {o["id"]: o for o in run["outcomes"] if o["system"] == system}

    left, right = by_id(a), by_id(b)
    wins, losses = [], []
    for qid in sorted(set(left) & set(right)):
        la, lb = left[qid], right[qid]
        if la["abstain_expected"]:
            sa, sb = float(la["abstained"]), float(lb["abstained"])
        else:
            sa, sb = la["metrics"]["quote_mrr@10"], lb["metrics"]["quote_mrr@10"]
        if sb > sa:
            wins.append({"id": qid, "before": sa, "after": sb})
        elif sb < sa:
            losses.append({"id": qid, "before": sa, "after": sb})
    changed = [
        {"id": qid, "before": _first_answer(left[qid]), "after": _first_answer(right[qid])}
        for qid in sorted(set(left) & set(right))
        if _first_answer(left[qid]) != _first_answer(right[qid])
    ]
    return {
        "system": system,
        "wins": wins,
        "losses": losses,
        "changed": changed,
        "common": len(set(left) & set(right)),
    }


def _first_answer(outcome: dict[str, Any]) -> str:
    """What a reader sees first: the refusal, or the first quote and where it is from."""
    if outcome["abstained"]:
        return "(geen antwoord)"
    if not outcome["passages"]:
        return "(geen passages)"
    p = outcome["passages"][0]
    return f"{p['doc_id']}#{p['anchor']}: {' '.join(p['quote'].split())[:90]}"
