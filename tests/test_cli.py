"""The command line as a user meets it: real processes, real index, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import settings_env

BIN = [sys.executable, "-m", "kernwijzer.cli"]


def run(args, settings, **kw):
    env = settings_env(settings)
    return subprocess.run([*BIN, *args], capture_output=True, text=True, env=env, timeout=300, **kw)


def test_ask_json_has_the_documented_shape(index_settings):
    out = run(["ask", "--json", "Mag een PA de huisarts vervangen?"], index_settings)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"id", "question", "language", "abstained", "answer", "citations", "timings_ms"} <= set(
        data
    )
    c = data["citations"][0]
    assert {
        "rank",
        "quote",
        "doc_id",
        "doc_title",
        "publisher",
        "section",
        "section_path",
        "anchor",
        "start",
        "end",
        "link",
        "source_url",
        "score",
    } <= set(c)
    assert set(data["timings_ms"]) >= {"retrieve", "total"}


def test_ask_human_output_and_bad_questions(index_settings):
    out = run(["ask", "Hoe declareer ik huisartsenzorg?"], index_settings)
    assert out.returncode == 0 and "VECOZO" in out.stdout and "/bron/" in out.stdout
    for bad in ("", "   ", "y" * 2500, "???", "12345"):
        res = run(["ask", bad], index_settings)
        assert res.returncode == 2 and "kernwijzer:" in res.stderr and not res.stdout


def test_ask_file_prints_json_lines_in_order(index_settings, tmp_path):
    qfile = tmp_path / "q.yaml"
    qfile.write_text(
        "- {id: a, question: 'Wat betekent urgentie U3?'}\n"
        "- {id: b, question: 'May a PA replace a GP?'}\n",
        encoding="utf-8",
    )
    out = run(["ask", "--json", "--file", str(qfile)], index_settings)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"question: not a list\n", b"non-empty list", id="not-a-list"),
        pytest.param(b"- {id: x, expected: [a]}\n", b"'question' is missing", id="lacks-question"),
        pytest.param(b"- {id: x, question: caf\xe9}\n", b"not valid UTF-8", id="not-utf8"),
        pytest.param(
            b"- {id: x, question: ok, colour: red}\n", b"unknown field", id="unknown-field"
        ),
        pytest.param(b"- {id: x, question: '   '}\n", b"empty", id="empty-question"),
        pytest.param(
            b"- {id: a, question: 'Wat is U3?'}\n- {id: b, question: '???'}\n",
            b"id 'b': The question has no words",
            id="contentless-question",
        ),
        pytest.param(b"[unclosed\n", b"cannot be parsed", id="bad-yaml"),
    ],
)
def test_malformed_question_files_are_refused(index_settings, tmp_path, content, message):
    qfile = tmp_path / "q.yaml"
    qfile.write_bytes(content)
    out = run(["ask", "--json", "--file", str(qfile)], index_settings)
    assert out.returncode == 2 and not out.stdout
    assert message.decode() in out.stderr


def test_missing_and_corrupt_index_exit_3(small_settings):
    out = run(["ask", "Wat is segment 1?"], small_settings)
    assert out.returncode == 3 and "kernwijzer index" in out.stderr


def test_sections_json(index_settings):
    out = run(["sections", "lhv-nhg-kernwaarden", "--json"], index_settings)
    tree = json.loads(out.stdout)
    assert {"id", "anchor", "title", "path", "start", "end"} <= set(tree[1])
    assert run(["sections", "nope"], index_settings).returncode == 2
