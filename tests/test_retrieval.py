"""Fusion over the first ``rank_depth`` ranks, and dense candidates from a scan at scale.

The real index holds about 730 sentences and 118 chunks; a depth below that exercises the
path a corpus a hundred times larger takes (faiss's half-precision scan plus exact
rescoring) on real vectors and real questions.
"""

from __future__ import annotations

import numpy as np
import pytest

from kernwijzer.retrieval.dense import FLOOR, DenseScorer
from kernwijzer.retrieval.fusion import rrf_share

QUESTIONS = (
    "Mag een PA de huisarts vervangen?",
    "Hoeveel patiënten heeft een normpraktijk?",
    "Do I need the insurer's permission for GP care?",
    "What does urgency U3 mean?",
)


def test_ranking_only_the_first_ranks_gives_them_the_same_share():
    scores = np.array([0.2, 0.9, 0.0, 0.5, 0.9, 0.1, 0.7])
    full = rrf_share(scores, 1.0, 30.0, retrieved_only=False, depth=len(scores))
    cut = rrf_share(scores, 1.0, 30.0, retrieved_only=False, depth=3)
    # ties go by position, as a stable sort would order them
    assert list(np.flatnonzero(cut)) == [1, 4, 6]
    assert np.allclose(cut[[1, 4, 6]], full[[1, 4, 6]])
    assert full[1] == 1 / 31 and full[4] == 1 / 32
    assert np.count_nonzero(cut) == 3
    bm25 = rrf_share(scores, 1.0, 30.0, retrieved_only=True, depth=100)
    assert bm25[2] == 0.0  # not retrieved, not ranked
    assert np.count_nonzero(bm25) == 6


def test_a_scan_finds_the_best_rows_and_scores_them_exactly(fake_kw):
    vectors = fake_kw.snapshot.sentences.vectors
    scorer = DenseScorer(vectors, depth=100)
    assert scorer.approximate
    for question in QUESTIONS:
        query = fake_kw.query(question)
        exact = vectors @ query.vector
        got = scorer.scores(query.vector)
        kept = np.flatnonzero(got > FLOOR)
        assert len(kept) == 100
        assert np.allclose(got[kept], exact[kept], atol=1e-6)  # rescored, not rounded
        # half precision may swap rows only at the cut, never lose one well above it
        assert set(np.argsort(-exact)[:90]) <= set(kept)


def test_a_small_index_is_scored_exactly_without_faiss(fake_kw):
    vectors = fake_kw.snapshot.sentences.vectors
    scorer = DenseScorer(vectors, depth=len(vectors))
    assert not scorer.approximate
    query = fake_kw.query(QUESTIONS[0])
    assert np.array_equal(scorer.scores(query.vector), vectors @ query.vector)


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_shallow_fusion_moves_scores_by_less_than_the_bound(fake_kw, question):
    depth = 200
    shallow = fake_kw.with_settings(fake_kw.settings.updated(rank_depth=depth))
    assert shallow.retriever.approximate
    query = fake_kw.query(question)
    full = {h.index: h for h in fake_kw.retriever.search(query, limit=30).hits}
    cut = {h.index: h for h in shallow.retriever.search(query, limit=30).hits}
    s = fake_kw.settings
    weights = (
        s.retrieval.dense_weight
        + s.retrieval.section_weight
        + (1 + s.retrieval.section_weight)
        * max(s.retrieval.lexical_weight_nl, s.retrieval.lexical_weight_en)
    )
    # Each signal's share of a sentence beyond the depth is below weight/(k + depth);
    # fused scores are scaled by k.
    bound = weights / (s.retrieval.rrf_k + depth) * s.retrieval.rrf_k
    for index in full.keys() & cut.keys():
        assert abs(full[index].score - cut[index].score) <= bound + 1e-9
        assert full[index].dense == pytest.approx(cut[index].dense, abs=1e-6)
    top = next(iter(full))
    assert top in cut, "the best sentence of the exact fusion is still found"
    assert next(iter(cut)) in list(full)[:3]


def test_a_document_filter_ranks_within_that_document(fake_kw):
    # The question is about another document's subject: the filtered ranking must still
    # offer the chosen document's best sentences, not the few that made a global top list.
    query = fake_kw.query("Mag een PA de huisarts vervangen?")
    found = fake_kw.retriever.search(query, limit=40, documents={"asr-huisartsenzorg"})
    doc_ids = fake_kw.snapshot.sentences.doc_ids
    quotable = fake_kw.retriever._answerable & (np.array(doc_ids) == "asr-huisartsenzorg")
    assert len(found.hits) == min(40, int(quotable.sum())) > 10
    assert {doc_ids[h.index] for h in found.hits} == {"asr-huisartsenzorg"}
    # the evidence is the best sentence of the document searched, hit or not
    assert found.best_dense >= max(h.dense for h in found.hits) - 1e-6


def test_coverage_counts_each_question_term_once_per_text():
    from kernwijzer.index.bm25 import Bm25Index
    from kernwijzer.text.tokens import tokens

    index = Bm25Index(
        [
            "Voor huisartsenzorg is geen toestemming van ons nodig.",
            "Toestemming, toestemming en nog eens toestemming.",
            "Het basisaanbod wordt door iedere huisartsenpraktijk geboden.",
        ]
    )
    covered = index.coverage(tokens("toestemming nodig huisartsenzorg toestemming"))
    assert covered.tolist() == pytest.approx([1.0, 1 / 3, 0.0])
    assert index.coverage([]).tolist() == [0.0, 0.0, 0.0]
