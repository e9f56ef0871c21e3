"""The index: the embedding model (prepared offline), Chroma as the store of record, its read copy.

Stage order: modelprep/gemmaprep (set-up) → inference → embedding → build (chunks to vectors
to Chroma) → store → readcopy and bm25 → snapshot (one build read into memory).
"""
