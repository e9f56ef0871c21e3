"""Dense similarity of a question to every row of a passage matrix, exact where it counts.

Fusion ranks only the first ``depth`` rows of each signal (``fusion.rrf_share``), so a
question needs exact similarities for those rows and nothing for the rest. Up to ``depth``
rows, one matrix product scores them all. Beyond that (a corpus a hundred times this one),
the float32 product reads every vector on every question and becomes the largest cost of
an answer; there faiss scans a half-precision copy (its SIMD kernels, half the memory
traffic) for the ``depth`` best rows, which are then rescored exactly from the float32
vectors. Only which rows make the cut is approximate, within half-precision rounding;
every other row scores ``FLOOR``. Chroma stays the store of record: this is an in-memory
scan of the build's read copy, rebuilt at every load.
"""

from __future__ import annotations

import numpy as np

FLOOR = -1.0  # the lowest cosine similarity: below every row that made the cut


class DenseScorer:
    """Similarities of query vectors to one matrix of L2-normalised rows (thread-safe)."""

    def __init__(self, vectors: np.ndarray, depth: int) -> None:
        self.vectors = vectors
        self.depth = depth
        self._scan = None
        if len(vectors) > depth:
            # Imported here: a corpus of this size never needs faiss, and a one-question CLI
            # run should not pay for loading it.
            import faiss

            # One query at a time: threads would only wait on memory, and spinning OpenMP
            # workers take the cores the embedding model's threads need.
            faiss.omp_set_num_threads(1)
            scan = faiss.IndexScalarQuantizer(
                vectors.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
            )
            scan.add(np.ascontiguousarray(vectors, dtype=np.float32))
            self._scan = scan

    @property
    def approximate(self) -> bool:
        """Whether candidates come from the half-precision scan (more rows than ``depth``)."""
        return self._scan is not None

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """One similarity per row: exact for the ``depth`` best, ``FLOOR`` for the rest."""
        if self._scan is None:
            return self.vectors @ vector
        _, found = self._scan.search(vector[None, :].astype(np.float32), self.depth)
        rows = np.sort(found[0][found[0] >= 0])  # in storage order: one forward pass
        out = np.full(len(self.vectors), FLOOR, dtype=np.float32)
        out[rows] = self.exact(rows, vector)
        return out

    def exact(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Exact similarities of the given rows."""
        return self.vectors[rows] @ vector
