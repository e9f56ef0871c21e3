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

from kernwijzer.files import load_yaml

FIELDS = {
    "id",
    "question",
    "expected",
    "abstain",
    "source",
    "category",
    "note",
    "language",
    "context",
    "kind",
    "register",
    "variant_of",
}
# How a question is put: as the question set's authors wrote it, or as people type it.
REGISTERS = ("original", "colloquial", "typo", "abbreviation", "english-paraphrase")


class QuestionFileError(ValueError):
    """A question file that cannot be used; the message names the entry."""


@dataclass(frozen=True)
class GoldSource:
    """A gold passage: document id and section anchor."""

    doc: str
    anchor: str


@dataclass(frozen=True)
class Question:
    """One entry of a question file."""

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

    @property
    def stratum(self) -> str:
        """The group a split keeps balanced: language and kind (or category)."""
        return f"{self.language or '?'}/{self.kind or self.category}"


def _strings(value: object, what: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionFileError(f"{where}: '{what}' must be a list of non-empty strings")
    return tuple(value)


def _sources(value: object, where: str) -> tuple[GoldSource, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise QuestionFileError(f"{where}: 'source' must be a list of {{doc, anchor}}")
    out = []
    for item in value:
        if not isinstance(item, dict) or not {"doc", "anchor"} <= set(item):
            raise QuestionFileError(f"{where}: every source needs 'doc' and 'anchor'")
        out.append(GoldSource(str(item["doc"]), str(item["anchor"])))
    return tuple(out)


def _entry(raw: object, index: int, path: Path) -> Question:
    where = f"{path.name}, entry {index + 1}"
    if not isinstance(raw, dict):
        raise QuestionFileError(f"{where}: must be a mapping with at least 'question'")
    if raw.get("id") is not None:
        where += f" (id {raw['id']!r})"
    unknown = set(raw) - FIELDS
    if unknown:
        raise QuestionFileError(f"{where}: unknown field(s) {sorted(unknown)}")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise QuestionFileError(f"{where}: 'question' is missing or empty")
    raw_id = raw.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        raise QuestionFileError(f"{where}: 'id' must be text or a number")
    abstain = raw.get("abstain", False)
    if not isinstance(abstain, bool):
        raise QuestionFileError(f"{where}: 'abstain' must be true or false")
    register = str(raw.get("register") or "original")
    if register not in REGISTERS:
        raise QuestionFileError(f"{where}: 'register' must be one of {', '.join(REGISTERS)}")
    return Question(
        id=f"q{index + 1}" if raw_id is None or raw_id == "" else str(raw_id),
        question=question,
        expected=_strings(raw.get("expected"), "expected", where),
        abstain=abstain,
        source=_sources(raw.get("source"), where),
        category=str(raw.get("category") or ("out-of-scope" if abstain else "uncategorised")),
        language=raw.get("language"),
        context=_strings(raw.get("context"), "context", where),
        note=str(raw.get("note") or ""),
        kind=str(raw.get("kind") or ""),
        register=register,
        variant_of=str(raw.get("variant_of") or ""),
    )


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
