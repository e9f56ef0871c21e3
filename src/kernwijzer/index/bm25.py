"""Lexical retrieval: BM25 (bm25s) over Dutch-stemmed tokens without stop words.

Built when an index is first opened and kept beside the build's read copy (``cached``):
building it means tokenising every text, seconds at a corpus a hundred times this size,
where loading the saved arrays takes a fraction of that. Works the same over an embedded
or a server store (whose read copy lives in the local cache).
Not here: the tokens (``text/tokens.py``); fusion with dense scores (``retrieval/fusion.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import bm25s
import numpy as np

from kernwijzer.index import readcopy
from kernwijzer.text.tokens import STEMMER, tokens

# bm25s logs every index build at DEBUG through its own handler; that is noise here.
logging.getLogger("bm25s").setLevel(logging.WARNING)
log = logging.getLogger(__name__)


def _stamp(digest: str) -> dict[str, object]:
    # The tokens depend on the stemmer and on how words are split (v): an index saved with
    # other tokens is not reused.
    return {"texts": digest, "v": 3, "stemmer": STEMMER}


class Bm25Index:
    """BM25 over a fixed list of texts; scores come back normalised to [0, 1]."""

    def __init__(self, texts: list[str], retriever: bm25s.BM25 | None = None) -> None:
        self.size = len(texts)
        if retriever is None:
            retriever = bm25s.BM25()
            retriever.index([tokens(t) or ["∅"] for t in texts], show_progress=False)
        self._retriever = retriever
        self._vocab = retriever.vocab_dict

    @classmethod
    def cached(cls, texts: list[str], folder: Path, trusted: bool = True) -> Bm25Index:
        """The index of ``texts``, loaded from ``folder`` when saved there for these texts.

        The folder belongs to one build (its read copy), so the same texts; a digest of
        them still guards against a copy from elsewhere. A missing or unreadable copy is
        rebuilt and saved: it is a cache, never a reason to refuse the index. Untrusted
        (a read copy that is not sealed and verified: its arrays could be damaged), it is
        rebuilt and saved too.
        """
        digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()
        stamp = folder / "stamp.json"
        try:
            if not trusted:
                raise FileNotFoundError(stamp)
            if json.loads(stamp.read_text(encoding="utf-8")) == _stamp(digest):
                retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
                return cls(texts, retriever)
        except (OSError, ValueError, KeyError, EOFError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.warning("Rebuilding the BM25 index of %s (%s)", folder, exc)
        index = cls(texts)
        try:
            # A sealed read copy vouches for these files: it is unsealed before they
            # change, and sealed again by whoever opened it (``snapshot``, ``build``).
            readcopy.unseal(folder.parent)
            folder.mkdir(parents=True, exist_ok=True)
            stamp.unlink(missing_ok=True)  # the stamp goes last: it vouches for the arrays
            index._retriever.save(str(folder), show_progress=False)
            stamp.write_text(json.dumps(_stamp(digest)), encoding="utf-8")
        except OSError as exc:
            log.warning("Could not keep the BM25 index in %s: %s", folder, exc)
        return index

    @property
    def vocabulary(self) -> dict[str, int]:
        """Every stemmed token of the indexed texts."""
        return self._vocab

    def coverage(self, query_tokens: list[str]) -> np.ndarray:
        """Per text, the share of the distinct query tokens it contains (0 to 1)."""
        distinct = list(dict.fromkeys(query_tokens))
        counts = np.zeros(self.size, dtype=np.float32)
        scores = self._retriever.scores
        indptr, indices = scores["indptr"], scores["indices"]
        for token in distinct:
            column = self._vocab.get(token)
            if column is not None:
                counts[indices[indptr[column] : indptr[column + 1]]] += 1
        return counts / len(distinct) if distinct else counts

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """Score of every text, divided by the best score (all zeros when nothing matches)."""
        known = [t for t in query_tokens if t in self._vocab]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        raw = np.asarray(self._retriever.get_scores(known), dtype=np.float32)
        top = float(raw.max())
        return raw / top if top > 0 else raw
