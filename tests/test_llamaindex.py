"""Kernwijzer inside llama-index: its retriever in a stock query engine, on the real index."""

from __future__ import annotations

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers.no_text import NoText

from kernwijzer.llamaindex import KernwijzerRetriever


def test_a_llama_index_query_engine_quotes_what_kernwijzer_quotes(kw):
    retriever = KernwijzerRetriever(kw, top_k=3)
    # response_mode="no_text" calls no LLM, but its factory still resolves the default
    # (OpenAI) one; naming a stand-in keeps this offline. Nothing of it is used.
    engine = RetrieverQueryEngine(retriever, response_synthesizer=NoText(llm=MockLLM()))
    response = engine.query("Mag een PA de huisarts vervangen?")
    nodes = response.source_nodes
    assert 1 <= len(nodes) <= 3
    answer = kw.answer("Mag een PA de huisarts vervangen?", top_k=3)
    assert [n.node.get_content() for n in nodes] == [c.quote for c in answer.citations]
    first = nodes[0]
    meta = first.node.metadata
    assert "nooit een huisarts kan vervangen" in first.node.get_content()
    assert meta["publisher"] and meta["doc_title"] and meta["link"].startswith("/bron/")
    doc = kw.snapshot.documents[meta["doc_id"]]
    assert doc.text[meta["start"] : meta["end"]] == first.node.get_content()  # verbatim
    assert first.score is not None and first.score >= nodes[-1].score


def test_the_retriever_returns_nothing_when_the_sources_are_silent(kw):
    retriever = KernwijzerRetriever(kw)
    assert retriever.retrieve("What is the maximum daily dose of ibuprofen?") == []
