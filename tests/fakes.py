"""A deterministic fake encoder: the pipeline's own logic tested without loading a model.

Each text becomes a hashed bag of its stemmed tokens (``text.tokens``) and character
trigrams, L2-normalised: texts that share words are near, others far, the same text always
gives the same row, and it costs microseconds. It stands in for EmbeddingGemma only where the
test is about what Kernwijzer does with vectors (validation, indexing, read copy, fusion,
quoting, the CLI's and the app's handling), never about how well a model ranks; those tests
carry the ``model`` marker and use the real one. The chunks are sized with the real
tokenizer (``Embedder.tokenize`` reads only a tokenizer file), so both index the same passages.
"""

from __future__ import annotations

import hashlib
from functools import cached_property

import numpy as np

from kernwijzer.index.embedding import Embedder
from kernwijzer.text.tokens import tokens

DIM = 256


def _bucket(feature: str) -> int:
    # A stable hash: Python's own is salted per process, and the index outlives a process.
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest(), "big") % DIM


class FakeEncoder:
    """Hashed bag of words and trigrams; the `inference.Encoder` protocol."""

    dim = DIM

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        """One L2-normalised row per text."""
        rows = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in tokens(text):
                rows[i, _bucket(word)] += 2.0
                padded = f"#{word}#"
                for k in range(len(padded) - 2):
                    rows[i, _bucket(padded[k : k + 3])] += 0.5
            rows[i, _bucket("∅")] += 0.1  # never a zero row
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


class FakeEmbedder(Embedder):
    """The project's embedder with the fake encoder in place of the model."""

    @property
    def model_id(self) -> str:
        """Its own id, so a fake index is never read with real vectors or the reverse."""
        return "fake-hashed-bag|" + super().model_id

    @cached_property
    def encoder(self) -> FakeEncoder:  # type: ignore[override]
        """The fake: nothing to load."""
        return FakeEncoder()
