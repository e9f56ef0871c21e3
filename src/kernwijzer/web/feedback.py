"""Answer feedback: a 👍 or 👎 and an optional comment per answer, kept on this machine.

Stored in SQLite under the configured data dir; never sent anywhere. A rating holds the
question, what was answered (the short answer and the cited passages), the index build and
the day; no user, address or session. `export_questions` turns ratings into entries of the
question-file format, so an evaluator can add them to the fixed set after review.
Not here: the buttons (``web/app.py``) and the command (``cli.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from kernwijzer.answer.compose import Answer

FEEDBACK_FILE = "feedback.sqlite"  # under the configured data dir
RATINGS = ("up", "down")
MAX_COMMENT = 2000
SCHEMA = """
CREATE TABLE IF NOT EXISTS ratings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  day TEXT NOT NULL,
  question TEXT NOT NULL,
  language TEXT NOT NULL,
  rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  comment TEXT NOT NULL DEFAULT '',
  abstained INTEGER NOT NULL,
  answer TEXT NOT NULL,
  citations TEXT NOT NULL,
  build TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT ''
)
"""


def clean_text(text: str) -> str:
    """Text as SQLite can store it: invalid code points (a lone surrogate) become U+FFFD."""
    return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


class FeedbackError(ValueError):
    """Feedback that cannot be stored or read; the message says why."""


@dataclass(frozen=True)
class Rating:
    """One stored rating."""

    question: str
    language: str
    rating: str
    abstained: bool
    answer: str
    citations: list[dict[str, object]] = field(default_factory=list)
    comment: str = ""
    build: str = ""
    day: str = ""
    id: int | None = None
    status: str = ""  # answered | partial | abstained ("" in files from before it was kept)

    @classmethod
    def of(cls, answer: Answer, rating: str, build: str = "") -> Rating:
        """A rating of ``answer``; only what is needed to review it is kept."""
        if rating not in RATINGS:
            raise FeedbackError(f"A rating is one of {RATINGS}, not {rating!r}")
        cited: list[dict[str, object]] = [
            {
                "doc": c.doc_id,
                "anchor": c.anchor,
                "focus": c.quote[c.focus_start - c.start : c.focus_end - c.start],
            }
            for c in answer.citations[:3]
        ]
        return cls(
            question=answer.question,
            language=answer.language,
            rating=rating,
            abstained=answer.abstained,
            answer=answer.answer,
            citations=cited,
            build=build,
            status=answer.status,
        )


class FeedbackStore:
    """The SQLite file of ratings (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = sqlite3.connect(self.path, timeout=10)
            con.execute(SCHEMA)
            columns = {row[1] for row in con.execute("PRAGMA table_info(ratings)")}
            if "status" not in columns:  # a file written before the status was kept
                con.execute("ALTER TABLE ratings ADD COLUMN status TEXT NOT NULL DEFAULT ''")
        except sqlite3.DatabaseError as exc:
            raise FeedbackError(f"The feedback file {self.path} is not usable: {exc}") from exc
        return con

    def add(self, rating: Rating) -> int:
        """Store a rating; returns its id."""
        day = rating.day or dt.date.today().isoformat()
        with closing(self._connect()) as con, con:
            cur = con.execute(
                "INSERT INTO ratings (day, question, language, rating, comment, abstained, "
                "answer, citations, build, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    day,
                    rating.question,
                    rating.language,
                    rating.rating,
                    clean_text(rating.comment)[:MAX_COMMENT],
                    int(rating.abstained),
                    rating.answer,
                    json.dumps(rating.citations, ensure_ascii=False),
                    rating.build,
                    rating.status,
                ),
            )
            return int(cur.lastrowid or 0)

    def comment(self, rating_id: int, text: str) -> None:
        """Attach (or replace) the comment of a stored rating."""
        with closing(self._connect()) as con, con:
            con.execute(
                "UPDATE ratings SET comment = ? WHERE id = ?",
                (clean_text(text).strip()[:MAX_COMMENT], rating_id),
            )

    def all(self) -> list[Rating]:
        """Every rating, oldest first."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT id, day, question, language, rating, comment, abstained, answer, "
                "citations, build, status FROM ratings ORDER BY id"
            ).fetchall()
        return [
            Rating(
                id=r[0],
                day=r[1],
                question=r[2],
                language=r[3],
                rating=r[4],
                comment=r[5],
                abstained=bool(r[6]),
                answer=r[7],
                citations=json.loads(r[8]),
                build=r[9],
                status=r[10],
            )
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """How many ratings of each kind, and how many carry a comment."""
        ratings = self.all()
        return {
            "up": sum(r.rating == "up" for r in ratings),
            "down": sum(r.rating == "down" for r in ratings),
            "with_comment": sum(bool(r.comment) for r in ratings),
        }


def export_questions(ratings: list[Rating]) -> list[dict[str, object]]:
    """Ratings as question-file entries (``evals/questions.yaml`` format).

    A 👍 on an answer proposes its first cited passage as the gold answer; a 👍 on a refusal
    proposes ``abstain: true``; a 👎 carries no gold, only the note, for a reviewer to fill.
    """
    entries: list[dict[str, object]] = []
    for r in ratings:
        verdict = "👍" if r.rating == "up" else "👎"
        shown = f" on a {r.status} answer" if r.status else ""
        note = f"feedback {verdict}{shown} {r.day}" + (f": {r.comment}" if r.comment else "")
        entry: dict[str, object] = {
            "id": f"feedback-{r.id}",
            "question": r.question,
            "language": r.language,
            "category": "feedback",
            "note": note,
        }
        if r.rating == "up" and r.abstained:
            entry["abstain"] = True
        elif r.rating == "up" and r.citations and str(r.citations[0]["focus"]).strip():
            first = r.citations[0]
            entry["expected"] = [str(first["focus"])]
            entry["source"] = [{"doc": first["doc"], "anchor": first["anchor"]}]
        entries.append(entry)
    return entries
