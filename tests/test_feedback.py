"""Answer feedback: stored locally in SQLite, exported as a question file (real pipeline)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from kernwijzer.evaluation.questions import load_questions
from kernwijzer.web.feedback import FeedbackError, FeedbackStore, Rating, export_questions
from tests.conftest import settings_env


def test_ratings_round_trip_and_export_as_questions(kw, tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    good = kw.answer("Mag een PA de huisarts vervangen?")
    refused = kw.answer("What is the maximum dose of ibuprofen?")
    first = store.add(Rating.of(good, "up", "build-1"))
    store.add(Rating.of(refused, "up"))
    store.add(Rating.of(good, "down"))
    store.comment(first, "  Klopt precies.  ")
    ratings = store.all()
    assert [(r.rating, r.abstained, r.comment) for r in ratings] == [
        ("up", False, "Klopt precies."),
        ("up", True, ""),
        ("down", False, ""),
    ]
    assert store.counts() == {"up": 2, "down": 1, "with_comment": 1}
    entries = export_questions(ratings)
    assert entries[0]["source"][0]["doc"] == good.citations[0].doc_id
    assert entries[0]["expected"] and "Klopt precies." in str(entries[0]["note"])
    assert entries[1]["abstain"] is True
    assert "expected" not in entries[2] and "abstain" not in entries[2]
    path = tmp_path / "feedback.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    assert [q.question for q in load_questions(path)] == [
        good.question,
        refused.question,
        good.question,
    ]


def test_a_rating_is_up_or_down(kw):
    with pytest.raises(FeedbackError):
        Rating.of(kw.answer("Wat betekent urgentie U3?"), "meh")


def test_a_corrupt_feedback_file_is_reported_and_left_alone(tmp_path, index_settings):
    broken = tmp_path / "feedback.sqlite"
    broken.write_bytes(b"this is not a database" * 100)
    before = broken.read_bytes()
    with pytest.raises(FeedbackError, match="not usable"):
        FeedbackStore(broken).all()
    run = subprocess.run(
        [sys.executable, "-m", "kernwijzer.cli", "feedback", "counts", "--file", str(broken)],
        env=settings_env(index_settings),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "not usable" in run.stderr and "Traceback" not in run.stderr
    assert broken.read_bytes() == before
