"""Kernwijzer inside llama-index: its model as an embedding, its answers as a retriever.

Imported only by what uses llama-index (the dense baseline of the evaluation, the latency
benchmark, anyone composing a llama-index query engine), so answering a question never
loads llama-index. ``KernwijzerRetriever`` returns Kernwijzer's ranked, verbatim passages
as ``NodeWithScore``: a llama-index query engine built on it quotes what Kernwijzer quotes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import PrivateAttr

from kernwijzer.index.embedding import Embedder
from kernwijzer.pipeline import Kernwijzer


class LlamaIndexEmbedding(BaseEmbedding):
    """The same model behind llama-index's embedding interface."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.settings.model, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._embedder.queries([query])[0]]

    def _get_text_embedding(self, text: str) -> list[float]:
        return [float(x) for x in self._embedder.passages([text])[0]]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.passages(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


# Citation fields carried as node metadata: everything a caller needs to cite the quote.
METADATA = (
    "rank",
    "doc_id",
    "doc_title",
    "publisher",
    "date",
    "section",
    "section_path",
    "anchor",
    "start",
    "end",
    "focus_start",
    "focus_end",
    "link",
    "source_url",
    "table_column",
    "strength",
)


class KernwijzerRetriever(BaseRetriever):
    """Kernwijzer's citations for a question, best first, as llama-index nodes.

    When Kernwijzer abstains (the sources do not answer) the list is empty, so a query
    engine on top says it found nothing rather than summarising unrelated text.
    """

    def __init__(
        self,
        kernwijzer: Kernwijzer,
        top_k: int | None = None,
        documents: set[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._kernwijzer = kernwijzer
        self._top_k = top_k
        self._documents = documents

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        answer = self._kernwijzer.answer(
            query_bundle.query_str, top_k=self._top_k, documents=self._documents
        )
        if answer.abstained:
            return []
        nodes = []
        for citation in answer.citations:
            data = asdict(citation)
            metadata = {k: data[k] for k in METADATA if data.get(k) is not None}
            # "partial": the sources speak of the topic but may not state what is asked.
            metadata["answer_status"] = answer.status
            node = TextNode(
                id_=f"{citation.doc_id}:{citation.start}-{citation.end}",
                text=citation.quote,
                metadata=metadata,
                # The quote is the text: no metadata in what a synthesiser or embedder reads.
                excluded_llm_metadata_keys=list(metadata),
                excluded_embed_metadata_keys=list(metadata),
            )
            nodes.append(NodeWithScore(node=node, score=citation.score))
        return nodes
