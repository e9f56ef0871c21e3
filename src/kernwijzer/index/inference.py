"""Running the embedding model: ONNX Runtime (the default) or torch.

ONNX Runtime runs the graph ``modelprep.export_onnx`` wrote, with the model's own fast
tokenizer (``tokenizers``, the library sentence-transformers' tokenizer wraps). A graph of
the encoder alone (e5-small) gives the last hidden state, and mean pooling and L2
normalisation follow as in the model's ``1_Pooling`` and ``2_Normalize`` modules; a whole
model's graph (EmbeddingGemma) gives the sentence embedding itself.
Neither torch nor transformers is imported on this path, which is what makes a one-question
CLI run and an app start quick. Torch (sentence-transformers) stays available as a backend
for models without an export. Not here: prefixes and the choice of model (``embedding``).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np


class Encoder(Protocol):
    """Texts in, L2-normalised float32 rows out."""

    dim: int

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        """One row per text, in order."""
        ...


class TokenIds(Protocol):
    """Texts in, token ids (special tokens included, truncated to the window) out."""

    pad_id: int

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """One list of ids per text."""
        ...


class FastTokenizer:
    """The model's ``tokenizer.json`` through ``tokenizers``."""

    def __init__(self, path: Path, max_tokens: int) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self.pad_id = self._tokenizer.token_to_id("<pad>") or 0

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Ids with the model's special tokens."""
        return [e.ids for e in self._tokenizer.encode_batch(texts)]


class SentencePieceTokenizer:
    """The model's own ``tokenizer.model`` through ``sentencepiece``, with BOS and EOS.

    EmbeddingGemma's ``tokenizer.json`` holds a 262k-piece vocabulary that takes a second
    to read, most of a one-question CLI run; its SentencePiece model loads in 0.06 s and
    gives the same ids (checked over the whole corpus and question set by a test).
    """

    def __init__(self, path: Path, max_tokens: int) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(path))
        self._max = max_tokens
        self.pad_id = max(int(self._sp.pad_id()), 0)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Ids as the fast tokenizer gives them: BOS, pieces, EOS, cut to the window."""
        bos, eos = int(self._sp.bos_id()), int(self._sp.eos_id())
        out = []
        for pieces in self._sp.encode(texts):
            ids = [*[bos, *pieces][: self._max - 1], eos]
            out.append(ids)
        return out


def load_tokenizer(folder: Path, max_tokens: int) -> TokenIds:
    """SentencePiece where the model ships its model file (Gemma), else ``tokenizer.json``."""
    if (folder / "tokenizer.model").exists():
        return SentencePieceTokenizer(folder / "tokenizer.model", max_tokens)
    return FastTokenizer(folder / "tokenizer.json", max_tokens)


class OnnxEncoder:
    """A transformer exported to ONNX, mean-pooled and normalised; thread-safe."""

    def __init__(self, folder: Path, graph: Path, threads: int = 0) -> None:
        import onnxruntime as ort
        from threadpoolctl import threadpool_limits

        # OpenBLAS workers spin for a while after each matrix product (retrieval's) and
        # take the cores this session's threads need: a question's embedding took 2-3x
        # longer at a hundred times the corpus. The products are memory-bound; one thread
        # loses nothing.
        threadpool_limits(limits=1, user_api="blas")

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.dim = int(config["hidden_size"])
        st_config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        max_tokens = st_config["max_seq_length"]
        # Usage events off at run time too (the start-up opt-out is in ``kernwijzer``).
        ort.disable_telemetry_events()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: ONNX Runtime's choice, one per core
        options.log_severity_level = 3
        # Idle workers would spin after each run and hold the core that retrieval's scan
        # of the vectors runs on next: at a hundred times the corpus a question took
        # 28 ms with spinning and 20.5 ms without; at this corpus no difference shows.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Reading a 250k-word vocabulary and building the session take about a second
        # each, both in native code: side by side they take one.
        with ThreadPoolExecutor(1) as pool:
            loading = pool.submit(load_tokenizer, folder, int(max_tokens))
            self._session = ort.InferenceSession(
                str(graph), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = loading.result()
        self._pad = self._tokenizer.pad_id
        self._pooled = self._session.get_outputs()[0].name == "sentence_embedding"
        if self._pooled:
            self.dim = int(self._session.get_outputs()[0].shape[-1] or self.dim)

    def encode(self, texts: list[str], batch_size: int, progress: bool = False) -> np.ndarray:
        """Embed texts in batches of similar length (less padding), returned in input order."""
        encodings = self._tokenizer.encode_batch(texts)
        order = np.argsort([-len(e) for e in encodings], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Counted in texts (passages and sentences), not batches, so the rate and ETA read
        # in what the summary reports; longest first, so the early ETA errs long.
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="Embedding passages", unit="text")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(encodings[i]) for i in rows)
            ids = np.full((len(rows), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i])
                ids[r, :n], mask[r, :n] = encodings[i], 1
            (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            if self._pooled:
                out[rows] = hidden  # pooled, projected and normalised inside the graph
            else:
                pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
                out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
            if bar is not None:
                bar.update(len(rows))
        if bar is not None:
            bar.close()
        return out


class TorchEncoder:
    """A sentence-transformers model on torch (for models without an ONNX export)."""

    def __init__(self, folder: str) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(folder, device="cpu")
        dim = self._model.get_embedding_dimension()
        assert dim is not None
        self.dim = int(dim)
        # torch's CPU kernels are not meant to be entered by several threads at once.
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int, progress: bool = False) -> np.ndarray:
        """Embed texts with sentence-transformers, normalised."""
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                show_progress_bar=progress,
                convert_to_numpy=True,
            )
        return np.asarray(vectors, dtype=np.float32)
