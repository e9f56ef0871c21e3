"""Question files (YAML or JSON): the eval set and ``kernwijzer ask --file`` batches.

A file is a list of entries ``{id, question, expected?, abstain?, ...}`` (see
``evals/questions.yaml`` for every field). A malformed file is rejected whole, with a
message naming the entry and the problem. Not here: running or scoring questions.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from kernwijzer.files import entry_problem, load_yaml, refuse

# How a question is put: as the question set's authors wrote it, or as people type it.
REGISTERS = ("original", "colloquial", "typo", "abbreviation", "english-paraphrase")


class QuestionFileError(ValueError):
    """A question file that cannot be used; the message names the entry."""


@dataclass(frozen=True)
class GoldSource:
    """A gold passage: document id and section anchor."""

    doc: str
    anchor: str


def _texts(value: object, info: ValidationInfo) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        refuse(f"'{info.field_name}' must be a list of non-empty strings")
    return tuple(value)


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Question:
    """One entry of a question file; also its schema (an entry is checked by building one)."""

    id: str
    question: str
    expected: tuple[str, ...] = ()
    abstain: bool = False
    source: tuple[GoldSource, ...] = ()
    category: str = "uncategorised"
    language: str | None = None
    context: tuple[str, ...] = ()
    note: str = ""
    kind: str = ""  # what sort of question (out-of-scope: clinical, near-miss, ...)
    register: str = "original"  # how it is put (`REGISTERS`)
    variant_of: str = ""  # the question this one rephrases (it shares its half)

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, str | int):
            refuse("'id' must be text or a number")
        return str(value)

    @field_validator("question", mode="before")
    @classmethod
    def _question(cls, value: object) -> object:
        if not isinstance(value, str) or not value.strip():
            refuse("'question' is missing or empty")
        return value

    @field_validator("expected", "context", mode="before")
    @classmethod
    def _lists(cls, value: object, info: ValidationInfo) -> tuple[str, ...]:
        return _texts(value, info)

    @field_validator("abstain", mode="before")
    @classmethod
    def _abstain(cls, value: object) -> object:
        if not isinstance(value, bool):
            refuse("'abstain' must be true or false")
        return value

    @field_validator("source", mode="before")
    @classmethod
    def _sources(cls, value: object) -> tuple[GoldSource, ...]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            refuse("'source' must be a list of {doc, anchor}")
        out = []
        for item in value:
            if isinstance(item, GoldSource):
                out.append(item)
            elif isinstance(item, dict) and {"doc", "anchor"} <= set(item):
                out.append(GoldSource(str(item["doc"]), str(item["anchor"])))
            else:
                refuse("every source needs 'doc' and 'anchor'")
        return tuple(out)

    @field_validator("category", "note", "kind", "variant_of", mode="before")
    @classmethod
    def _text(cls, value: object) -> str:
        return str(value or "")

    @field_validator("register", mode="before")
    @classmethod
    def _register(cls, value: object) -> str:
        register = str(value or "original")
        if register not in REGISTERS:
            refuse(f"'register' must be one of {', '.join(REGISTERS)}")
        return register

    @property
    def stratum(self) -> str:
        """The group a split keeps balanced: language and kind (or category)."""
        return f"{self.language or '?'}/{self.kind or self.category}"


def _entry(raw: object, index: int, path: Path) -> Question:
    where = f"{path.name}, entry {index + 1}"
    if not isinstance(raw, dict):
        raise QuestionFileError(f"{where}: must be a mapping with at least 'question'")
    if raw.get("id") is not None:
        where += f" (id {raw['id']!r})"
    values = {str(k): v for k, v in raw.items()}
    if values.get("id") is None or values.get("id") == "":
        values["id"] = f"q{index + 1}"
    if not values.get("category"):
        values["category"] = "out-of-scope" if values.get("abstain") is True else "uncategorised"
    try:
        return Question(**values)
    except ValidationError as exc:
        raise QuestionFileError(f"{where}: {entry_problem(exc)}") from None


def load_questions(path: Path) -> list[Question]:
    """Read and validate a question file; raise `QuestionFileError` on any problem."""
    if not path.exists():
        raise QuestionFileError(f"Question file {path} does not exist")
    if not path.is_file():
        raise QuestionFileError(f"Question file {path} is not a file (a folder?)")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuestionFileError(f"{path.name} is not valid UTF-8 (byte {exc.start})") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise QuestionFileError(f"{path.name} cannot be parsed: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise QuestionFileError(f"{path.name} must be a non-empty list of questions")
    questions = [_entry(raw, i, path) for i, raw in enumerate(data)]
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise QuestionFileError(f"{path.name}: duplicate id {q.id!r}")
        seen.add(q.id)
    for q in questions:
        if q.variant_of and q.variant_of not in seen:
            raise QuestionFileError(
                f"{path.name}: {q.id!r} is a variant of {q.variant_of!r}, which is not in the file"
            )
    return questions


HALVES = ("calibration", "test")
SPLIT_SEED = 20261123


RECORDED_SPLIT = Path(__file__).resolve().parents[3] / "evals" / "split.yaml"


def recorded_split(path: Path = RECORDED_SPLIT) -> dict[str, str]:
    """The fixed split of the project's question set (id -> half); {} when absent."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return {qid: half for half in HALVES for qid in raw.get(half) or []}


def assign_halves(
    questions: list[Question], seed: int = SPLIT_SEED, recorded: dict[str, str] | None = None
) -> dict[str, str]:
    """Split questions into a calibration half and a test half: id -> half.

    A question in the recorded split (``evals/split.yaml``, by default) keeps its half, and
    a variant (``variant_of``) takes its original's: a rephrasing must never be fitted on
    while its original is reported, or the reverse. The rest are stratified by language
    and kind (`Question.stratum`): within a stratum, questions are ordered by a seeded
    hash of their id and dealt out alternately, starting at a stratum-dependent half so
    that odd strata do not all favour one side. Every threshold, weight or model is
    fitted on the calibration half; figures are reported on the test half.
    """

    def key(text: str) -> str:
        return hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()

    fixed = recorded_split() if recorded is None else recorded
    halves: dict[str, str] = {q.id: fixed[q.id] for q in questions if q.id in fixed}
    strata: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        if q.id not in halves and not q.variant_of:
            strata[q.stratum].append(q)
    for stratum, members in strata.items():
        first = int(key(stratum), 16) % 2
        for i, q in enumerate(sorted(members, key=lambda m: key(m.id))):
            halves[q.id] = HALVES[(i + first) % 2]
    originals = {q.id: q.variant_of for q in questions}
    for q in questions:
        root = q.id
        while originals.get(root):
            root = originals[root]
        halves.setdefault(q.id, halves.get(root, HALVES[0]))
    return halves
